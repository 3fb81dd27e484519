"""Valuations that depend on the world: what a bundle is worth to a party *now*.

A static linear utility scores a licence that lapses at AGI the same in 2025 and the
day after AGI was declared. A party that reads the world cannot: a right is worth
what it yields while it is active. ``WorldValuation`` rescores the issues of every
clause with an expiry (a licence to ``"2032|agi_verified"``, a revenue share that
ends at the declaration) by the clause's expected *active share*: the share of the
contract's remaining term, from now to its end, during which the clause still holds,
averaged over the party's belief about when AGI comes (and whether it is verified).

For a clause with expiry ``e`` in a contract ending at ``E``, seen at time ``t``:

    s(e, E, t) = E_belief[ (min(lapse(e), E) - t)^+ ] / (E - t)     (0 once E <= t)

and a party's contribution from an issue bound into that clause is

- the issue that *sets* the expiry: ``w * s`` for the clause's beneficiary (the
  licensee, the payee...), ``w * (1 - s)`` for the other side;
- any other issue bound into the clause (the licence's scope, the revenue share's
  rate), with its value-table score ``v``: ``w * s * v`` for the beneficiary,
  ``w * (1 - s * (1 - v))`` for the other side (what it gives up counts only while
  the clause holds).

Issues outside expiring clauses keep their static score ``w * v``. Every utility
stays in [0, 1]. Once AGI was declared (or verified), ``lapse`` of every trigger on
it is in the past, so such a clause is worth nothing to its beneficiary: no party
prices a right that has already lapsed. The belief is a quantile grid of the
scenario's AGI-date distribution, conditioned on "not yet declared" at ``t``.

Pure and deterministic: the utilities at ``t`` depend only on ``t`` and on the AGI
times known at ``t``; they are memoised per (half-year, declared, verified).
"""

from __future__ import annotations

import math
from collections import OrderedDict
from collections.abc import Callable, Sequence

import attrs
import numpy as np

from events.clauses import AGI_DECLARED, AGI_VERIFIED, Expiry

NEVER = math.inf
# The valuation is refreshed at most once per this many time units (months) of a
# running talk, besides every AGI event: half a year moves the active shares by a few
# hundredths, and each refresh re-ranks thousands of bundles.
REFRESH_EVERY = 6.0
_CACHE_SIZE = 96


@attrs.frozen(slots=True)
class AgiBelief:
    """What parties expect of the AGI milestone: ``declared`` is a sorted quantile
    grid of the declaration time (time units since the start); a declaration is
    verified ``verification_delay`` later with ``verification_probability`` (0: no
    verification step)."""

    declared: tuple[float, ...]
    verification_delay: float = 0.0
    verification_probability: float = 0.0


@attrs.frozen(slots=True)
class ExpiringClause:
    """A clause of the deal with an expiry, as a valuation needs it.

    ``expiry_column`` is the issue column bound to its expiry (None: ``expiry`` is
    fixed); ``expiries`` the expiry of each of that issue's values (or the one fixed
    expiry); ``columns`` the other issue columns bound into the clause;
    ``beneficiary`` the party that holds what it grants.
    """

    beneficiary: str
    expiry_column: int | None
    expiries: tuple[Expiry, ...]
    columns: tuple[int, ...]


class WorldValuation:
    """One party's utility of every bundle as a function of the date and the AGI
    milestone (see the module docs).

    ``tables[k]`` holds the static score of each value of issue column ``k``;
    ``value_indices`` is the ``(n_outcomes, n_issues)`` value-position table;
    ``term_months`` the contract end of each value of ``term_column`` (or, with no
    term issue, ``fixed_term``; ``NEVER`` when nothing ends the contract);
    ``date_months`` turns an expiry's dated trigger into a time.
    """

    def __init__(
        self,
        *,
        party: str,
        weights: Sequence[float],
        tables: Sequence[Sequence[float]],
        value_indices: np.ndarray,
        clauses: Sequence[ExpiringClause],
        term_column: int | None,
        term_months: Sequence[float],
        fixed_term: float,
        trigger_months: dict[str, float],
        belief: AgiBelief,
    ) -> None:
        self.party = party
        self._weights = np.asarray(weights, dtype=np.float64)
        self._tables = [np.asarray(t, dtype=np.float64) for t in tables]
        self._columns = value_indices
        self._clauses = tuple(clauses)
        self._term_column = term_column
        self._term_months = np.asarray(term_months, dtype=np.float64)
        self._fixed_term = fixed_term
        self._trigger_months = dict(trigger_months)
        self._belief = belief
        self._grid = np.asarray(belief.declared, dtype=np.float64)
        self._cache: OrderedDict[tuple[float, float, float], tuple[np.ndarray, np.ndarray]] = (
            OrderedDict()
        )
        covered = {c.expiry_column for c in self._clauses if c.expiry_column is not None}
        for clause in self._clauses:
            covered.update(clause.columns)
        self._static_columns = tuple(
            k for k in range(len(self._tables)) if k not in covered and self._weights[k] != 0.0
        )
        static = np.zeros(value_indices.shape[0], dtype=np.float64)
        for k in self._static_columns:
            static += self._weights[k] * self._tables[k][value_indices[:, k]]
        self._static = static

    def epoch(
        self, t: float, declared_at: float | None, verified_at: float | None
    ) -> tuple[float, float, float]:
        """The memo key of the utilities at ``t``: the quarter and the AGI times known."""
        quarter = math.floor(t / REFRESH_EVERY) * REFRESH_EVERY
        return (
            quarter,
            NEVER if declared_at is None else declared_at,
            NEVER if verified_at is None else verified_at,
        )

    def ranked(
        self, t: float, declared_at: float | None = None, verified_at: float | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """Read-only utilities at ``t`` (refreshed per quarter) and their ranking
        (descending, ties by index), as ``NegotiationView.revalue`` takes them."""
        key = self.epoch(t, declared_at, verified_at)
        found = self._cache.get(key)
        if found is not None:
            self._cache.move_to_end(key)
            return found
        # Valued at the start of the half-year, or at the latest AGI news if later
        # (a right that lapsed at a declaration is worth nothing from that moment on).
        seen = max([key[0], *(x for x in (declared_at, verified_at) if x is not None)])
        values = self.utilities(seen, declared_at, verified_at)
        values.flags.writeable = False
        ranking = np.lexsort((np.arange(values.size), -values)).astype(np.intp)
        ranking.flags.writeable = False
        self._cache[key] = (values, ranking)
        if len(self._cache) > _CACHE_SIZE:
            self._cache.popitem(last=False)
        return values, ranking

    def utilities(
        self, t: float, declared_at: float | None = None, verified_at: float | None = None
    ) -> np.ndarray:
        """Every bundle's utility at ``t`` given the AGI times known then."""
        total = self._static.copy()
        columns = self._columns
        n_terms = len(self._term_months) if self._term_column is not None else 1
        ends = self._term_months if self._term_column is not None else np.array([self._fixed_term])
        term_index = (
            columns[:, self._term_column]
            if self._term_column is not None
            else np.zeros(columns.shape[0], dtype=np.intp)
        )
        for clause in self._clauses:
            shares = np.array(
                [
                    [self.active_share(expiry, end, t, declared_at, verified_at) for end in ends]
                    for expiry in clause.expiries
                ]
            )  # (n_expiries, n_terms)
            expiry_index = (
                columns[:, clause.expiry_column]
                if clause.expiry_column is not None
                else np.zeros(columns.shape[0], dtype=np.intp)
            )
            s = shares.reshape(-1)[expiry_index * n_terms + term_index]
            gains = clause.beneficiary == self.party
            if clause.expiry_column is not None:
                w = self._weights[clause.expiry_column]
                total += w * (s if gains else 1.0 - s)
            for k in clause.columns:
                w = self._weights[k]
                if w == 0.0:
                    continue
                v = self._tables[k][columns[:, k]]
                total += w * (s * v if gains else 1.0 - s * (1.0 - v))
        return np.clip(total, 0.0, 1.0)

    def active_share(
        self,
        expiry: Expiry,
        end: float,
        t: float,
        declared_at: float | None = None,
        verified_at: float | None = None,
    ) -> float:
        """The expected share of ``[t, end)`` during which a clause with ``expiry``
        still holds (see the module docs)."""
        if not end > t:
            return 0.0
        dated = min(
            (self._trigger_months[trigger] for trigger in expiry.triggers
             if trigger not in (AGI_DECLARED, AGI_VERIFIED)),
            default=NEVER,
        )
        horizon = min(dated, end)
        span = end - t if math.isfinite(end) else max(horizon - t, 1.0)
        if not (expiry.on_declared or expiry.on_verified):
            return _clip((horizon - t) / span)
        declared = self._declaration_times(t, declared_at)
        belief = self._belief
        lapse_declared = declared if expiry.on_declared else np.full_like(declared, NEVER)
        if not expiry.on_verified:
            lapse = np.minimum(lapse_declared, horizon)
            return _clip(float(np.mean(np.maximum(lapse - t, 0.0))) / span)
        if verified_at is not None:
            lapse = np.minimum(np.minimum(lapse_declared, verified_at), horizon)
            return _clip(float(np.mean(np.maximum(lapse - t, 0.0))) / span)
        p = belief.verification_probability
        if declared_at is not None and declared_at + belief.verification_delay <= t:
            p = 0.0  # the panel's time has passed without a verification: it will not come
        unverified = np.minimum(lapse_declared, horizon)
        value = (1.0 - p) * float(np.mean(np.maximum(unverified - t, 0.0)))
        if p > 0.0:
            verified = np.minimum(
                np.minimum(lapse_declared, declared + belief.verification_delay), horizon
            )
            verified = np.maximum(verified, t)  # a verification due in the past is pending
            value += p * float(np.mean(np.maximum(verified - t, 0.0)))
        return _clip(value / span)

    def _declaration_times(self, t: float, declared_at: float | None) -> np.ndarray:
        if declared_at is not None:
            return np.array([declared_at])
        grid = self._grid
        later = grid[grid > t]
        if later.size == 0:
            # Past every date the belief allows and still nothing: expect it no sooner
            # than now (the belief's tail collapses onto the present).
            return np.array([NEVER]) if grid.size == 0 else np.array([t])
        return later


def _clip(x: float) -> float:
    return 0.0 if x < 0.0 else 1.0 if x > 1.0 else x


def quantile_grid(draw_quantile: Callable[[float], float], n: int = 64) -> tuple[float, ...]:
    """``n`` mid-quantiles ``F^-1((i + 0.5) / n)`` of a distribution, sorted."""
    return tuple(sorted(float(draw_quantile((i + 0.5) / n)) for i in range(n)))


__all__ = ["REFRESH_EVERY", "AgiBelief", "ExpiringClause", "WorldValuation", "quantile_grid"]
