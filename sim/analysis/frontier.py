"""Bargaining-theory points of a finite set of utility pairs (pure functions).

Every function takes ``points``, a float array of shape ``(n, 2)`` whose row ``i``
holds the two negotiating parties' (undiscounted) utilities of outcome ``i``, and
returns outcome indices into it.

Ties are decided by one stated tolerance, ``tol`` (default ``TOL = 1e-9``), never by
floating-point accident:

- **Dominance.** Outcome ``j`` dominates ``i`` when ``u_j >= u_i - tol`` for both
  parties and ``u_j > u_i + tol`` for at least one. Two outcomes within ``tol`` of each
  other in both utilities never dominate one another, so both are on the frontier.
- **Best values.** Where a point maximises a quantity (the Nash product, the
  Kalai-Smorodinsky ratio, welfare), every candidate within ``tol`` of the maximum
  counts as maximal, and the lowest outcome index among them is returned.
  :func:`nash_points` returns all of them: a discrete outcome space can hold several
  Nash points (a symmetric one usually does), and none of them is "the" solution.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

TOL = 1e-9


def _as_points(points: np.ndarray | Sequence[Sequence[float]]) -> np.ndarray:
    array = np.asarray(points, dtype=np.float64)
    if array.ndim != 2 or array.shape[1] != 2:
        raise ValueError(f"points must have shape (n, 2), got {array.shape}")
    if not np.isfinite(array).all():
        raise ValueError("points must be finite")
    return array


def _as_pair(value: Sequence[float] | np.ndarray, what: str) -> np.ndarray:
    pair = np.asarray(value, dtype=np.float64)
    if pair.shape != (2,) or not np.isfinite(pair).all():
        raise ValueError(f"{what} must be two finite numbers, got {value!r}")
    return pair


def pareto_frontier(points: np.ndarray | Sequence[Sequence[float]], tol: float = TOL) -> np.ndarray:
    """Indices of the non-dominated outcomes, ascending (see the module doc for ``tol``).

    Exact in O(n log n): ``i`` is dominated exactly when some ``j`` beats it by more
    than ``tol`` in the first utility while staying within ``tol`` in the second, or
    the other way round; each case is one sorted suffix maximum.
    """
    pts = _as_points(points)
    if tol < 0:
        raise ValueError(f"tol must be >= 0, got {tol!r}")
    if len(pts) == 0:
        return np.zeros(0, dtype=np.intp)
    dominated = _beaten(pts[:, 0], pts[:, 1], tol) | _beaten(pts[:, 1], pts[:, 0], tol)
    return np.flatnonzero(~dominated)


def _beaten(a: np.ndarray, b: np.ndarray, tol: float) -> np.ndarray:
    """For each i: is there a j with a_j > a_i + tol and b_j >= b_i - tol?"""
    order = np.argsort(a, kind="stable")
    a_sorted = a[order]
    # suffix_max[k] = max of b over the sorted positions k..n-1 (-inf past the end)
    suffix_max = np.append(np.maximum.accumulate(b[order][::-1])[::-1], -np.inf)
    first_greater = np.searchsorted(a_sorted, a + tol, side="right")
    return suffix_max[first_greater] >= b - tol


def _all_best(values: np.ndarray, candidates: np.ndarray, tol: float) -> np.ndarray:
    """The candidate indices whose value is within ``tol`` of the candidates' max,
    ascending (empty without candidates)."""
    if len(candidates) == 0:
        return np.zeros(0, dtype=np.intp)
    chosen = values[candidates]
    return np.sort(candidates[np.flatnonzero(chosen >= chosen.max() - tol)])


def _lowest_best(values: np.ndarray, candidates: np.ndarray, tol: float) -> int | None:
    """The lowest candidate index whose value is within ``tol`` of the candidates' max."""
    best = _all_best(values, candidates, tol)
    return int(best[0]) if len(best) else None


def individually_rational(
    points: np.ndarray | Sequence[Sequence[float]],
    disagreement: Sequence[float] | np.ndarray,
    tol: float = TOL,
) -> np.ndarray:
    """Indices of the outcomes both parties weakly prefer to disagreement
    (``u >= d - tol`` for both), ascending."""
    pts = _as_points(points)
    d = _as_pair(disagreement, "disagreement")
    return np.flatnonzero((pts >= d - tol).all(axis=1))


def _bargaining_set(pts: np.ndarray, d: np.ndarray, tol: float) -> np.ndarray:
    """Pareto-optimal and individually rational outcomes, ascending."""
    frontier = pareto_frontier(pts, tol)
    rational: np.ndarray = frontier[(pts[frontier] >= d - tol).all(axis=1)]
    return rational


def nash_points(
    points: np.ndarray | Sequence[Sequence[float]],
    disagreement: Sequence[float] | np.ndarray,
    tol: float = TOL,
) -> np.ndarray:
    """Every Nash bargaining outcome: the Pareto-optimal, individually rational
    outcomes whose ``(u1 - d1) * (u2 - d2)`` is within ``tol`` of the largest, ascending;
    empty if no outcome is individually rational (the parties have nothing to agree
    on)."""
    pts = _as_points(points)
    d = _as_pair(disagreement, "disagreement")
    candidates = _bargaining_set(pts, d, tol)
    gains = np.clip(pts - d, 0.0, None)
    return _all_best(gains[:, 0] * gains[:, 1], candidates, tol)


def nash_point(
    points: np.ndarray | Sequence[Sequence[float]],
    disagreement: Sequence[float] | np.ndarray,
    tol: float = TOL,
) -> int | None:
    """The lowest-index Nash bargaining outcome (the first of :func:`nash_points`);
    ``None`` if no outcome is individually rational. On a tie this is one of several
    equally good points: use :func:`nash_points` to report them all."""
    every = nash_points(points, disagreement, tol)
    return int(every[0]) if len(every) else None


def kalai_smorodinsky_point(
    points: np.ndarray | Sequence[Sequence[float]],
    disagreement: Sequence[float] | np.ndarray,
    tol: float = TOL,
) -> int | None:
    """The Kalai-Smorodinsky outcome: among the Pareto-optimal, individually rational
    outcomes, the one maximising ``min_k (u_k - d_k) / (ideal_k - d_k)``, where
    ``ideal_k`` is party k's best utility over the individually rational outcomes (the
    discrete version of "the frontier point on the line from d to the ideal point").

    A party whose ideal is within ``tol`` of its disagreement value cannot gain, and
    counts as fully satisfied (ratio 1). ``None`` if no outcome is individually
    rational.
    """
    pts = _as_points(points)
    d = _as_pair(disagreement, "disagreement")
    candidates = _bargaining_set(pts, d, tol)
    if len(candidates) == 0:
        return None
    rational = individually_rational(pts, d, tol)
    ideal = pts[rational].max(axis=0)
    span = ideal - d
    ratios = np.ones_like(pts)
    for k in (0, 1):
        if span[k] > tol:
            ratios[:, k] = (pts[:, k] - d[k]) / span[k]
    return _lowest_best(ratios.min(axis=1), candidates, tol)


def max_welfare_point(
    points: np.ndarray | Sequence[Sequence[float]], tol: float = TOL
) -> int | None:
    """The outcome maximising ``u1 + u2`` (utilitarian welfare); ``None`` for no points.

    Individual rationality is not required: this is the most value the outcome space
    can create, whoever gets it.
    """
    pts = _as_points(points)
    return _lowest_best(pts.sum(axis=1), pareto_frontier(pts, tol), tol)


def agreement_distances(
    point: Sequence[float] | np.ndarray,
    points: np.ndarray | Sequence[Sequence[float]],
    disagreement: Sequence[float] | np.ndarray | None = None,
    *,
    frontier: np.ndarray | None = None,
    tol: float = TOL,
) -> dict[str, float]:
    """Euclidean distances, in utility space, from an agreement ``point`` (its two
    utilities) to the Pareto frontier (the nearest frontier outcome) and to the Nash,
    Kalai-Smorodinsky and maximum-welfare outcomes, plus ``welfare_loss`` (max welfare
    minus the point's welfare).

    Keys: ``pareto``, ``nash`` (to the nearest Nash point when several tie),
    ``kalai_smorodinsky``, ``max_welfare``, ``welfare_loss``. Without a
    ``disagreement`` point (or when no outcome is individually rational) ``nash`` and
    ``kalai_smorodinsky`` are ``nan``. Pass a
    precomputed ``frontier`` (from :func:`pareto_frontier` with the same ``tol``) to
    save recomputing it.
    """
    p = _as_pair(point, "point")
    pts = _as_points(points)
    if len(pts) == 0:
        raise ValueError("points must not be empty")
    front = pareto_frontier(pts, tol) if frontier is None else np.asarray(frontier)
    nash: np.ndarray = np.zeros(0, dtype=np.intp)
    ks = None
    if disagreement is not None:
        nash = nash_points(pts, disagreement, tol)
        ks = kalai_smorodinsky_point(pts, disagreement, tol)
    welfare = max_welfare_point(pts, tol)
    return point_distances(p, pts, front, nash, ks, welfare)


def point_distances(
    p: np.ndarray,
    pts: np.ndarray,
    front: np.ndarray,
    nash: np.ndarray,
    ks: int | None,
    welfare: int | None,
) -> dict[str, float]:
    """The distances of point ``p`` to the frontier and the named solutions, given
    the domain's points already computed (``agreement_distances`` and the outcome
    table share it)."""

    def to(index: int | None) -> float:
        return float(np.hypot(*(pts[index] - p))) if index is not None else float("nan")

    def nearest(indices: np.ndarray) -> float:
        if len(indices) == 0:
            return float("nan")
        gaps = pts[indices] - p
        return float(np.sqrt((gaps * gaps).sum(axis=1).min()))

    return {
        "pareto": nearest(front),
        "nash": nearest(nash),
        "kalai_smorodinsky": to(ks),
        "max_welfare": to(welfare),
        "welfare_loss": float(pts[welfare].sum() - p.sum()) if welfare is not None else 0.0,
    }


__all__ = [
    "TOL",
    "agreement_distances",
    "individually_rational",
    "kalai_smorodinsky_point",
    "max_welfare_point",
    "nash_point",
    "nash_points",
    "pareto_frontier",
    "point_distances",
]
