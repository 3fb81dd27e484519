"""Microsoft's right of first refusal on an outside offer to OpenAI.

With ``first_refusal.compute`` active the holder has the clause's window to match:
it matches offers up to ``max_match_bn`` and waives larger ones, which OpenAI then
takes. Without exclusivity over new capacity (or with no contract in force) OpenAI
takes the outside offer at once; under exclusivity of all workloads or of new
capacity it cannot, though the offer still strengthens its hand (its reservation
value rises; see ``Negotiator``).
"""

from __future__ import annotations

from collections.abc import Generator
from typing import Any

from agents.world import World
from events.clauses import FirstRefusal
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
    """Process: what becomes of one outside offer, given the clauses in force.

    ``window`` is used when the clause in force does not say (it always does since
    clauses carry ``window_months``); kept for callers that pass one explicitly."""
    state = world.state()
    if state.holds("exclusivity.all") or state.holds("exclusivity.new_capacity"):
        return
    if state.holds("first_refusal.compute"):
        window = next(
            (
                clause.window_months
                for clause in state.clauses
                if type(clause) is FirstRefusal and clause.scope == "compute"
            ),
            window,
        )
        yield world.env.timeout(window)
        if offer.value_bn <= max_match_bn:
            world.post(
                holder, FirstRefusalExercised(holder, offer_seq, offer.competitor, offer.value_bn)
            )
            return
        world.post(holder, FirstRefusalWaived(holder, offer_seq, offer.competitor))
    world.post(offer.to, OutsideDealAccepted(offer.to, offer_seq, offer.competitor, offer.value_bn))
