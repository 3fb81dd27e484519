"""Distributions a scenario may give instead of a number, and drawing them.

A loaded :class:`~sim.scenario.schema.Scenario` keeps each distribution as a
:class:`Distribution`; :func:`resolve` draws them all (for one Monte Carlo run) in a
fixed order, the sorted dotted keys, so the draws depend only on the generator's
state: never on dict order, ``PYTHONHASHSEED`` or which process runs them.

Each uniform, triangular or choice draw consumes exactly one ``rng.random()`` (by
inverse CDF), a normal draw one ``rng.standard_normal()``.
"""

from __future__ import annotations

import bisect
import math
from statistics import NormalDist
from typing import TYPE_CHECKING, Any, Final

import attrs

if TYPE_CHECKING:
    import numpy as np

    from sim.scenario.schema import Scenario

DIST_KINDS: Final = ("choice", "normal", "triangular", "uniform")

# The parameters of each kind: required ones, then optional ones.
DIST_PARAMS: Final[dict[str, tuple[tuple[str, ...], tuple[str, ...]]]] = {
    "uniform": (("low", "high"), ()),
    "normal": (("mean", "sd"), ("low", "high")),
    "triangular": (("low", "mode", "high"), ()),
    "choice": (("values",), ("weights",)),
}

Number = int | float


@attrs.frozen(slots=True)
class Distribution:
    """A distribution over numbers (times are in time units since the scenario start).

    - ``uniform``: ``low``, ``high``
    - ``normal``: ``mean``, ``sd``, and optional ``low``/``high`` the draw is clipped to
    - ``triangular``: ``low``, ``mode``, ``high``
    - ``choice``: ``values`` and optional ``weights`` (relative, normalised at draw time)

    The loader checks the parameters; constructing one by hand is not checked.
    """

    dist: str
    low: float | None = None
    high: float | None = None
    mean: float | None = None
    sd: float | None = None
    mode: float | None = None
    values: tuple[Number, ...] = ()
    weights: tuple[float, ...] | None = None

    def draw(self, rng: np.random.Generator) -> Number:
        """One value; consumes a fixed amount of ``rng`` per kind (see module doc)."""
        if self.dist == "uniform":
            low, high = _req(self.low), _req(self.high)
            return float(low + (high - low) * rng.random())
        if self.dist == "triangular":
            return _triangular(
                _req(self.low), _req(self.mode), _req(self.high), float(rng.random())
            )
        if self.dist == "normal":
            value = _req(self.mean) + _req(self.sd) * float(rng.standard_normal())
            if self.low is not None:
                value = max(value, self.low)
            if self.high is not None:
                value = min(value, self.high)
            return float(value)
        if self.dist == "choice":
            weights = self.weights or (1.0,) * len(self.values)
            cumulative = _cumulative(weights)
            u = float(rng.random()) * cumulative[-1]
            index = min(bisect.bisect_right(cumulative, u), len(self.values) - 1)
            return self.values[index]
        raise ValueError(f"unknown distribution {self.dist!r}")

    def quantile(self, q: float) -> float:
        """The value below which a share ``q`` (in (0, 1)) of draws falls: what a
        party that holds this distribution as a belief expects (``agents.valuation``)."""
        if self.dist == "uniform":
            low, high = _req(self.low), _req(self.high)
            return low + (high - low) * q
        if self.dist == "triangular":
            return _triangular(_req(self.low), _req(self.mode), _req(self.high), q)
        if self.dist == "normal":
            sd = _req(self.sd)
            mean = _req(self.mean)
            value = NormalDist(mean, sd).inv_cdf(q) if sd > 0 else mean
            if self.low is not None:
                value = max(value, self.low)
            if self.high is not None:
                value = min(value, self.high)
            return value
        if self.dist == "choice":
            weights = self.weights or (1.0,) * len(self.values)
            cumulative = _cumulative(weights)
            index = min(bisect.bisect_right(cumulative, q * cumulative[-1]), len(self.values) - 1)
            return float(self.values[index])
        raise ValueError(f"unknown distribution {self.dist!r}")

    def support(self) -> tuple[float, float]:
        """Smallest and largest value a draw can take (``-inf``/``inf`` if unbounded)."""
        if self.dist == "choice":
            return float(min(self.values)), float(max(self.values))
        if self.dist == "normal":
            low = -math.inf if self.low is None else self.low
            high = math.inf if self.high is None else self.high
            return low, high
        return _req(self.low), _req(self.high)

    def to_data(self) -> dict[str, Any]:
        """The TOML/JSON table form, keys sorted, absent parameters left out."""
        data: dict[str, Any] = {"dist": self.dist}
        required, optional = DIST_PARAMS[self.dist]
        for name in (*required, *optional):
            value = getattr(self, name)
            if value is None:
                continue
            data[name] = list(value) if isinstance(value, tuple) else value
        return dict(sorted(data.items()))


def _cumulative(weights: tuple[float, ...]) -> list[float]:
    total = 0.0
    out = []
    for weight in weights:
        total += weight
        out.append(total)
    return out


def _req(value: float | None) -> float:
    if value is None:  # pragma: no cover - the loader guarantees the parameter
        raise ValueError("distribution parameter missing")
    return value


def _triangular(low: float, mode: float, high: float, u: float) -> float:
    if high == low:
        return float(low)
    split = (mode - low) / (high - low)
    if u < split:
        return float(low + math.sqrt(u * (high - low) * (mode - low)))
    return float(high - math.sqrt((1.0 - u) * (high - low) * (high - mode)))


def concrete(value: float | Distribution) -> float:
    """A drawable key's value in a resolved scenario (every distribution drawn): a number.

    The engine builds actors from resolved scenarios only; a distribution here is a bug.
    """
    if isinstance(value, Distribution):
        raise TypeError(f"a distribution where a drawn value was expected: {value!r}")
    return float(value)


def resolve(scenario: Scenario, rng: np.random.Generator) -> tuple[Scenario, dict[str, Number]]:
    """Draw every distribution of ``scenario``, in sorted dotted-key order.

    Returns the scenario with only concrete values and ``{dotted_key: drawn value}``
    (times in time units since the start). A scenario without distributions is
    returned as is, with ``{}``, and ``rng`` is not touched.
    """
    pending = scenario.distributions()
    if not pending:
        return scenario, {}
    drawn = {key: distribution.draw(rng) for key, distribution in pending}
    # Each key changes one top-level section: the sections are rebuilt key by key and
    # the scenario once at the end (a scenario evolved per key cost most of a run's
    # set-up; the result is the same).
    sections: dict[str, Any] = {}
    for key, value in drawn.items():
        name, section = _section_with_value(scenario, sections, key, value)
        sections[name] = section
    return attrs.evolve(scenario, **sections), drawn


def _section_with_value(
    scenario: Scenario, sections: dict[str, Any], dotted: str, value: Number
) -> tuple[str, Any]:
    """The top-level section of ``scenario`` (as already changed in ``sections``) that
    holds the drawable key ``dotted``, with that key set to a drawn value.

    Only the keys ``Scenario.distributions`` can list come here, and a draw always lies
    in its distribution's support, which loading checked against the key's valid range;
    so the value is put in place directly (``attrs.evolve``) instead of re-validating
    the whole scenario for every run.
    """
    section, *rest = dotted.split(".")
    current = sections[section] if section in sections else getattr(scenario, section)
    one: dict[str, Any] = {rest[0]: value}
    if section in ("agi", "rofr", "compute_need") and current is not None:
        return section, attrs.evolve(current, **one)
    if section == "restructuring" and current is not None:
        if rest[0] == "reviewers":  # restructuring.reviewers.<key>.<field>
            reviewers = tuple(
                attrs.evolve(r, **{rest[2]: value}) if r.key == rest[1] else r
                for r in current.reviewers
            )
            return section, attrs.evolve(current, reviewers=reviewers)
        return section, attrs.evolve(current, **one)
    if section == "alternatives":
        party, name = rest[0], rest[1]
        alternatives = tuple(
            attrs.evolve(
                spec,
                params=tuple((n, value if n == name else old) for n, old in spec.params),
            )
            if spec.key == party
            else spec
            for spec in current
        )
        return section, alternatives
    key, field = rest[0], rest[1]
    replaced = []
    for item in current:
        if item.key == key:
            if field == "params":
                params = tuple(
                    (name, value if name == rest[2] else old) for name, old in item.params
                )
                item = attrs.evolve(item, params=params)
            else:
                item = attrs.evolve(item, **{field: value})
        replaced.append(item)
    return section, tuple(replaced)
