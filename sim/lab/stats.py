"""Means with 95% confidence intervals, for rankings, tuning and test assertions.

- ``mean_ci``: Student-t interval for a mean (exact t quantiles up to 30 degrees of
  freedom, a Cornish-Fisher expansion beyond, good to 1e-4).
- ``proportion_ci``: Wilson score interval for a rate (agreement rate): unlike the
  normal interval it stays inside [0, 1] and is not zero-width at 0% or 100%.

No SciPy: the t quantiles are tabulated here.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

import attrs

Z95 = 1.959963984540054

# Two-sided 95% Student-t quantiles t(0.975, df), df = 1..30.
_T95 = (
    12.706204736,
    4.302652730,
    3.182446305,
    2.776445105,
    2.570581836,
    2.446911851,
    2.364624252,
    2.306004135,
    2.262157163,
    2.228138852,
    2.200985160,
    2.178812830,
    2.160368656,
    2.144786688,
    2.131449546,
    2.119905299,
    2.109815578,
    2.100922040,
    2.093024054,
    2.085963447,
    2.079613845,
    2.073873068,
    2.068657610,
    2.063898562,
    2.059538553,
    2.055529439,
    2.051830516,
    2.048407142,
    2.045229642,
    2.042272456,
)


def t95(df: int) -> float:
    """The 97.5% quantile of Student's t with ``df`` degrees of freedom."""
    if df < 1:
        raise ValueError(f"degrees of freedom must be >= 1, got {df}")
    if df <= len(_T95):
        return _T95[df - 1]
    z = Z95
    g1 = (z**3 + z) / 4
    g2 = (5 * z**5 + 16 * z**3 + 3 * z) / 96
    g3 = (3 * z**7 + 19 * z**5 + 17 * z**3 - 15 * z) / 384
    return z + g1 / df + g2 / df**2 + g3 / df**3


@attrs.frozen(slots=True)
class Estimate:
    """A mean over ``n`` observations with its 95% interval ``[low, high]``.

    ``half_width`` is half the interval's width (the "+/-" figure); for a Wilson
    interval, which is not centred on the mean, it is still ``(high - low) / 2``.
    With no observations every number is ``nan``; with one, the interval is infinite.
    """

    mean: float
    low: float
    high: float
    n: int

    @property
    def half_width(self) -> float:
        return (self.high - self.low) / 2

    def as_dict(self) -> dict[str, float | int | None]:
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


_NAN = float("nan")


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
    """Mean and 95% Student-t interval; ``None`` and ``nan`` values are left out."""
    xs = _finite(values)
    n = len(xs)
    if n == 0:
        return Estimate(_NAN, _NAN, _NAN, 0)
    mean = math.fsum(xs) / n
    if n == 1:
        return Estimate(mean, -math.inf, math.inf, 1)
    variance = math.fsum((x - mean) ** 2 for x in xs) / (n - 1)
    half = t95(n - 1) * math.sqrt(variance / n)
    return Estimate(mean, mean - half, mean + half, n)


def proportion_ci(values: Iterable[float | int | bool | None]) -> Estimate:
    """Rate of true (non-zero) values and its 95% Wilson score interval."""
    xs = _finite(values)
    n = len(xs)
    if n == 0:
        return Estimate(_NAN, _NAN, _NAN, 0)
    k = sum(1 for x in xs if x)
    p = k / n
    z2 = Z95 * Z95
    centre = (p + z2 / (2 * n)) / (1 + z2 / n)
    half = Z95 * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / (1 + z2 / n)
    low = 0.0 if k == 0 else max(0.0, centre - half)
    high = 1.0 if k == n else min(1.0, centre + half)  # exact ends, not 0.9999999999999999
    return Estimate(p, low, high, n)


__all__ = ["Estimate", "mean_ci", "proportion_ci", "t95"]
