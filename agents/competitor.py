"""Competitors (Amazon, Google, the Stargate venture): outside offers to OpenAI.

Offers arrive as a Poisson process with ``intensity`` offers a year from ``first``
on; each is worth a uniform draw between ``value_low_bn`` and ``value_high_bn``.
"""

from __future__ import annotations

from collections.abc import Generator
from typing import Any

import attrs
import numpy as np

from agents.world import World
from events.model import OutsideOfferMade

MONTHS_PER_YEAR = 12.0


@attrs.define
class Competitor:
    key: str
    name: str
    target: str
    kind: str
    intensity: float  # offers per year
    first: float  # earliest time (months since start)
    value_low_bn: float
    value_high_bn: float
    window: float  # how long an offer stays open (the ROFR window)
    rng: np.random.Generator

    def process(self, world: World, months_per_unit: float = 1.0) -> Generator[Any, Any, None]:
        env = world.env
        if self.intensity <= 0:
            return
        if env.now < self.first:
            yield env.timeout(self.first - env.now)
        mean_gap = MONTHS_PER_YEAR / self.intensity / months_per_unit
        while True:
            yield env.timeout(float(self.rng.exponential(mean_gap)))
            value = float(self.rng.uniform(self.value_low_bn, self.value_high_bn))
            world.post(
                self.key,
                OutsideOfferMade(self.key, self.target, self.kind, value, env.now + self.window),
            )
