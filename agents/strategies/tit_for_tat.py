"""Relative (imitative) tit-for-tat, in own-utility terms.

Source: Faratin, Sierra & Jennings, "Negotiation decision functions for autonomous
agents", Robotics and Autonomous Systems 24 (1998), imitative tactics: the agent
reproduces the opponent's concession of ``delay`` moves ago. We measure concessions
in the agent's own utility: the opponent concedes when its offers become better for
us, and we concede by the same amount (times ``scale``) from our best outcome.

Summing the per-move imitations from the opening (the best outcome) gives a closed
form that needs no memory and accumulates no rounding:

    target = clip(best - scale * (u(o_(n - delay)) - u(o_1)), floor, best)

where ``o_1 .. o_n`` are the opponent's offers (1-based), the concession term is 0
while ``n - delay < 1``, and ``floor = max(worst, reservation)``. A retreat by the
opponent is mirrored by a retreat of ours (never above ``best``).

- offer: the outcome with the smallest own utility that is ``>= target``; among
  equal utilities the lowest index. The opening offer is the best outcome.
- accept iff the offer's own utility is ``>= target`` (computed with the offer
  counted), i.e. at least as good as its own counter-offer would be (FSJ's
  acceptance rule), and not below the reservation value.
- with no outcome at or above the reservation it walks away.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import ClassVar

import attrs

from agents.strategies._params import Parametrised, check_integer, check_real
from agents.strategies.base import UTILITY_EPS, NegotiationView, Response


def _delay(value: object) -> int:
    return check_integer(value, "delay", low=1)


def _scale(value: object) -> float:
    return check_real(value, "scale", low=0.0, low_open=True)


@attrs.frozen(kw_only=True)
class TitForTat(Parametrised):
    """Imitate the opponent's concessions (own-utility terms), ``delay`` >= 1 moves
    late, scaled by ``scale`` > 0."""

    name: ClassVar[str] = "tit-for-tat"
    classifier: ClassVar[Mapping[str, object]] = MappingProxyType(
        {"stochastic": False, "uses_time": False, "memory_depth": float("inf")}
    )

    delay: int = attrs.field(default=1, converter=_delay)
    scale: float = attrs.field(default=1.0, converter=_scale)

    def target(self, view: NegotiationView) -> float | None:
        """The utility it asks for now; None if no outcome reaches the reservation."""
        best = view.best_utility
        reservation = view.reservation
        if best < reservation:
            return None
        offers = view.opponent_offers
        last = len(offers) - self.delay  # 0-based index of the move being imitated
        if last <= 0:
            return best
        u = view.utility_list
        conceded = u[offers[last]] - u[offers[0]]
        floor = max(view.worst_utility, reservation)
        return min(best, max(floor, best - self.scale * conceded))

    def propose(self, view: NegotiationView) -> int | None:
        target = self.target(view)
        if target is None:
            return None
        return view.lowest_at_least(target - UTILITY_EPS)

    def respond(self, view: NegotiationView, offer: int) -> Response:
        target = self.target(view)
        if target is None:
            return Response.WALK_AWAY
        if view.utility_list[offer] >= target - UTILITY_EPS:
            return Response.ACCEPT
        return Response.REJECT
