"""Keep concessions: a new bid may not take back, on any issue, what an earlier bid
gave the opponent.

Source: the monotonic concession protocol (Rosenschein & Zlotkin, *Rules of
Encounter*, MIT Press 1994; Endriss, "Monotonic concession protocols for multilateral
negotiation", AAMAS 2006), where a party may not make the other side worse off than
its previous proposal did. We apply it issue by issue, with the opponent's value
preferences as the opponent model estimates them (``estimate.value_utilities``):

a candidate keeps the concessions of our previous bid ``p`` iff on every issue it
either has the same value as ``p`` or a value the model rates *strictly* higher for
the opponent. Values the model cannot tell apart (e.g. two values the opponent never
offered) are not exchanged for one another, so a wrong guess between them cannot
make the bid worse for the opponent. For a linear additive opponent whose value
order the model has right, every kept bid is at least as good for it as ``p``,
whatever its issue weights.

The previous bid itself always qualifies, so while the target does not rise the
filter never empties the set; if it does (the reservation value rose above the old
bid), the caller falls back on the unfiltered candidates.
"""

from __future__ import annotations

import numpy as np

from agents.boa.opponent_model import OpponentEstimate, TableFacts, issue_table, table_facts
from agents.strategies.base import NegotiationView

# With at most this many bundles allowed, the filter lists them outright (see
# ``keeping_concessions``); a bid keeps most issues, so usually a handful are.
_FEW = 64


def keeping_concessions(
    view: NegotiationView,
    candidates: np.ndarray,
    estimate: OpponentEstimate,
    threshold: float | None = None,
) -> np.ndarray:
    """The ``candidates`` (outcome indices) that keep the concessions of this party's
    last bid, in their order; all of them if it has made none; possibly empty.

    ``threshold`` is the caller's word that ``candidates`` are exactly the bundles
    whose own utility is at least ``threshold``, in ranking order
    (``view.ranking[:view.count_at_least(threshold)]``, what bidding passes). Then,
    when the bundles allowed issue by issue are few, it lists those (each is a
    candidate iff its own utility reaches the threshold, ranked by own utility
    descending, then index) instead of reading each of thousands of candidates. The
    result is the same either way.
    """
    if not view.own_offers:
        return candidates
    table = issue_table(view)
    facts = table_facts(table)
    allowed = _allowed(table, view.own_offers[-1], estimate)
    if allowed is None:
        return candidates
    if threshold is not None and facts.product:
        listed = _listed(view, facts, allowed, threshold)
        if listed is not None:
            return np.array(listed, dtype=candidates.dtype)
    # Narrow as we go: each later issue looks only at the bundles still kept (the
    # same bundles, in the same order, as one mask over all of them).
    kept = candidates
    for issue, column in enumerate(facts.columns):
        if len(allowed[issue]) == facts.sizes[issue]:
            continue
        mask = np.zeros(facts.sizes[issue], dtype=bool)
        mask[allowed[issue]] = True
        kept = kept[mask[column[kept]]]
        if not kept.size:
            break
    return kept


def _allowed(
    table: np.ndarray, previous: int, estimate: OpponentEstimate
) -> list[list[int]] | None:
    """Per issue, the value positions a kept bundle may have: those the model rates
    strictly higher for the opponent than ``previous`` has, and the one it has. None
    when every issue allows every value. (An issue has a handful of values: Python
    floats compare them more cheaply than NumPy would, with the same comparisons.)"""
    allowed: list[list[int]] = []
    narrowed = False
    for issue, position in enumerate(table[previous].tolist()):
        values = estimate.value_utility_list(issue)
        given = values[position]
        keep = [j for j, value in enumerate(values) if value > given or j == position]
        narrowed = narrowed or len(keep) < len(values)
        allowed.append(keep)
    return allowed if narrowed else None


def _listed(
    view: NegotiationView, facts: TableFacts, allowed: list[list[int]], threshold: float
) -> list[int] | None:
    """The allowed bundles at or above ``threshold`` in ranking order, if at most
    ``_FEW`` are allowed (None otherwise: reading the candidates is then cheaper)."""
    outcomes = [0]
    for positions, stride in zip(allowed, facts.strides, strict=True):
        if len(outcomes) * len(positions) > _FEW:
            return None
        outcomes = [outcome + position * stride for outcome in outcomes for position in positions]
    own = view.utility_list
    found = [outcome for outcome in outcomes if own[outcome] >= threshold]
    if len(found) > 1:
        found.sort(key=lambda outcome: (-own[outcome], outcome))  # the ranking's order
    return found
