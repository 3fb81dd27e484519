"""Batch statistics with 95% confidence intervals, computed in one streaming pass.

Proportions get the Wilson score interval; means get the Student-t interval. The t
quantile is computed here (no SciPy): the t CDF through the regularised incomplete
beta function (Lentz's continued fraction, as in Numerical Recipes §6.4), inverted by
bisection to ~1e-12, which reproduces the printed tables (12.706 for 1 degree of
freedom, 2.262 for 9, 1.960 in the limit).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from functools import lru_cache
from typing import Any, Final

import attrs

Z95: Final = 1.959963984540054  # the standard normal's 0.975 quantile
APPROVED: Final = ("approved", "approved_with_conditions")
REVIEWED: Final = (*APPROVED, "blocked", "pending")


def wilson_interval(successes: int, n: int, z: float = Z95) -> tuple[float, float]:
    """The Wilson score interval for ``successes`` out of ``n`` (``n`` > 0)."""
    if n <= 0:
        raise ValueError("a proportion needs n > 0")
    p = successes / n
    z2 = z * z
    denominator = 1.0 + z2 / n
    centre = (p + z2 / (2 * n)) / denominator
    half = z / denominator * math.sqrt(p * (1.0 - p) / n + z2 / (4 * n * n))
    return max(0.0, centre - half), min(1.0, centre + half)


def _betacf(a: float, b: float, x: float) -> float:
    tiny = 1e-300
    qab, qap, qam = a + b, a + 1.0, a - 1.0
    c, d = 1.0, 1.0 - qab * x / qap
    d = 1.0 / (d if abs(d) > tiny else tiny)
    h = d
    for m in range(1, 400):
        m2 = 2 * m
        aa = m * (b - m) * x / ((qam + m2) * (a + m2))
        d = 1.0 + aa * d
        d = 1.0 / (d if abs(d) > tiny else tiny)
        c = 1.0 + aa / c
        c = c if abs(c) > tiny else tiny
        h *= d * c
        aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2))
        d = 1.0 + aa * d
        d = 1.0 / (d if abs(d) > tiny else tiny)
        c = 1.0 + aa / c
        c = c if abs(c) > tiny else tiny
        delta = d * c
        h *= delta
        if abs(delta - 1.0) < 1e-15:
            break
    return h


def _betainc(a: float, b: float, x: float) -> float:
    """The regularised incomplete beta function I_x(a, b)."""
    if x <= 0.0:
        return 0.0
    if x >= 1.0:
        return 1.0
    front = math.exp(
        math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b) + a * math.log(x) + b * math.log1p(-x)
    )
    if x < (a + 1.0) / (a + b + 2.0):
        return front * _betacf(a, b, x) / a
    return 1.0 - front * _betacf(b, a, 1.0 - x) / b


def t_cdf(t: float, df: float) -> float:
    """P(T <= t) for Student's t with ``df`` degrees of freedom."""
    tail = 0.5 * _betainc(df / 2.0, 0.5, df / (df + t * t))
    return 1.0 - tail if t >= 0 else tail


@lru_cache(maxsize=256)
def t_quantile(p: float, df: float) -> float:
    """The ``p`` quantile (0.5 < p < 1) of Student's t with ``df`` degrees of freedom."""
    if not 0.5 < p < 1.0 or df <= 0:
        raise ValueError("t_quantile needs 0.5 < p < 1 and df > 0")
    low, high = 0.0, 1.0
    while t_cdf(high, df) < p:
        high *= 2.0
    for _ in range(200):
        mid = 0.5 * (low + high)
        if t_cdf(mid, df) < p:
            low = mid
        else:
            high = mid
        if high - low < 1e-12 * max(1.0, high):
            break
    return 0.5 * (low + high)


def mean_interval(n: int, mean: float, sd: float, level: float = 0.95) -> tuple[float, float]:
    """The Student-t interval for a mean of ``n`` > 1 values with sample sd ``sd``."""
    if n < 2:
        raise ValueError("a mean's interval needs n > 1")
    half = t_quantile(0.5 + level / 2.0, n - 1) * sd / math.sqrt(n)
    return mean - half, mean + half


@attrs.frozen
class Estimate:
    """One line of a batch summary: an outcome's value, its 95% interval, and n."""

    outcome: str
    group: Mapping[str, Any]
    value: float | None
    ci_low: float | None
    ci_high: float | None
    n: int
    kind: str  # "proportion" or "mean"

    def as_dict(self) -> dict[str, Any]:
        return {
            "outcome": self.outcome,
            "group": dict(self.group),
            "value": self.value,
            "ci_low": self.ci_low,
            "ci_high": self.ci_high,
            "n": self.n,
        }


class _Proportion:
    __slots__ = ("k", "n")

    def __init__(self) -> None:
        self.k = 0
        self.n = 0

    def add(self, hit: bool) -> None:
        self.n += 1
        self.k += bool(hit)

    def estimate(self, outcome: str, group: Mapping[str, Any]) -> Estimate:
        if self.n == 0:
            return Estimate(outcome, group, None, None, None, 0, "proportion")
        low, high = wilson_interval(self.k, self.n)
        return Estimate(outcome, group, self.k / self.n, low, high, self.n, "proportion")


class _Mean:
    """Welford's running mean and sum of squares (numerically stable, one pass)."""

    __slots__ = ("m2", "mean", "n")

    def __init__(self) -> None:
        self.n = 0
        self.mean = 0.0
        self.m2 = 0.0

    def add(self, value: float) -> None:
        self.n += 1
        delta = value - self.mean
        self.mean += delta / self.n
        self.m2 += delta * (value - self.mean)

    def estimate(self, outcome: str, group: Mapping[str, Any]) -> Estimate:
        if self.n == 0:
            return Estimate(outcome, group, None, None, None, 0, "mean")
        if self.n == 1:
            return Estimate(outcome, group, self.mean, None, None, 1, "mean")
        sd = math.sqrt(self.m2 / (self.n - 1))
        low, high = mean_interval(self.n, self.mean, sd)
        return Estimate(outcome, group, self.mean, low, high, self.n, "mean")


def outcome_names(columns: Sequence[str]) -> list[str]:
    utilities = [name for name in columns if name.startswith("utility_")]
    with_agi = "agi_time" in columns  # a generic scenario has no milestone
    access = ["after_agi.license.models"] if "after_agi.license.models" in columns else []
    return [
        "agreement",
        "regulator_approved",
        *access,
        "agreement_time",
        *utilities,
        *(["agi_time"] if with_agi else []),
    ]


class SummaryAccumulator:
    """Feed rows (any order); get one :class:`Estimate` per outcome and grid cell.

    - ``agreement``: proportion of runs with a deal
    - ``regulator_approved``: among deals that went to review (approved, approved with
      conditions, blocked, or still pending), the proportion approved (either way)
    - ``after_agi.license.models``: among runs where AGI came, the proportion in which
      Microsoft still had post-AGI access
    - ``agreement_time``, each ``utility_<party>``, ``agi_time``: means over the runs
      where the value exists
    """

    def __init__(self, columns: Sequence[str], n: int, sweep_keys: Sequence[str]) -> None:
        self.n = n
        self.sweep_keys = tuple(sweep_keys)
        self.utilities = [name for name in columns if name.startswith("utility_")]
        self.outcomes = outcome_names(columns)
        self._cells: dict[int, tuple[dict[str, Any], dict[str, Any]]] = {}

    def _cell(self, row: Mapping[str, Any]) -> dict[str, Any]:
        index = int(row["run"]) // self.n
        entry = self._cells.get(index)
        if entry is None:
            group = {key: row.get(f"sweep_{key}") for key in self.sweep_keys}
            proportions = ("agreement", "regulator_approved", "after_agi.license.models")
            stats: dict[str, Any] = {
                name: _Proportion() if name in proportions else _Mean() for name in self.outcomes
            }
            entry = self._cells[index] = (group, stats)
        return entry[1]

    def add(self, row: Mapping[str, Any]) -> None:
        stats = self._cell(row)
        deal = bool(row.get("agreement"))
        stats["agreement"].add(deal)
        outcome = row.get("regulator_outcome")
        if deal and outcome in REVIEWED:
            stats["regulator_approved"].add(outcome in APPROVED)
        if row.get("agi_time") is not None:
            stats["agi_time"].add(float(row["agi_time"]))
            access = row.get("after_agi.license.models")
            if access is not None and "after_agi.license.models" in stats:
                stats["after_agi.license.models"].add(bool(access))
        if row.get("agreement_time") is not None:
            stats["agreement_time"].add(float(row["agreement_time"]))
        for name in self.utilities:
            value = row.get(name)
            if value is not None:
                stats[name].add(float(value))

    def estimates(self) -> list[Estimate]:
        out = []
        for index in sorted(self._cells):
            group, stats = self._cells[index]
            out.extend(stat.estimate(name, group) for name, stat in stats.items())
        return out


def summarize_rows(
    rows: Iterable[Mapping[str, Any]], columns: Sequence[str], n: int, sweep_keys: Sequence[str]
) -> list[Estimate]:
    """Estimates for every outcome and grid cell of ``rows`` (streamed, one pass)."""
    acc = SummaryAccumulator(columns, n, sweep_keys)
    for row in rows:
        acc.add(row)
    return acc.estimates()
