"""Estimates with 95% confidence intervals: the one statistics module of negsim.

- :func:`wilson_interval` (and :func:`proportion_ci`): the Wilson score interval for a
  share. Unlike the normal ("Wald") interval it stays inside [0, 1] and is not
  zero-width at 0% or 100%; its ends are exact there (0.0 at ``k = 0``, 1.0 at
  ``k = n``, never 0.9999999999999999).
- :func:`t_quantile` (and :func:`mean_ci`, :func:`mean_interval`): the Student-t
  interval for a mean. The quantile is computed, not tabulated: the t CDF through the
  regularised incomplete beta function (Lentz's continued fraction, Numerical Recipes
  §6.4), inverted by bisection to ~1e-12 relative. SciPy is not a dependency; the tests
  check these functions against it.
- :class:`RunningMean` and :class:`RunningShare`: the same estimates in one streaming
  pass (Welford's algorithm), for batches read from a store run by run.

Every estimate is an :class:`Estimate`: ``nan`` everywhere without observations, and an
infinite interval for the mean of a single observation.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from functools import lru_cache
from typing import Final, Literal

import attrs

Z95: Final = 1.959963984540054  # the standard normal's 0.975 quantile
_NAN: Final = float("nan")

Kind = Literal["mean", "proportion"]


@attrs.frozen(slots=True)
class Estimate:
    """A mean (or a share: the mean of 0/1 values) over ``n`` observations, with its
    95% interval ``[low, high]``.

    ``half_width`` is half the interval's width (the "+/-" figure); a Wilson interval is
    not centred on the share, but its half width is still ``(high - low) / 2``.
    """

    mean: float
    low: float
    high: float
    n: int
    kind: Kind = "mean"

    @property
    def half_width(self) -> float:
        return (self.high - self.low) / 2

    @property
    def has_interval(self) -> bool:
        """Whether the interval is finite (at least one share, or two values of a mean)."""
        return math.isfinite(self.low) and math.isfinite(self.high)

    def as_dict(self) -> dict[str, float | int | None]:
        """``mean``, ``low``, ``high``, ``half_width`` (``None`` where not a number), ``n``."""

        def num(x: float) -> float | None:
            return None if math.isnan(x) else x

        return {
            "mean": num(self.mean),
            "low": num(self.low),
            "high": num(self.high),
            "half_width": num(self.half_width),
            "n": self.n,
        }

    def format(self, digits: int = 3, pm: str = " +/- ") -> str:
        """``0.612 +/- 0.031`` (``-`` without observations)."""
        if self.n == 0 or math.isnan(self.mean):
            return "-"
        if math.isinf(self.half_width):
            return f"{self.mean:.{digits}f}"
        return f"{self.mean:.{digits}f}{pm}{self.half_width:.{digits}f}"


# ---------------------------------------------------------------------- shares


def wilson_interval(successes: int, n: int, z: float = Z95) -> tuple[float, float]:
    """The Wilson score interval for ``successes`` out of ``n`` (``0 <= successes <= n``,
    ``n > 0``), with exact ends: low is 0.0 at ``successes = 0``, high 1.0 at ``n``."""
    if n <= 0:
        raise ValueError(f"n: a share needs at least one observation, got {n}")
    if not 0 <= successes <= n:
        raise ValueError(f"successes: expected 0..{n}, got {successes}")
    p = successes / n
    z2 = z * z
    denominator = 1.0 + z2 / n
    centre = (p + z2 / (2 * n)) / denominator
    half = z / denominator * math.sqrt(p * (1.0 - p) / n + z2 / (4 * n * n))
    low = 0.0 if successes == 0 else max(0.0, centre - half)
    high = 1.0 if successes == n else min(1.0, centre + half)
    return low, high


def share_estimate(successes: int, n: int) -> Estimate:
    """The share ``successes / n`` with its Wilson interval (``nan`` when ``n = 0``)."""
    if n == 0:
        return Estimate(_NAN, _NAN, _NAN, 0, "proportion")
    low, high = wilson_interval(successes, n)
    return Estimate(successes / n, low, high, n, "proportion")


def proportion_ci(values: Iterable[float | int | bool | None]) -> Estimate:
    """Share of true (non-zero) values and its Wilson interval; ``None``/``nan`` left out."""
    xs = _finite(values)
    return share_estimate(sum(1 for x in xs if x), len(xs))


# ---------------------------------------------------------------------- means


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


def _betainc(a: float, b: float, x: float, y: float) -> float:
    """The regularised incomplete beta function I_x(a, b), given ``y = 1 - x`` too
    (computed by the caller without cancellation: near x = 1, ``1 - x`` loses digits)."""
    if x <= 0.0:
        return 0.0
    if y <= 0.0:
        return 1.0
    front = math.exp(
        math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b) + a * math.log(x) + b * math.log(y)
    )
    if x < (a + 1.0) / (a + b + 2.0):
        return front * _betacf(a, b, x) / a
    return 1.0 - front * _betacf(b, a, y) / b


def t_cdf(t: float, df: float) -> float:
    """P(T <= t) for Student's t with ``df`` degrees of freedom.

    Near 0 (``t * t < df``) through the central probability ``P(|T| <= |t|) =
    I_y(1/2, df/2)``, ``y = t^2 / (df + t^2)``, so the small difference from 1/2 keeps
    its digits; further out through the tail ``P(|T| > |t|) = I_x(df/2, 1/2)``.
    """
    t2 = t * t
    x, y = df / (df + t2), t2 / (df + t2)
    if y < x:
        central = 0.5 * _betainc(0.5, df / 2.0, y, x)
        return 0.5 + central if t >= 0 else 0.5 - central
    tail = 0.5 * _betainc(df / 2.0, 0.5, x, y)
    return 1.0 - tail if t >= 0 else tail


@lru_cache(maxsize=256)
def t_quantile(p: float, df: float) -> float:
    """The ``p`` quantile (0.5 < p < 1) of Student's t with ``df`` > 0 degrees of freedom."""
    if not 0.5 < p < 1.0:
        raise ValueError(f"p: expected 0.5 < p < 1, got {p}")
    if not df > 0:
        raise ValueError(f"df: expected degrees of freedom > 0, got {df}")
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
        raise ValueError(f"n: a mean's interval needs at least two values, got {n}")
    half = t_quantile(0.5 + level / 2.0, n - 1) * sd / math.sqrt(n)
    return mean - half, mean + half


def mean_estimate(n: int, mean: float, sd: float) -> Estimate:
    """A mean of ``n`` values with sample sd ``sd``, as an :class:`Estimate`."""
    if n == 0:
        return Estimate(_NAN, _NAN, _NAN, 0)
    if n == 1:
        return Estimate(mean, -math.inf, math.inf, 1)
    low, high = mean_interval(n, mean, sd)
    return Estimate(mean, low, high, n)


def _finite(values: Iterable[float | int | bool | None]) -> list[float]:
    out = []
    for value in values:
        if value is None:
            continue
        x = float(value)
        if not math.isnan(x):
            out.append(x)
    return out


def mean_ci(values: Iterable[float | int | bool | None]) -> Estimate:
    """Mean and 95% Student-t interval (two passes, exact sums); ``None``/``nan`` left out."""
    xs = _finite(values)
    n = len(xs)
    if n == 0:
        return mean_estimate(0, _NAN, _NAN)
    mean = math.fsum(xs) / n
    if n == 1:
        return mean_estimate(1, mean, _NAN)
    sd = math.sqrt(math.fsum((x - mean) ** 2 for x in xs) / (n - 1))
    return mean_estimate(n, mean, sd)


# ---------------------------------------------------------------------- streaming


class RunningShare:
    """A share counted one observation at a time."""

    __slots__ = ("k", "n")

    def __init__(self) -> None:
        self.k = 0
        self.n = 0

    def add(self, hit: bool) -> None:
        self.n += 1
        self.k += bool(hit)

    def estimate(self) -> Estimate:
        return share_estimate(self.k, self.n)


class RunningMean:
    """Welford's running mean and sum of squares: numerically stable, one pass, O(1) memory."""

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

    def estimate(self) -> Estimate:
        sd = math.sqrt(self.m2 / (self.n - 1)) if self.n > 1 else _NAN
        return mean_estimate(self.n, self.mean if self.n else _NAN, sd)


__all__ = [
    "Z95",
    "Estimate",
    "RunningMean",
    "RunningShare",
    "mean_ci",
    "mean_estimate",
    "mean_interval",
    "proportion_ci",
    "share_estimate",
    "t_cdf",
    "t_quantile",
    "wilson_interval",
]
