"""Linear additive utility functions over a discrete outcome space.

``u(outcome) = sum_i weights[i] * value_tables[i][outcome[i]]``, in [0, 1] because
the weights sum to one and every table entry is in [0, 1]. Time preference is a
separate per-time-unit ``discount``: ``discounted(u, elapsed) = u * discount**elapsed``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any, Literal, Protocol, cast

import attrs
import numpy as np

from agents.outcome_space import Issue, OutcomeSpace
from events.terms import IssueValue

ValueTable = dict[IssueValue, float]
TableSpec = (
    Literal["increasing", "decreasing", "increasing-by-rank", "decreasing-by-rank"]
    | Mapping[IssueValue, float]
)

WEIGHT_SUM_TOLERANCE = 1e-6


class HasIssueValues(Protocol):
    """Anything that answers ``get(issue_name)`` (a dict, ``events.terms.Terms``)."""

    def get(self, issue: str, /) -> Any: ...


RAMPS = ("increasing", "decreasing", "increasing-by-rank", "decreasing-by-rank")
PROPORTIONAL_RAMPS = ("increasing", "decreasing")


class RampError(ValueError):
    """An issue whose values an ``"increasing"``/``"decreasing"`` ramp cannot score.

    ``value`` is the offending issue value and ``problem`` what is wrong with it
    (``"(a string)"``, ``"(below 0)"``, ``"as its largest value"``), so that a caller
    can show the value in its own format: ``f"has {shown} {problem}"``.
    """

    def __init__(self, issue: str, direction: str, value: object, problem: str) -> None:
        self.issue, self.direction, self.value, self.problem = issue, direction, value, problem
        super().__init__(
            f"issue {issue!r}: {direction!r} scores value / largest value, so it needs "
            f"numbers >= 0 with a largest > 0 (or use {direction + '-by-rank'!r} or a "
            f"table); the issue has {value!r} {problem}"
        )


def ramp(issue: str, values: tuple[IssueValue, ...], kind: str) -> tuple[float, ...]:
    """The utility of each of ``values`` (an issue's values, in order) under a ramp.

    - ``"increasing"``: ``v / max``, as NegMAS scores a numeric issue with
      ``negmas.preferences.value_fun.LinearFun(slope=1 / max)`` (NegMAS computes
      ``v * (1 / max)``, which can differ from ``v / max`` in the last bit); 0 scores
      0, the largest value 1, and ``[10, 20]`` scores 0.5 and 1.0;
    - ``"decreasing"``: ``1 - v / max``; 0 scores 1, the largest value 0.

      ``max`` is the largest of ``values``; every value must be a number (int or
      float, not a boolean) ``>= 0`` and ``max`` must be ``> 0``, so that every
      utility is in [0, 1]. Anything else (a string issue, a negative value, all
      zeros) raises :class:`RampError`.
    - ``"increasing-by-rank"``: equal steps along the listed order, whatever the
      values are (strings, years): value ``j`` of ``n`` scores ``j / (n - 1)``;
    - ``"decreasing-by-rank"``: ``(n - 1 - j) / (n - 1)``. A single-valued issue
      scores 1.0 under both rank ramps.
    """
    if kind not in RAMPS:
        raise ValueError(f"issue {issue!r}: a ramp is one of {', '.join(RAMPS)}; got {kind!r}")
    if kind not in PROPORTIONAL_RAMPS:
        n = len(values)
        if n == 1:
            return (1.0,)
        steps = range(n) if kind == "increasing-by-rank" else range(n - 1, -1, -1)
        return tuple(step / (n - 1) for step in steps)
    for v in values:
        if isinstance(v, bool) or not isinstance(v, int | float):
            raise RampError(issue, kind, v, f"(a {_kind(v)})")
        if not math.isfinite(v):
            raise RampError(issue, kind, v, "(not a finite number)")
        if v < 0:
            raise RampError(issue, kind, v, "(below 0)")
    numbers = [float(v) for v in values]  # checked above: every value is a number
    largest = max(numbers, default=0.0)
    if not largest > 0:
        raise RampError(issue, kind, max(values, default=0), "as its largest value")
    if kind == "increasing":
        return tuple(v / largest for v in numbers)
    return tuple(1 - v / largest for v in numbers)


def _kind(value: object) -> str:
    return {bool: "boolean", str: "string"}.get(type(value), type(value).__name__)


def value_table(issue: Issue, spec: TableSpec) -> ValueTable:
    """A value table for one issue.

    - a ramp name (``"increasing"``, ``"decreasing"``, ``"increasing-by-rank"``,
      ``"decreasing-by-rank"``): see :func:`ramp`;
    - a mapping: every issue value -> a number in [0, 1], no value missing or extra.
    """
    if isinstance(spec, str):
        if spec not in RAMPS:
            raise ValueError(
                f"issue {issue.name!r}: value table must be one of {', '.join(RAMPS)} "
                f"or a mapping of values to utilities; got {spec!r}"
            )
        return dict(zip(issue.values, ramp(issue.name, issue.values, spec), strict=True))
    if not isinstance(spec, Mapping):
        raise ValueError(
            f"issue {issue.name!r}: value table must be 'increasing', 'decreasing' or a "
            f"mapping of values to utilities; got {type(spec).__name__}"
        )
    missing = [v for v in issue.values if v not in spec]
    if missing:
        raise ValueError(
            f"issue {issue.name!r}: value table has no utility for "
            + ", ".join(repr(v) for v in missing)
        )
    extra = [v for v in spec if v not in issue.values]
    if extra:
        raise ValueError(
            f"issue {issue.name!r}: value table lists values the issue does not have: "
            + ", ".join(repr(v) for v in extra)
        )
    return {value: _unit_number(spec[value], issue.name, value) for value in issue.values}


def _unit_number(x: object, issue: str, value: object) -> float:
    if isinstance(x, bool) or not isinstance(x, int | float | np.number):
        raise ValueError(
            f"issue {issue!r}: utility of value {value!r} must be a number in [0, 1], got {x!r}"
        )
    x = float(x)
    if not 0.0 <= x <= 1.0:  # also rejects nan
        raise ValueError(
            f"issue {issue!r}: utility of value {value!r} must be in [0, 1], got {x!r}"
        )
    return x


def _check_weights(_: object, __: attrs.Attribute[Any], weights: dict[str, float]) -> None:
    if not isinstance(weights, dict) or not weights:
        raise ValueError("weights must be a non-empty dict of issue name -> weight")
    for issue, w in weights.items():
        if isinstance(w, bool) or not isinstance(w, int | float | np.number):
            raise ValueError(f"weight of issue {issue!r} must be a number, got {w!r}")
        if not (math.isfinite(w) and w >= 0):
            raise ValueError(f"weight of issue {issue!r} must be finite and >= 0, got {w!r}")
    total = math.fsum(weights.values())
    if abs(total - 1.0) > WEIGHT_SUM_TOLERANCE:
        raise ValueError(
            f"weights must sum to 1 (within {WEIGHT_SUM_TOLERANCE}), got {total!r}: "
            + ", ".join(f"{k}={v!r}" for k, v in weights.items())
        )


def _check_tables(
    self: LinearAdditiveUtility, _: attrs.Attribute[Any], tables: dict[str, ValueTable]
) -> None:
    if not isinstance(tables, dict):
        raise ValueError("value_tables must be a dict of issue name -> {value: utility}")
    for issue in self.weights:
        if issue not in tables:
            raise ValueError(f"issue {issue!r} has a weight but no value table")
    for issue, table in tables.items():
        if issue not in self.weights:
            raise ValueError(f"issue {issue!r} has a value table but no weight")
        if not isinstance(table, Mapping) or not table:
            raise ValueError(f"issue {issue!r}: value table must be a non-empty mapping")
        for value, u in table.items():
            _unit_number(u, issue, value)


def _check_reservation(_: object, __: attrs.Attribute[Any], value: float) -> None:
    if not 0.0 <= value <= 1.0:
        raise ValueError(f"reservation must be in [0, 1], got {value!r}")


def _check_discount(_: object, __: attrs.Attribute[Any], value: float) -> None:
    if not 0.0 < value <= 1.0:
        raise ValueError(f"discount must be in (0, 1] (per time unit), got {value!r}")


@attrs.frozen(slots=True)
class LinearAdditiveUtility:
    """A party's preferences: weighted sum of per-issue value tables.

    - ``weights``: one per issue, >= 0, summing to 1 (within 1e-6).
    - ``value_tables``: per issue, each value -> utility in [0, 1].
    - ``reservation``: utility of no agreement, in [0, 1].
    - ``discount``: per time unit, in (0, 1]; 1 means no time preference.

    Not hashable (its fields are dicts); compare with ``==``.
    """

    weights: dict[str, float] = attrs.field(validator=_check_weights)
    value_tables: dict[str, ValueTable] = attrs.field(validator=_check_tables)
    reservation: float = attrs.field(default=0.0, converter=float, validator=_check_reservation)
    discount: float = attrs.field(default=1.0, converter=float, validator=_check_discount)

    @classmethod
    def build(
        cls,
        space: OutcomeSpace,
        weights: Mapping[str, float],
        tables: Mapping[str, TableSpec],
        reservation: float = 0.0,
        discount: float = 1.0,
    ) -> LinearAdditiveUtility:
        """Build from per-issue table specs (see ``value_table``) for ``space``'s issues."""
        for name in tables:
            if name not in space.issue_names:
                raise ValueError(
                    f"issue {name!r} is not in the outcome space; valid: "
                    + ", ".join(space.issue_names)
                )
        built = {}
        for issue in space.issues:
            if issue.name not in tables:
                raise ValueError(f"issue {issue.name!r} has no value table")
            built[issue.name] = value_table(issue, tables[issue.name])
        return cls(
            weights=dict(weights), value_tables=built, reservation=reservation, discount=discount
        )

    def evaluate(self, space: OutcomeSpace) -> np.ndarray:
        """Undiscounted utility of every outcome of ``space``, as float64, by index."""
        names = space.issue_names
        if set(names) != set(self.weights):
            raise ValueError(
                "utility issues do not match the outcome space: utility has "
                + ", ".join(sorted(self.weights))
                + "; space has "
                + ", ".join(names)
            )
        columns = space.value_indices
        total = np.zeros(columns.shape[0], dtype=np.float64)
        for k, issue in enumerate(space.issues):
            weight = float(self.weights[issue.name])
            if weight == 0.0:
                continue
            table = self.value_tables[issue.name]
            try:
                per_value = np.array([table[v] for v in issue.values], dtype=np.float64)
            except KeyError as exc:
                raise ValueError(
                    f"issue {issue.name!r}: value table has no utility for {exc.args[0]!r}"
                ) from None
            total += weight * per_value[columns[:, k]]
        return total

    def of(self, outcome: Mapping[str, IssueValue] | HasIssueValues) -> float:
        """Undiscounted utility of one outcome given as a dict or anything with ``.get``."""
        total = 0.0
        for issue, weight in self.weights.items():
            try:
                value = cast(IssueValue, outcome.get(issue))  # None: a KeyError below
                total += weight * self.value_tables[issue][value]
            except (KeyError, AttributeError, TypeError):
                raise ValueError(
                    f"issue {issue!r}: outcome has no valued entry "
                    f"(got {_safe_get(outcome, issue)!r})"
                ) from None
        return total

    def discounted(self, u: Any, elapsed: float) -> Any:
        """``u * discount**elapsed`` (``u`` may be a float or an array)."""
        if elapsed < 0:
            raise ValueError(f"elapsed must be >= 0, got {elapsed!r}")
        return u * self.discount**elapsed


def _safe_get(outcome: Any, issue: str) -> Any:
    try:
        return outcome.get(issue)
    except Exception:
        return None
