"""A scenario's outcome space in utility terms, and its bargaining points (cached).

``outcome_utilities(scenario)`` gives the two negotiating parties' undiscounted
utilities of every outcome (columns in ``scenario.negotiation.parties`` order);
``OutcomeAnalysis.of(scenario)`` adds the Pareto frontier and the Nash,
Kalai-Smorodinsky and maximum-welfare outcomes, computed once per scenario and shared
by tournaments, plots and tests.

The disagreement point is the parties' reservation values. A reservation still given
as a distribution (a scenario not yet resolved for one run, like OpenAI's in
``msft-openai``) counts at its mean: the analysis is then of the *expected*
disagreement point. Analyse a resolved scenario (``RunResult.scenario``) for one run's.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import attrs
import numpy as np

from agents.outcome_space import Issue, OutcomeSpace
from sim.analysis.frontier import (
    TOL,
    kalai_smorodinsky_point,
    max_welfare_point,
    nash_points,
    pareto_frontier,
    point_distances,
)
from sim.engine.party_utility import utility_for
from sim.scenario import Distribution, Scenario
from sim.scenario.schema import PartySpec


def expected_value(value: float | Distribution) -> float:
    """A number as is; a distribution's mean (a clipped normal's unclipped mean is
    clipped into its bounds, an approximation stated here)."""
    if not isinstance(value, Distribution):
        return float(value)
    if value.dist == "uniform":
        return (float(value.low) + float(value.high)) / 2  # type: ignore[arg-type]
    if value.dist == "triangular":
        return (float(value.low) + float(value.mode) + float(value.high)) / 3  # type: ignore[arg-type]
    if value.dist == "normal":
        low, high = value.support()
        return min(max(float(value.mean), low), high)  # type: ignore[arg-type]
    if value.dist == "choice":
        weights = value.weights or (1.0,) * len(value.values)
        return math.fsum(w * v for w, v in zip(weights, value.values, strict=True)) / math.fsum(
            weights
        )
    raise ValueError(f"unknown distribution {value.dist!r}")


def outcome_space(scenario: Scenario) -> OutcomeSpace:
    """The negotiated issues' outcome space (the engine enumerates it the same way)."""
    return OutcomeSpace(
        tuple(Issue(spec.name, tuple(spec.values)) for spec in scenario.negotiation.issues)
    )


def _utility(spec: PartySpec) -> Any:
    # The reservation does not enter utilities of outcomes; a concrete stand-in lets an
    # unresolved scenario (reservation drawn per run) be evaluated.
    return utility_for(attrs.evolve(spec, reservation=0.0, discount=1.0))


def outcome_utilities(scenario: Scenario) -> tuple[OutcomeSpace, np.ndarray]:
    """``(space, points)``: ``points[i]`` = the two negotiating parties' undiscounted
    utilities of outcome ``i``, in ``scenario.negotiation.parties`` order."""
    space = outcome_space(scenario)
    first, second = scenario.negotiating_parties()
    points = np.column_stack([_utility(first).evaluate(space), _utility(second).evaluate(space)])
    points.flags.writeable = False
    return space, points


def disagreement_point(scenario: Scenario) -> np.ndarray:
    """The two negotiating parties' reservation values (a distribution at its mean)."""
    first, second = scenario.negotiating_parties()
    return np.array([expected_value(first.reservation), expected_value(second.reservation)])


@attrs.frozen(slots=True, eq=False)
class OutcomeAnalysis:
    """The bargaining analysis of one scenario's negotiation (see the module doc).

    ``parties`` are the two negotiating party keys (the columns of ``points``);
    ``frontier`` the Pareto-optimal outcome indices (ascending); ``nash_points``
    every Nash bargaining outcome (ascending; several when their Nash products tie
    within ``tol``, none when no outcome is individually rational) and ``nash`` the
    first of them; ``kalai_smorodinsky`` (``None`` when no outcome is individually
    rational) and ``max_welfare`` outcome indices; ``tol`` the tie tolerance they were
    computed with.
    """

    parties: tuple[str, str]
    space: OutcomeSpace
    points: np.ndarray = attrs.field(repr=False)
    disagreement: np.ndarray
    frontier: np.ndarray = attrs.field(repr=False)
    nash: int | None
    kalai_smorodinsky: int | None
    max_welfare: int | None
    nash_points: np.ndarray = attrs.field(repr=False, factory=lambda: np.zeros(0, np.intp))
    tol: float = TOL

    @classmethod
    def of(cls, scenario: Scenario, tol: float = TOL) -> OutcomeAnalysis:
        """The analysis of ``scenario``, cached: scenarios with the same issues, and the
        same weights, value tables and reservations for the two negotiating parties,
        share one (strategies, regulators and the rest do not matter here)."""
        first, second = scenario.negotiating_parties()
        key = (
            scenario.negotiation.issues,
            tuple(
                (p.key, p.weights, p.value_tables, expected_value(p.reservation))
                for p in (first, second)
            ),
            tol,
        )
        return _cached(key, scenario)

    @classmethod
    def compute(cls, scenario: Scenario, tol: float = TOL) -> OutcomeAnalysis:
        """The analysis without the cache."""
        space, points = outcome_utilities(scenario)
        d = disagreement_point(scenario)
        d.flags.writeable = False
        frontier = pareto_frontier(points, tol)
        frontier.flags.writeable = False
        nash = nash_points(points, d, tol)
        nash.flags.writeable = False
        return cls(
            parties=scenario.negotiation.parties,
            space=space,
            points=points,
            disagreement=d,
            frontier=frontier,
            nash=int(nash[0]) if len(nash) else None,
            nash_points=nash,
            kalai_smorodinsky=kalai_smorodinsky_point(points, d, tol),
            max_welfare=max_welfare_point(points, tol),
            tol=tol,
        )

    # -- look-ups -------------------------------------------------------------------

    def utilities(self, index: int) -> tuple[float, float]:
        """The two parties' undiscounted utilities of outcome ``index``."""
        return (float(self.points[index, 0]), float(self.points[index, 1]))

    def is_pareto_optimal(self, index: int) -> bool:
        return bool(np.isin(index, self.frontier))

    def index_of(self, terms: Mapping[str, Any]) -> int:
        """The outcome index of ``{issue: value}`` terms (extra keys are ignored)."""
        return self.space.index(terms[name] for name in self.space.issue_names)

    def index_of_row(self, row: Mapping[str, Any]) -> int | None:
        """The agreed outcome of a summary row (``terms_<issue>`` columns), or ``None``
        without an agreement. The terms are those the parties accepted, before any
        regulator's conditions."""
        if not row.get("agreement"):
            return None
        terms = {name: row.get(f"terms_{name}") for name in self.space.issue_names}
        if any(value is None for value in terms.values()):
            return None
        return self.index_of(_native(terms))

    def distances(self, index: int) -> dict[str, float]:
        """:func:`~sim.analysis.frontier.agreement_distances` of outcome ``index``."""
        return point_distances(
            self.points[index],
            self.points,
            self.frontier,
            self.nash_points,
            self.kalai_smorodinsky,
            self.max_welfare,
        )

    def points_of_interest(self) -> dict[str, Any]:
        """Each named point as ``{"index", "terms", "<party>": utility, ...}``, and under
        ``"nash_points"`` the list of every tied Nash point (``"nash"`` is its first)."""

        def describe(index: int | None) -> dict[str, Any] | None:
            if index is None:
                return None
            u = self.utilities(index)
            return {
                "index": index,
                "terms": self.space.as_dict(index),
                self.parties[0]: u[0],
                self.parties[1]: u[1],
            }

        return {
            "nash": describe(self.nash),
            "nash_points": [describe(int(index)) for index in self.nash_points],
            "kalai_smorodinsky": describe(self.kalai_smorodinsky),
            "max_welfare": describe(self.max_welfare),
        }


def _native(terms: dict[str, Any]) -> dict[str, Any]:
    # Values read back from Parquet/numpy are numpy scalars; OutcomeSpace keys are
    # Python values (equal and equally hashed, but kept plain for clear messages).
    return {k: v.item() if isinstance(v, np.generic) else v for k, v in terms.items()}


_CACHE: dict[Any, OutcomeAnalysis] = {}
_CACHE_SIZE = 64


def _cached(key: Any, scenario: Scenario) -> OutcomeAnalysis:
    found = _CACHE.get(key)
    if found is None:
        found = OutcomeAnalysis.compute(scenario, key[-1])
        if len(_CACHE) >= _CACHE_SIZE:
            _CACHE.pop(next(iter(_CACHE)))
        _CACHE[key] = found
    return found


__all__ = [
    "OutcomeAnalysis",
    "disagreement_point",
    "expected_value",
    "outcome_space",
    "outcome_utilities",
]
