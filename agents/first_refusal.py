"""Microsoft's right of first refusal on an outside offer to OpenAI: a decision with a cost.

With ``first_refusal.compute`` active the holder has the clause's window to match.
Matching commits it to supply the capacity: the match is recorded
(``FirstRefusalExercised``) and the fold adds its amount to
``compute_commitments_bn["openai_to_microsoft"]`` and ``rofr_matched_bn``. So the
holder matches an offer only when (``RofrPolicy.matches``):

- the offer is at most ``max_match_bn`` (the largest single commitment it makes);
- its matches so far plus this one stay within ``budget_bn``, its capital budget for
  OpenAI capacity;
- the match is worth it: with ``needs_license`` only while it holds
  ``license.models`` (supplying OpenAI is worth more than the cloud margin because it
  uses OpenAI's models), and only while its own alternative (``agents.alternatives``)
  is below ``walk_alternative`` (once its own models and other labs are good enough,
  it lets OpenAI buy elsewhere rather than commit the capital).

Otherwise it waives, and OpenAI takes the offer. Without exclusivity over new
capacity (or with no contract in force) OpenAI takes the outside offer at once; under
exclusivity of all workloads or of new capacity it cannot: the offer lapses unused.

The policy reads a ``Refusing`` standing: the holder's alternative's fields and the
amount matched so far. The process reads them from the engine's running fold
(``world.folder``), not from a whole snapshot of the state: it runs for every
outside offer.

Offers the scenario marks as history (``RofrPolicy.history``: a deal made before the
talks, e.g. CoreWeave's in March 2025) have the outcome the record gives: the holder
let its first refusal pass at once and OpenAI took the deal.
"""

from __future__ import annotations

import math
from collections.abc import Generator
from typing import Any, Protocol

import attrs

from agents.alternatives import Alternatives, Standing
from agents.world import World
from events.clauses import Clause, FirstRefusal
from events.model import (
    FirstRefusalExercised,
    FirstRefusalWaived,
    OutsideDealAccepted,
    OutsideOfferMade,
)

_TIME_TOLERANCE = 1e-9


class Refusing(Standing, Protocol):
    """What ``RofrPolicy.matches`` reads of the contract state (``ContractState``'s
    fields; the engine's ``Folder`` answers them too)."""

    @property
    def rofr_matched_bn(self) -> float: ...


@attrs.frozen(slots=True, kw_only=True)
class RofrPolicy:
    """When the holder of a first refusal matches an outside offer (module doc)."""

    max_match_bn: float = 0.0
    budget_bn: float = math.inf
    needs_license: bool = False
    walk_alternative: float = math.inf  # above 1: never stops for its alternative
    alternatives: Alternatives | None = None
    history: tuple[tuple[str, float], ...] = ()  # (competitor, time) of recorded deals

    def is_history(self, competitor: str, t: float) -> bool:
        return any(
            key == competitor and abs(at - t) <= _TIME_TOLERANCE for key, at in self.history
        )

    def matches(self, holder: str, offer: OutsideOfferMade, state: Refusing, t: float) -> bool:
        """Whether ``holder`` matches ``offer`` at time ``t``, given ``state``."""
        if offer.value_bn > self.max_match_bn:
            return False
        if state.rofr_matched_bn + offer.value_bn > self.budget_bn + _TIME_TOLERANCE:
            return False
        if self.needs_license and not state.holds("license.models"):
            return False
        alternatives = self.alternatives
        if alternatives is not None and holder in alternatives.parties():
            return alternatives.value(holder, state, t) < self.walk_alternative
        return True


def first_refusal(
    world: World, offer_seq: int, offer: OutsideOfferMade, policy: RofrPolicy
) -> Generator[Any, Any, None]:
    """Process: what becomes of one outside offer, given the clauses in force. The
    first refusal's holder and its window are the clause's own."""
    env = world.env
    folder = world.folder  # its reads equal world.state()'s, without the snapshot
    rights = folder.rights()
    if rights.get("exclusivity.all") or rights.get("exclusivity.new_capacity"):
        return
    clause = _refusal_on_compute(rights, folder.clauses)
    if clause is not None:
        holder = clause.holder
        if policy.is_history(offer.competitor, env.now):
            world.post(holder, FirstRefusalWaived(holder, offer_seq, offer.competitor))
        else:
            yield env.timeout(clause.window_months)
            if policy.matches(holder, offer, folder, env.now):
                world.post(
                    holder,
                    FirstRefusalExercised(holder, offer_seq, offer.competitor, offer.value_bn),
                )
                return
            world.post(holder, FirstRefusalWaived(holder, offer_seq, offer.competitor))
    world.post(offer.to, OutsideDealAccepted(offer.to, offer_seq, offer.competitor, offer.value_bn))


def _refusal_on_compute(
    rights: dict[str, bool], clauses: tuple[Clause, ...]
) -> FirstRefusal | None:
    """The active first refusal on new compute, if a clause in force grants one."""
    if not rights.get("first_refusal.compute", False):
        return None
    return next((c for c in clauses if isinstance(c, FirstRefusal) and c.scope == "compute"), None)
