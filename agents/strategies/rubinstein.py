"""Subgame-perfect play of alternating-offers bargaining with discounting.

Source: Rubinstein, "Perfect equilibrium in a bargaining model", Econometrica 50
(1982). With per-round discount factors ``d_p`` (proposer) and ``d_r`` (responder)
the unique subgame-perfect equilibrium gives the proposer

    x* = (1 - d_r) / (1 - d_p * d_r)

of the pie at once, and the responder accepts any offer worth at least its
equilibrium responder share ``d_r * (1 - d_p) / (1 - d_p * d_r)`` (= ``1 - x*`` of
the other side's proposal). Own utility is read as the party's share of the pie;
on a multi-issue domain that is an interpretation, exact only for a divisible pie.

- ``own_discount`` / ``opponent_discount`` default to ``view.discount`` /
  ``view.opponent_discount``. With both equal to 1 (no impatience) the equilibrium
  is not unique; we use the limit of equal discounts, an even split (0.5).
- offer: the outcome whose own utility is closest to ``x*`` (ties: the higher
  utility, then the lowest index); never below the reservation value: if
  ``x* < reservation`` it asks for the smallest utility >= reservation instead
  (an individually rational floor, as in the outside-option principle of Binmore,
  Shaked & Sutton, QJE 1989).
- accept iff the offer's own utility is at least the utility level closest to its
  responder share (ties: the lower level) and not below the reservation value.
  Snapping the share to a level it can actually receive, with ties the opposite
  way from the proposer's, means discretisation alone never makes it reject the
  equilibrium offer on a symmetric pie (utilities k/N for one side, 1 - k/N for the
  other).
- with no outcome at or above the reservation it walks away.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import ClassVar

import attrs

from agents.strategies._params import Parametrised, check_real
from agents.strategies.base import UTILITY_EPS, NegotiationView, Response


def proposer_share(proposer_discount: float, responder_discount: float) -> float:
    """Rubinstein's equilibrium share of the proposer, ``(1 - d_r) / (1 - d_p d_r)``;
    0.5 when both discounts are 1."""
    denominator = 1.0 - proposer_discount * responder_discount
    if denominator <= 0.0:
        return 0.5
    return (1.0 - responder_discount) / denominator


def responder_share(proposer_discount: float, responder_discount: float) -> float:
    """The responder's equilibrium share, ``d_r (1 - d_p) / (1 - d_p d_r)``; 0.5 when
    both discounts are 1."""
    denominator = 1.0 - proposer_discount * responder_discount
    if denominator <= 0.0:
        return 0.5
    return responder_discount * (1.0 - proposer_discount) / denominator


def _own_discount(value: object) -> float | None:
    return _discount(value, "own_discount")


def _opponent_discount(value: object) -> float | None:
    return _discount(value, "opponent_discount")


def _discount(value: object, name: str) -> float | None:
    """A discount factor in (0, 1], or None: the view's own."""
    if value is None:
        return None
    return check_real(value, name, low=0.0, high=1.0, low_open=True)


@attrs.frozen(kw_only=True)
class Rubinstein(Parametrised):
    """Offer the equilibrium split at once; accept the equilibrium responder share."""

    name: ClassVar[str] = "rubinstein"
    classifier: ClassVar[Mapping[str, object]] = MappingProxyType(
        {"stochastic": False, "uses_time": False, "memory_depth": 0}
    )

    own_discount: float | None = attrs.field(default=None, converter=_own_discount)
    opponent_discount: float | None = attrs.field(default=None, converter=_opponent_discount)

    def discounts(self, view: NegotiationView) -> tuple[float, float]:
        """``(own, opponent)`` discount factors in use."""
        own = view.discount if self.own_discount is None else self.own_discount
        other = view.opponent_discount if self.opponent_discount is None else self.opponent_discount
        return own, other

    def propose(self, view: NegotiationView) -> int | None:
        reservation = view.reservation
        if view.best_utility < reservation:
            return None
        own, other = self.discounts(view)
        offer = view.closest_to(proposer_share(own, other))
        if view.utility_list[offer] < reservation - UTILITY_EPS:
            return view.lowest_at_least(reservation - UTILITY_EPS)
        return offer

    def respond(self, view: NegotiationView, offer: int) -> Response:
        reservation = view.reservation
        if view.best_utility < reservation:
            return Response.WALK_AWAY
        own, other = self.discounts(view)
        share = view.closest_level(responder_share(other, own), prefer_higher=False)
        if view.utility_list[offer] >= max(share, reservation) - UTILITY_EPS:
            return Response.ACCEPT
        return Response.REJECT
