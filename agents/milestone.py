"""The AGI milestone: declared at a sampled time, optionally verified later.

Who declares, and whether an expert panel must verify the declaration (after what
delay), is what the contract says: the ``agi_definition`` clause in force at the
declaration (``ContractState.agi_definition``; a deal may change it). Only when no
clause in force defines AGI do the scenario's ``[agi]`` defaults apply
(``declared_by``, ``verification``, ``delay``). The verification's probability is
always the scenario's: no contract can promise what a panel will find.
"""

from __future__ import annotations

from collections.abc import Generator
from typing import Any, ClassVar

import attrs
import numpy as np

from agents.world import World
from events.model import MilestoneReached


@attrs.define(kw_only=True)
class AgiMilestone:
    """``at``: declaration time; with ``verification``, a panel confirms it ``delay``
    later with probability ``probability`` (otherwise it stays declared, unverified).
    ``declared_by``, ``verification`` and ``delay`` are defaults, overridden by the
    ``agi_definition`` clause in force at the declaration."""

    SETTINGS: ClassVar[frozenset[str]] = frozenset(
        ("at", "declared_by", "verification", "delay", "probability", "rng")
    )

    at: float
    declared_by: str
    verification: bool
    delay: float
    probability: float
    rng: np.random.Generator

    def terms(self, world: World) -> tuple[str, bool, float]:
        """``(declared_by, verification, delay)`` as the contract in force defines AGI now."""
        clause = world.state().agi_definition
        if clause is None:
            return self.declared_by, self.verification, self.delay
        return clause.declared_by, clause.verification, clause.delay_months

    def process(self, world: World) -> Generator[Any, Any, None]:
        env = world.env
        if self.at > env.now:
            yield env.timeout(self.at - env.now)
        declared_by, verification, delay = self.terms(world)
        # The draw is made whether or not a panel verifies, and even when the horizon
        # cuts the delay short, so the definition in force never shifts this stream.
        confirmed = float(self.rng.random()) < self.probability
        world.post("agi", MilestoneReached("agi", declared_by, not verification))
        if verification:
            yield env.timeout(delay)
            if confirmed:
                world.post("agi", MilestoneReached("agi", declared_by, True))
