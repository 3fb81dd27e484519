"""Microsoft's right of first refusal on an outside offer to OpenAI.

With a ROFR in force the holder has ``window`` to match: it matches offers up to
``max_match_bn`` and waives larger ones, which OpenAI then takes. With an open cloud
arrangement (or no contract in force) OpenAI takes the outside offer at once; under
exclusivity it cannot, though the offer still strengthens its hand (its reservation
value rises; see ``Negotiator``).
"""

from __future__ import annotations

from collections.abc import Generator
from typing import Any

from agents.world import World
from events.model import (
    FirstRefusalExercised,
    FirstRefusalWaived,
    OutsideDealAccepted,
    OutsideOfferMade,
)


def first_refusal(
    world: World,
    holder: str,
    offer_seq: int,
    offer: OutsideOfferMade,
    window: float,
    max_match_bn: float,
) -> Generator[Any, Any, None]:
    """Process: what becomes of one outside offer, given the cloud terms in force."""
    state = world.state()
    cloud = state.cloud if state.status != "expired" else None
    if cloud == "exclusive":
        return
    if cloud == "rofr":
        yield world.env.timeout(window)
        if offer.value_bn <= max_match_bn:
            world.post(
                holder, FirstRefusalExercised(holder, offer_seq, offer.competitor, offer.value_bn)
            )
            return
        world.post(holder, FirstRefusalWaived(holder, offer_seq, offer.competitor))
    world.post(offer.to, OutsideDealAccepted(offer.to, offer_seq, offer.competitor, offer.value_bn))
