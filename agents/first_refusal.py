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
from events.state import ContractState


def first_refusal(
    world: World, offer_seq: int, offer: OutsideOfferMade, max_match_bn: float
) -> Generator[Any, Any, None]:
    """Process: what becomes of one outside offer, given the clauses in force. The
    first refusal's holder and its window are the clause's own."""
    state = world.state()
    if state.holds("exclusivity.all") or state.holds("exclusivity.new_capacity"):
        return
    clause = _refusal_on_compute(state)
    if clause is not None:
        holder = clause.holder
        yield world.env.timeout(clause.window_months)
        if offer.value_bn <= max_match_bn:
            world.post(
                holder, FirstRefusalExercised(holder, offer_seq, offer.competitor, offer.value_bn)
            )
            return
        world.post(holder, FirstRefusalWaived(holder, offer_seq, offer.competitor))
    world.post(offer.to, OutsideDealAccepted(offer.to, offer_seq, offer.competitor, offer.value_bn))


def _refusal_on_compute(state: ContractState) -> FirstRefusal | None:
    """The active first refusal on new compute, if a clause in force grants one."""
    if not state.holds("first_refusal.compute"):
        return None
    return next(
        (c for c in state.clauses if isinstance(c, FirstRefusal) and c.scope == "compute"), None
    )
