"""Bidding: among the bundles good enough for us, the one most like the opponent's
last offer (a similarity trade-off).

Source: Faratin, Sierra & Jennings, "Using similarity criteria to make issue
trade-offs in automated negotiations", Artificial Intelligence 142 (2002): instead of
conceding, offer the bundle on (or above) the current aspiration level that is most
similar to the opponent's last offer, similarity being a weighted sum of per-issue
similarities ``Sim(x, y) = sum_i w_i * (1 - |h_i(x_i) - h_i(y_i)|)``.

Here ``h_i`` is a value's position on its issue scaled to [0, 1] (``j / (n_i - 1)``:
the scenario lists values in order) and the weights ``w_i`` are the opponent model's
estimate of the opponent's issue weights (Faratin et al. assume them known; an
opponent model is the BOA way to know them). So the bid minimises the weighted
distance ``sum_i w_i * |h_i(x_i) - h_i(y_i)|`` over the outcomes whose own utility is
``>= threshold``; ties go to the higher own utility, then the lower index. Before the
opponent has offered anything it falls back on the model's best candidate (with
nothing learned: the best outcome for us). With ``keep_concessions`` (the default)
the candidates are first narrowed to those that take back no concession of the
previous bid (``agents.boa.monotone``), if any do.
"""

from __future__ import annotations

from typing import ClassVar

import attrs
import numpy as np

from agents.boa.best_for_opponent import BestForOpponent
from agents.boa.monotone import keeping_concessions
from agents.boa.opponent_model import OpponentEstimate, issue_table
from agents.strategies._params import check_flag
from agents.strategies.base import NegotiationView


def scaled_positions(table: np.ndarray) -> np.ndarray:
    """Each outcome's value positions scaled to [0, 1] per issue (single-valued: 0)."""
    spans = np.maximum(table.max(axis=0), 1).astype(np.float64)
    positions: np.ndarray = table / spans
    return positions


def _keep_concessions(value: object) -> bool:
    return check_flag(value, "keep_concessions")


@attrs.frozen(kw_only=True)
class NearestToOpponent:
    """Choose the candidate at or above the threshold nearest the opponent's last offer
    (keeping earlier concessions if ``keep_concessions``)."""

    name: ClassVar[str] = "nearest"

    keep_concessions: bool = attrs.field(default=True, converter=_keep_concessions)

    def choose(
        self, view: NegotiationView, threshold: float, estimate: OpponentEstimate
    ) -> int | None:
        offers = view.opponent_offers
        if not offers:
            return BestForOpponent(keep_concessions=self.keep_concessions).choose(
                view, threshold, estimate
            )
        k = view.count_at_least(threshold)
        if k == 0:
            return None
        candidates = view.ranking[:k]
        if self.keep_concessions:
            kept = keeping_concessions(view, candidates, estimate, threshold)
            if kept.shape[0]:
                candidates = kept
        if candidates.shape[0] == 1:
            return int(candidates[0])
        positions = scaled_positions(issue_table(view))
        gaps = np.abs(positions[candidates] - positions[offers[-1]])
        distance = gaps @ estimate.issue_weights()
        return int(candidates[int(np.argmin(distance))])  # argmin: the first of equals
