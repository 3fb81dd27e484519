"""The AGI milestone: declared at a sampled time, optionally verified later."""

from __future__ import annotations

from collections.abc import Generator
from typing import Any

import attrs
import numpy as np

from agents.world import World
from events.model import MilestoneReached


@attrs.define
class AgiMilestone:
    """``at``: declaration time; with ``verification``, a panel confirms it ``delay``
    later with probability ``probability`` (otherwise it stays declared, unverified)."""

    at: float
    declared_by: str
    verification: bool
    delay: float
    probability: float
    rng: np.random.Generator

    def process(self, world: World) -> Generator[Any, Any, None]:
        env = world.env
        if self.at > env.now:
            yield env.timeout(self.at - env.now)
        world.post("agi", MilestoneReached("agi", self.declared_by, not self.verification))
        if self.verification:
            # The draw is made even when the horizon cuts the delay short, so adding a
            # verification step never shifts any other stream.
            confirmed = float(self.rng.random()) < self.probability
            yield env.timeout(self.delay)
            if confirmed:
                world.post("agi", MilestoneReached("agi", self.declared_by, True))
