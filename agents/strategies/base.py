"""The strategy protocol: what a strategy sees (``NegotiationView``) and answers.

Contract between the engine and a strategy (a strategy may rely on it):

- The engine owns one ``NegotiationView`` per party and negotiation, builds it with
  ``NegotiationView.create`` and updates it in place; strategies only read it, except
  ``opponent_model``, a learning strategy's own state for this negotiation.
- ``utilities``, ``ranking`` and ``sorted_utilities`` change only through
  ``revalue`` (a party whose valuation depends on the world, ``agents.valuation``),
  between turns; ``reservation`` may change during a run (an outside offer, the
  party's alternatives).
- ``propose(view)`` is called with ``own_offers`` holding this party's earlier offers
  (not the one being made); the engine appends the returned index afterwards.
- ``respond(view, offer)`` is called after the engine appended ``offer`` to
  ``opponent_offers``: ``offer == view.opponent_offers[-1]``.
- Outcomes are integer indices into the negotiation's ``OutcomeSpace``.

Comparisons of utilities use ``UTILITY_EPS`` of slack so that float rounding (e.g.
0.1 + 0.2 vs 0.3) never flips a decision.
"""

from __future__ import annotations

import enum
import threading
from bisect import bisect_left, bisect_right
from collections import OrderedDict
from typing import ClassVar, Protocol

import numpy as np

UTILITY_EPS = 1e-9


class _Ranked:
    """What a view derives from ``(utilities, ranking)``: sorted arrays, and the same
    values as Python lists. A strategy reads a few of them per offer, and a list index or
    a ``bisect`` costs a tenth of a NumPy scalar call; converting 4,000 outcomes to lists
    costs more than a whole run's offers, so it happens once per pair of arrays."""

    __slots__ = (
        "arrays",
        "ascending",
        "ascending_list",
        "ranking_list",
        "sorted_list",
        "sorted_utilities",
        "utility_list",
    )

    def __init__(self, utilities: np.ndarray, ranking: np.ndarray) -> None:
        self.arrays = (utilities, ranking)  # held, so their ids stay theirs while cached
        sorted_utilities = np.ascontiguousarray(utilities[ranking])
        sorted_utilities.flags.writeable = False
        ascending = np.ascontiguousarray(sorted_utilities[::-1])
        ascending.flags.writeable = False
        self.sorted_utilities = sorted_utilities
        self.ascending = ascending
        self.utility_list: list[float] = utilities.tolist()
        self.sorted_list: list[float] = sorted_utilities.tolist()
        self.ascending_list: list[float] = ascending.tolist()
        self.ranking_list: list[int] = ranking.tolist()


_RANKED_CACHE_SIZE = 64
_ranked_cache: OrderedDict[tuple[int, int], _Ranked] = OrderedDict()
_ranked_lock = threading.Lock()


def _ranked(utilities: np.ndarray, ranking: np.ndarray) -> _Ranked:
    """Derived values for read-only arrays, shared by every view built from them (the
    engine builds two views a run from the same cached arrays). Writable arrays could
    change under a cache, so they get their own."""
    if utilities.flags.writeable or ranking.flags.writeable:
        return _Ranked(utilities, ranking)
    key = (id(utilities), id(ranking))
    with _ranked_lock:  # threads of one Dask worker may build views at once
        found = _ranked_cache.get(key)
        if found is not None:
            _ranked_cache.move_to_end(key)
            return found
        made = _ranked_cache[key] = _Ranked(utilities, ranking)
        if len(_ranked_cache) > _RANKED_CACHE_SIZE:
            _ranked_cache.popitem(last=False)
        return made


def _issue_values(values: np.ndarray | None, n: int) -> np.ndarray | None:
    if values is None:
        return None
    table = np.array(values, dtype=np.intp)
    if table.ndim != 2 or table.shape[0] != n or table.shape[1] == 0 or (table < 0).any():
        raise ValueError(
            f"issue_values must be an ({n}, n_issues) array of value positions >= 0, "
            f"got shape {table.shape}"
        )
    table.flags.writeable = False
    return table


class Response(enum.StrEnum):
    ACCEPT = "accept"
    REJECT = "reject"
    WALK_AWAY = "walk_away"


class NegotiationView:
    """What one party knows about a running bilateral negotiation.

    - ``relative_time``: in [0, 1], NegMAS semantics (see
      ``agents.strategies.time_based.relative_time`` for step-limited negotiations).
    - ``step``: 0-based step number.
    - ``utilities``: read-only float64 array, own undiscounted utility of every outcome.
    - ``ranking``: read-only outcome indices by own utility, descending; ties by index
      ascending.
    - ``sorted_utilities``: read-only ``utilities[ranking]`` (descending).
    - ``utility_list``, ``best_utility``, ``worst_utility``: the same values as a Python
      list and floats, for the per-offer reads of a strategy (much cheaper than NumPy
      scalars; equal values, so decisions do not change).
    - ``reservation``: own reservation value (may rise during a run).
    - ``discount`` / ``opponent_discount``: per-step discount factors (1.0 if unknown).
    - ``own_offers`` / ``opponent_offers``: outcome indices offered, oldest first.
    - ``rng``: the party's ``numpy.random.Generator`` (the only randomness allowed).
    - ``is_first_mover``: whether this party made the opening offer.
    - ``issue_values``: read-only ``(n_outcomes, n_issues)`` int array, the position of
      each outcome's value on each issue (``OutcomeSpace.value_indices``); None when
      the issues are unknown (a strategy then treats each outcome as one value of one
      issue).
    - ``opponent_model``: the one thing a strategy may write: its own learned state
      about the opponent for this negotiation (``agents.boa``), None until it first
      looks; derived only from ``opponent_offers``.
    """

    __slots__ = (
        "_ascending",
        "_ascending_list",
        "_ranking_list",
        "_sorted_list",
        "best_utility",
        "discount",
        "is_first_mover",
        "issue_values",
        "opponent_discount",
        "opponent_model",
        "opponent_offers",
        "own_offers",
        "ranking",
        "relative_time",
        "reservation",
        "rng",
        "sorted_utilities",
        "step",
        "utilities",
        "utility_list",
        "valuation_epoch",
        "worst_utility",
    )

    relative_time: float
    step: int
    utilities: np.ndarray
    ranking: np.ndarray
    sorted_utilities: np.ndarray
    reservation: float
    discount: float
    opponent_discount: float
    own_offers: list[int]
    opponent_offers: list[int]
    rng: np.random.Generator
    is_first_mover: bool
    issue_values: np.ndarray | None
    opponent_model: object | None
    _ascending: np.ndarray
    utility_list: list[float]
    best_utility: float
    worst_utility: float
    valuation_epoch: int

    def __init__(
        self,
        *,
        utilities: np.ndarray,
        ranking: np.ndarray,
        reservation: float,
        rng: np.random.Generator,
        discount: float = 1.0,
        opponent_discount: float = 1.0,
        relative_time: float = 0.0,
        step: int = 0,
        own_offers: list[int] | None = None,
        opponent_offers: list[int] | None = None,
        is_first_mover: bool = True,
        issue_values: np.ndarray | None = None,
    ) -> None:
        self._set_utilities(utilities, ranking)
        self.valuation_epoch = 0
        self.reservation = float(reservation)
        self.rng = rng
        self.discount = float(discount)
        self.opponent_discount = float(opponent_discount)
        self.relative_time = float(relative_time)
        self.step = int(step)
        self.own_offers = [] if own_offers is None else own_offers
        self.opponent_offers = [] if opponent_offers is None else opponent_offers
        self.is_first_mover = bool(is_first_mover)
        self.issue_values = issue_values
        self.opponent_model = None

    def _set_utilities(self, utilities: np.ndarray, ranking: np.ndarray) -> None:
        self.utilities = utilities
        self.ranking = ranking
        ranked = _ranked(utilities, ranking)
        self.sorted_utilities = ranked.sorted_utilities
        self._ascending = ranked.ascending
        self.utility_list = ranked.utility_list
        self._sorted_list = ranked.sorted_list
        self._ascending_list = ranked.ascending_list
        self._ranking_list = ranked.ranking_list
        self.best_utility = ranked.sorted_list[0]
        self.worst_utility = ranked.sorted_list[-1]

    def revalue(self, utilities: np.ndarray, ranking: np.ndarray) -> None:
        """The party's valuation changed with the world (a date, the AGI milestone):
        swap in its new own utilities (read-only, same outcomes) and their ranking.

        Offers made so far and the opponent model stay: they are about the
        opponent, not about this party's values. ``valuation_epoch`` counts the
        swaps, so a strategy that memoises a decision within a turn can tell.
        """
        if utilities.shape != self.utilities.shape:
            raise ValueError(
                f"revalue: {utilities.shape[0]} utilities for {self.utilities.shape[0]} outcomes"
            )
        self._set_utilities(utilities, ranking)
        self.valuation_epoch += 1

    @classmethod
    def create(
        cls,
        utilities: np.ndarray,
        reservation: float,
        rng: np.random.Generator,
        discount: float = 1.0,
        opponent_discount: float = 1.0,
        *,
        is_first_mover: bool = True,
        issue_values: np.ndarray | None = None,
    ) -> NegotiationView:
        """A fresh view (time 0, step 0, no offers), ranking precomputed once.

        ``utilities`` is copied into a read-only float64 array; ``issue_values`` (if
        given) must have one row per outcome.
        """
        u = np.array(utilities, dtype=np.float64)
        if u.ndim != 1 or u.size == 0:
            raise ValueError(f"utilities must be a non-empty 1-d array, got shape {u.shape}")
        if not np.all(np.isfinite(u)):
            raise ValueError("utilities must be finite")
        u.flags.writeable = False
        # lexsort sorts by the last key first: utility descending, then index ascending.
        ranking = np.lexsort((np.arange(u.size), -u)).astype(np.intp)
        ranking.flags.writeable = False
        return cls(
            utilities=u,
            ranking=ranking,
            reservation=reservation,
            rng=rng,
            discount=discount,
            opponent_discount=opponent_discount,
            is_first_mover=is_first_mover,
            issue_values=_issue_values(issue_values, u.size),
        )

    def count_at_least(self, threshold: float) -> int:
        """How many outcomes have own utility >= ``threshold`` (O(log n))."""
        ascending = self._ascending_list
        return len(ascending) - bisect_left(ascending, threshold)

    def count_above(self, threshold: float) -> int:
        """How many outcomes have own utility > ``threshold`` (O(log n))."""
        ascending = self._ascending_list
        return len(ascending) - bisect_right(ascending, threshold)

    def lowest_at_least(self, threshold: float) -> int | None:
        """The outcome with the smallest own utility that is >= ``threshold``; among
        equal utilities the lowest index. None if no outcome reaches ``threshold``."""
        k = self.count_at_least(threshold)
        if k == 0:
            return None
        # First ranking position holding that utility = number of strictly better ones.
        j = self.count_above(self._sorted_list[k - 1])
        return self._ranking_list[j]

    def closest_level(self, target: float, *, prefer_higher: bool = True) -> float:
        """The own utility level (of some outcome) closest to ``target``; a tie between
        a higher and a lower level goes to the higher one unless ``prefer_higher`` is
        False."""
        sorted_u = self._sorted_list
        k = self.count_at_least(target)
        if k == 0:
            return sorted_u[0]
        if k == len(sorted_u):
            return sorted_u[-1]
        above = sorted_u[k - 1]
        below = sorted_u[k]
        gap_above, gap_below = above - target, target - below
        if gap_above < gap_below or (gap_above == gap_below and prefer_higher):
            return above
        return below

    def closest_to(self, target: float) -> int:
        """The outcome whose own utility is closest to ``target``; ties between a
        higher and a lower utility go to the higher; among equal utilities the lowest
        index."""
        return self._ranking_list[self.count_above(self.closest_level(target))]

    def __repr__(self) -> str:
        return (
            f"NegotiationView(step={self.step}, relative_time={self.relative_time}, "
            f"n_outcomes={self.utilities.shape[0]}, reservation={self.reservation}, "
            f"own_offers={len(self.own_offers)}, opponent_offers={len(self.opponent_offers)})"
        )


class Strategy(Protocol):
    """A negotiation strategy: small, parametrised, picklable, deterministic given
    ``view.rng``. Equality is by name and parameters."""

    name: ClassVar[str]

    def propose(self, view: NegotiationView) -> int | None:
        """An outcome index to offer; None to walk away."""
        ...

    def respond(self, view: NegotiationView, offer: int) -> Response:
        """The answer to the opponent's ``offer`` (already in ``view.opponent_offers``)."""
        ...

    def params(self) -> dict[str, float | int | str | bool]:
        """The keyword arguments that recreate this strategy."""
        ...
