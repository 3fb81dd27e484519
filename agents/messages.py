"""What the engine hands to an actor's inbox: one frozen, typed message per meaning.

The engine records an event, then delivers it to whoever it concerns. A delivery
carries the event's seq (what an answer refers to) and, for some kinds, one more
value the receiver would otherwise have to look up. Each kind of delivery is its
own class, so that value has one meaning per class and a reader dispatches on the
class (``type(message) is OfferDelivered``) rather than on the event inside.

They are ``NamedTuple``s: immutable, typed, and as cheap to make and unpack as a
plain tuple, which matters on the negotiators' hot path (one delivery per offer).
"""

from __future__ import annotations

from typing import NamedTuple

from events.model import ContractSigned, NegotiationEnded, OfferMade, OutsideOfferMade


class OfferDelivered(NamedTuple):
    """An offer for the receiver to answer; ``outcome`` is its bundle's outcome index."""

    seq: int
    event: OfferMade
    outcome: int


class OutsideOfferDelivered(NamedTuple):
    """A competitor's offer to the receiver; ``boost`` is what it adds to a
    fixed-reservation party's reservation value (the competitor's ``boost``)."""

    seq: int
    event: OutsideOfferMade
    boost: float


class TalksEnded(NamedTuple):
    """The talks ended (an agreement, a walk-away or the deadline): stop negotiating."""

    seq: int
    event: NegotiationEnded


class DealToReview(NamedTuple):
    """A signed deal for a regulator to review."""

    seq: int
    event: ContractSigned


NegotiatorMessage = OfferDelivered | OutsideOfferDelivered | TalksEnded

__all__ = [
    "DealToReview",
    "NegotiatorMessage",
    "OfferDelivered",
    "OutsideOfferDelivered",
    "TalksEnded",
]
