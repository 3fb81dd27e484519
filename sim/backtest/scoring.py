"""Scores of a predictive sample against one observed value (pure functions).

- CRPS, the continuous ranked probability score (Gneiting & Raftery 2007, "Strictly
  proper scoring rules, prediction, and estimation", JASA 102:359-378), of the
  empirical distribution of ``xs`` at ``y``:
  ``mean|X - y| - mean|X - X'| / 2``, in ``y``'s units (days for dates); lower is
  better, 0 for a sure and right forecast.
- Brier score of the event "a run matches the observation": ``(1 - p)^2``.
- Log score of that event: ``-ln p``, with ``p`` estimated as ``(k + 1/2) / (n + 1)``
  (the Krichevsky-Trofimov estimate), so an event no run produced scores a large
  finite number rather than infinity.
- The percentile (PIT) of the observed value is a *mid-rank*: the share of runs below
  it plus half the share equal to it. It is the mean of the randomized PIT
  (Czado, Gneiting & Held 2009), deterministic, and well defined for ties and
  discrete outcomes. For categories, the categories are ordered from the rarest to the
  most common in the sample and the observed category's mid-rank is taken.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Final

import numpy as np

QUANTILES: Final = (0.05, 0.25, 0.5, 0.75, 0.95)


def quantile_key(p: float) -> str:
    """``0.05`` -> ``"q05"``, ``0.5`` -> ``"q50"``."""
    return f"q{round(p * 100):02d}"


def crps(xs: Sequence[float], y: float) -> float:
    """CRPS of the empirical distribution of ``xs`` at ``y`` (``xs`` not empty)."""
    x = np.sort(np.asarray(xs, dtype=float))
    n = x.size
    if n == 0:
        raise ValueError("CRPS needs at least one value")
    spread_to_y = float(np.mean(np.abs(x - y)))
    # sum_{i,j} |x_i - x_j| = 2 * sum_i (2i - n - 1) x_(i) for the sorted x (i from 1)
    weights = 2.0 * np.arange(1, n + 1) - n - 1
    pairwise = 2.0 * float(np.dot(weights, x))
    return spread_to_y - pairwise / (2.0 * n * n)


def mid_rank(xs: Sequence[float], y: float, tol: float = 1e-9) -> float:
    """Share of ``xs`` below ``y`` plus half the share equal to it (``xs`` not empty)."""
    x = np.asarray(xs, dtype=float)
    if x.size == 0:
        raise ValueError("a percentile needs at least one value")
    below = int(np.count_nonzero(x < y - tol))
    equal = int(np.count_nonzero(np.abs(x - y) <= tol))
    return (below + 0.5 * equal) / x.size


def quantiles(xs: Sequence[float], probs: Sequence[float] = QUANTILES) -> dict[str, float]:
    """``{"q05": ..., ...}``: sample quantiles (linear interpolation, numpy's default)."""
    x = np.asarray(xs, dtype=float)
    values = np.quantile(x, list(probs))
    return {quantile_key(p): float(v) for p, v in zip(probs, values, strict=True)}


def category_mid_rank(shares: Mapping[str, float], observed: str) -> float:
    """The observed category's mid-rank with categories ordered rarest first (ties half)."""
    p = shares.get(observed, 0.0)
    below = sum(s for s in shares.values() if s < p - 1e-12)
    tied = sum(s for s in shares.values() if abs(s - p) <= 1e-12)
    return below + 0.5 * tied


def brier(matched: int, n: int) -> float:
    """Brier score of the event "matches" with forecast ``matched / n``; it happened."""
    return (1.0 - matched / n) ** 2


def log_score(matched: int, n: int) -> float:
    """``-ln p`` of the event that happened, ``p = (matched + 1/2) / (n + 1)``."""
    return -math.log((matched + 0.5) / (n + 1.0))
