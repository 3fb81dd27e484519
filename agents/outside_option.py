"""A party's outside option that improves over time (Microsoft's own models, other labs).

FACTS.md: Microsoft was reported in 2025 to develop its own frontier models (MAI);
GitHub Copilot has offered Anthropic and Google models since late 2024. Each is an
actor that records ``OutsideOptionImproved(party, option, value)`` events, which the
fold keeps in ``ContractState.outside_options`` and ``agents.alternatives`` reads.

The option appears at ``since`` worth ``initial`` and moves toward ``ceiling``: every
``every`` months it closes a random part of the gap to its trend

    trend(t) = ceiling - (ceiling - initial) * exp(-3 (t - since) / ramp_months)

(about 95% of the way after ``ramp_months``), the part a uniform draw in [0, 2) times
the trend's own progress over the step, so progress comes in uneven steps around
the trend and never goes back. It stops once it or its trend is within ``DONE`` of
the ceiling.
``initial``, ``ceiling`` and ``ramp_months`` are assumptions given as distributions
in the scenario (``[outside_options.<key>]``), so batches vary them too.
"""

from __future__ import annotations

import math
from collections.abc import Generator
from typing import Any, ClassVar

import attrs
import numpy as np

from agents.world import World
from events.model import OutsideOptionImproved

DONE = 0.005  # close enough to the ceiling: no further events


@attrs.define(kw_only=True)
class OutsideOption:
    """One party's outside option as a SimPy process (module doc)."""

    SETTINGS: ClassVar[frozenset[str]] = frozenset(
        ("since", "initial", "ceiling", "ramp_months", "every", "rng")
    )

    party: str
    option: str
    since: float  # months since the scenario's start
    initial: float
    ceiling: float
    ramp_months: float
    every: float  # months between steps
    rng: np.random.Generator

    def trend(self, t: float) -> float:
        if t <= self.since:
            return self.initial
        gap = self.ceiling - self.initial
        return self.ceiling - gap * math.exp(-3.0 * (t - self.since) / self.ramp_months)

    def process(self, world: World) -> Generator[Any, Any, None]:
        env = world.env
        if self.since > env.now:
            yield env.timeout(self.since - env.now)
        value = round(self.initial, 4)
        world.post(self.party, OutsideOptionImproved(self.party, self.option, value))
        while self.ceiling - value > DONE and self.ceiling - self.trend(env.now) > DONE:
            before = self.trend(env.now)
            yield env.timeout(self.every)
            step = (self.trend(env.now) - before) * 2.0 * float(self.rng.random())
            value = round(min(self.ceiling, value + step), 4)
            world.post(self.party, OutsideOptionImproved(self.party, self.option, value))
