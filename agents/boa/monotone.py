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

from agents.boa.opponent_model import OpponentEstimate, issue_columns
from agents.strategies.base import NegotiationView


def keeping_concessions(
    view: NegotiationView, candidates: np.ndarray, estimate: OpponentEstimate
) -> np.ndarray:
    """The ``candidates`` (outcome indices) that keep the concessions of this party's
    last bid; all of them if it has made none; possibly empty."""
    if not view.own_offers:
        return candidates
    previous = view.own_offers[-1]
    kept = candidates
    for issue, column in enumerate(issue_columns(view)):
        values = estimate.value_utilities(issue)
        position = column[previous]
        allowed = values > values[position]  # the values that give the opponent more
        allowed[position] = True  # and the one it already has
        if allowed.all():
            continue
        # Narrow as we go: each later issue looks only at the bundles still kept
        # (the same bundles, in the same order, as one mask over all of them).
        kept = kept[allowed[column[kept]]]
        if not kept.size:
            break
    return kept
