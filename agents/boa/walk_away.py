"""When a party leaves the table: the walk-away rule of a BOA strategy.

- ``never``: it stays until the talks end (agreement or deadline), as NegMAS's
  negotiators do; it still walks away when no bundle reaches its reservation value.
- ``when-stalled`` (the default): once its own deadline has come (relative time 1, so its target is
  down to its reservation value), it walks away when the best the opponent has
  offered is worth less to it than its alternative *and* the opponent's last
  ``STALLED_OFFERS`` offers brought nothing better: the best deal it can still expect
  is worse than walking away. Its utilities and reservation are those of the moment
  (``agents.appraisal``), so a party whose alternative improved walks away sooner.
"""

from __future__ import annotations

from typing import ClassVar, Final

import attrs

from agents.strategies.base import UTILITY_EPS, NegotiationView

STALLED_OFFERS: Final = 3


@attrs.frozen
class NeverWalkAway:
    name: ClassVar[str] = "never"

    def walks_away(self, view: NegotiationView) -> bool:
        return False


@attrs.frozen
class WalkAwayWhenStalled:
    name: ClassVar[str] = "when-stalled"
    stalled_offers: int = STALLED_OFFERS

    def walks_away(self, view: NegotiationView) -> bool:
        if view.relative_time < 1.0:
            return False
        offers = view.opponent_offers
        n = self.stalled_offers
        if len(offers) <= n:
            return False
        u = view.utility_list
        best_recent = max(u[o] for o in offers[-n:])
        best_before = max(u[o] for o in offers[:-n])
        if best_recent > best_before + UTILITY_EPS:
            return False  # the opponent is still conceding
        return max(best_recent, best_before) < view.reservation - UTILITY_EPS


WALK_AWAYS: Final = (NeverWalkAway.name, WalkAwayWhenStalled.name)

__all__ = ["STALLED_OFFERS", "WALK_AWAYS", "NeverWalkAway", "WalkAwayWhenStalled"]
