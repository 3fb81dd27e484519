"""What an opponent model is to a BOA strategy, and the issue structure it reads.

In the BOA architecture (Baarslag, Hindriks, Hendrikx, Dirkzwager & Jonker,
"Decoupling negotiating agents to explore the space of negotiation strategies", in
*Novel Insights in Agent-based Complex Automated Negotiation*, Springer 2014) the
opponent model is the component that turns the opponent's offers into an estimate of
its preferences, which the bidding strategy then uses to pick among the bundles that
are good enough for the agent itself.

A model here has two halves:

- the model proper (``FrequencyModel``, ...): a frozen, picklable value holding the
  learning parameters, equal by parameters;
- its estimate for one negotiation (``model.start(view)``): mutable learned state,
  kept in ``view.opponent_model`` (the one slot of the view a strategy writes) and
  brought up to date from ``view.opponent_offers`` by ``estimate_for``. The view's
  offers are the only input, so the estimate is a pure function of them: replaying
  the same offers gives the same estimate whether it was fed offer by offer or all
  at once.
"""

from __future__ import annotations

import math
from typing import Protocol

import attrs
import numpy as np

from agents.strategies.base import NegotiationView


class OpponentEstimate(Protocol):
    """One negotiation's learned state."""

    memo: object  # the owning strategy's scratch (its last bid and what it depended on)

    @property
    def model(self) -> object:
        """The model whose estimate this is."""
        ...

    @property
    def seen(self) -> int:
        """How many of the opponent's offers it has learned from."""
        ...

    def update(self, offers: list[int]) -> None:
        """Learn from ``offers[self.seen:]`` (the opponent's offers, oldest first)."""
        ...

    def utilities(self) -> np.ndarray:
        """Estimated opponent utility of every outcome, in [0, 1], by index."""
        ...

    def utilities_of(self, outcomes: np.ndarray) -> np.ndarray:
        """``utilities()[outcomes]``, equal bit for bit (it may compute only those)."""
        ...

    def issue_weights(self) -> np.ndarray:
        """Estimated importance of each issue to the opponent (sums to 1)."""
        ...

    def value_utilities(self, issue: int) -> np.ndarray:
        """Estimated utility to the opponent of each value (by position) of ``issue``."""
        ...

    def value_utility_list(self, issue: int) -> list[float]:
        """``value_utilities(issue)`` as Python floats (equal values)."""
        ...


class OpponentModel(Protocol):
    def start(self, view: NegotiationView) -> OpponentEstimate:
        """A fresh estimate (nothing learned) for ``view``'s outcome space."""
        ...


def issue_table(view: NegotiationView) -> np.ndarray:
    """``(n_outcomes, n_issues)`` value positions of every outcome.

    Without issue structure in the view (a bare utility vector, as in unit tests), each
    outcome is its own value of a single issue.
    """
    table = view.issue_values
    if table is not None:
        return table
    n = view.utilities.shape[0]
    return np.arange(n, dtype=np.intp).reshape(n, 1)


@attrs.frozen(eq=False)
class TableFacts:
    """What bidding reads of an issue table on every turn, derived once per table."""

    columns: tuple[np.ndarray, ...]  # contiguous copies of the columns: faster gathers
    sizes: tuple[int, ...]  # values per issue (the largest position + 1)
    # Whether row ``i`` is the ``i``-th tuple of ``itertools.product`` over the issues'
    # positions (``OutcomeSpace.value_indices``): then a set of bundles allowed issue by
    # issue is one boolean array of shape ``sizes``, flattened.
    product: bool
    strides: tuple[int, ...]  # with ``product``: row ``i``'s index is sum(position * stride)


_TABLE_CACHE_SIZE = 64
_tables: dict[int, tuple[np.ndarray, TableFacts]] = {}


def issue_columns(view: NegotiationView) -> tuple[np.ndarray, ...]:
    """``issue_table(view)``'s columns as contiguous arrays (one per issue): a column
    gather is what bidding does on every turn. Made once per read-only table."""
    return table_facts(issue_table(view)).columns


def table_columns(table: np.ndarray) -> tuple[np.ndarray, ...]:
    """``table``'s columns as contiguous arrays, made once per read-only table."""
    return table_facts(table).columns


def table_facts(table: np.ndarray) -> TableFacts:
    """``table``'s columns, sizes and structure, made once per read-only table."""
    found = _tables.get(id(table))
    if found is not None and found[0] is table:
        return found[1]
    columns = tuple(np.ascontiguousarray(table[:, k]) for k in range(table.shape[1]))
    top = table.max(axis=0).tolist() if table.shape[0] else [-1] * table.shape[1]
    sizes = tuple(int(size) + 1 for size in top)
    product = table.shape[0] == math.prod(sizes) and bool(
        np.array_equal(table, np.indices(sizes, dtype=table.dtype).reshape(len(sizes), -1).T)
    )
    strides = tuple(math.prod(sizes[k + 1 :]) for k in range(len(sizes)))
    facts = TableFacts(columns, sizes, product, strides)
    if not table.flags.writeable:  # a writable table could change under a cache
        if len(_tables) >= _TABLE_CACHE_SIZE:
            _tables.clear()
        _tables[id(table)] = (table, facts)  # the table is held, so its id stays its own
    return facts


def estimate_for(model: OpponentModel, view: NegotiationView) -> OpponentEstimate:
    """The model's estimate for this negotiation, up to date with the opponent's offers.

    Made on first use and kept in ``view.opponent_model``; made afresh if the slot holds
    another model's estimate or one that has seen more offers than the view has (a
    different negotiation).
    """
    offers = view.opponent_offers
    state = view.opponent_model
    if (
        state is None or getattr(state, "model", None) != model or state.seen > len(offers)  # type: ignore[attr-defined]
    ):
        state = model.start(view)
        view.opponent_model = state
    if state.seen != len(offers):  # type: ignore[attr-defined]
        state.update(offers)  # type: ignore[attr-defined]
    return state  # type: ignore[return-value]
