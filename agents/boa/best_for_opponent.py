"""Bidding: among the bundles good enough for us, the one best for the other side.

Source: the BOA bidding strategies that use an opponent model (Baarslag et al., 2014,
"Decoupling negotiating agents to explore the space of negotiation strategies"; the
"best bid for the opponent among those above our target" rule of many ANAC agents,
e.g. HardHeaded and the Nice Tit-for-Tat agent of Baarslag, Hindriks & Jonker 2013).

Rule: the candidates are the outcomes whose own utility is ``>= threshold`` and at
most ``max(threshold + window, u_low)``, with ``u_low`` the lowest own utility at or
above the threshold (Genius's BOA "BestBid" opponent-model strategy: bids in
``[target, target + 0.01]``, the range widened until it holds a bid); the bid is the
candidate the opponent model rates highest. ``window = 1`` makes every outcome at or
above the threshold a candidate; a narrow window keeps the bids on the concession
curve, so a wrong or changing estimate cannot send them far up and down it. With
``keep_concessions`` (the default) the candidates are first narrowed to those that
take back no concession of the previous bid (``agents.boa.monotone``), if any do.
Among equal estimates the one with the higher own utility, then the lower index (the
view's ranking order). With nothing learned (every estimate equal) that is the best
outcome for us. None if no outcome reaches the threshold.

Without the window and the concession filter the candidate set only grows while the
threshold falls, so the true best candidate for the opponent never gets worse for
it; what can make successive bids worse for the opponent is a wrong or changing
estimate (which the concession filter guards against) or a rising threshold (e.g.
after an outside offer raised the reservation value).
"""

from __future__ import annotations

from typing import ClassVar

import attrs
import numpy as np

from agents.boa.monotone import keeping_concessions
from agents.boa.opponent_model import OpponentEstimate
from agents.strategies._params import check_flag, check_real
from agents.strategies.base import UTILITY_EPS, NegotiationView


def _window(value: object) -> float:
    return check_real(value, "window", low=0.0, high=1.0)


def _keep_concessions(value: object) -> bool:
    return check_flag(value, "keep_concessions")


@attrs.frozen(kw_only=True)
class BestForOpponent:
    """Choose the candidate in the window at or above the threshold that the model
    rates highest (keeping earlier concessions if ``keep_concessions``)."""

    name: ClassVar[str] = "best-for-opponent"

    window: float = attrs.field(default=1.0, converter=_window)
    keep_concessions: bool = attrs.field(default=True, converter=_keep_concessions)

    def choose(
        self, view: NegotiationView, threshold: float, estimate: OpponentEstimate
    ) -> int | None:
        k = view.count_at_least(threshold)
        if k == 0:
            return None
        candidates = view.ranking[:k]  # own utility descending, then index ascending
        if self.keep_concessions:
            kept = keeping_concessions(view, candidates, estimate, threshold)
            if kept.shape[0]:
                candidates = kept
        if self.window < 1.0:
            own = view.utilities[candidates]
            top = max(threshold + self.window, float(own[-1]))
            candidates = candidates[own <= top + UTILITY_EPS]
        if candidates.shape[0] == 1:
            return int(candidates[0])
        scores = estimate.utilities_of(candidates)
        return int(candidates[int(np.argmax(scores))])  # argmax: the first of equals
