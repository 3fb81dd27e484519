"""A party asking a regulator to look at the partnership when its talks break down.

FACTS.md ("Leverage both ways"): per June 2025 reports, one of OpenAI's cards was the
threat of asking regulators to review the partnership. A scenario says who may ask
whom (``[regulators.<key>] complaints_from``), how likely a party is to ask at each
break-down (``complaint_probability``) and how long it takes to file
(``complaint_delay``, months).

The rules, stated once:

- A break-down is a ``NegotiationEnded`` with reason ``walk_away`` or ``deadline``
  (an agreement is not one). Talks may reopen and break down again; each break-down
  is a fresh decision, one uniform draw from the complainant's own stream (made
  whatever the outcome, so the stream never shifts).
- A party asks a given regulator at most once per contract in force: once it has
  asked about a contract, a later break-down does not bring the same complaint back
  (the regulator has it already); a new contract in force (a deal that took force)
  can be complained about again. The contract is the one in force when the party
  files, after the delay; with none in force there is nothing to ask about.
- Asking records ``RegulatorAsked``; the regulator reacts to it (see
  ``agents.regulator.Regulator.review_in_force``).
"""

from __future__ import annotations

from collections.abc import Generator
from typing import Any, ClassVar, Final

import attrs
import numpy as np

from agents.world import World
from events.model import Event, NegotiationEnded, RegulatorAsked

BREAK_DOWNS: Final = frozenset(("walk_away", "deadline"))


@attrs.define(kw_only=True)
class Complainant:
    """``party`` may ask ``regulator`` to look, with ``probability`` per break-down,
    ``delay`` months after it."""

    SETTINGS: ClassVar[frozenset[str]] = frozenset(("probability", "delay", "rng"))

    party: str
    regulator: str
    probability: float
    delay: float
    rng: np.random.Generator
    asked_about: set[str] = attrs.field(factory=set)  # contract ids already referred

    def on_ended(self, seq: int, event: Event, *, world: World) -> None:
        """A ``world.subscribe((NegotiationEnded,), ...)`` callback (bind ``world``)."""
        if type(event) is not NegotiationEnded or event.reason not in BREAK_DOWNS:
            return
        if self.party not in event.parties:
            return
        asks = float(self.rng.random()) < self.probability
        if asks:
            world.env.process(self.ask(world))

    def ask(self, world: World) -> Generator[Any, Any, None]:
        """Process: file the complaint after ``delay``, about the contract then in force."""
        env = world.env
        if self.delay > 0:
            yield env.timeout(self.delay)
        contract = world.state().contract_id
        if contract is None or contract in self.asked_about:
            return
        self.asked_about.add(contract)
        world.post(self.party, RegulatorAsked(self.party, self.regulator, contract))


__all__ = ["BREAK_DOWNS", "Complainant"]
