"""Competitors (Amazon, Google, CoreWeave, the Stargate venture): outside offers to OpenAI.

A competitor makes offers on one of two schedules, plus dated tranches:

- ``poisson`` (the original form): offers arrive as a Poisson process with
  ``intensity`` offers a year from ``first`` on, each worth a uniform draw between
  ``value_low_bn`` and ``value_high_bn``, until the horizon.
- ``need``: offers follow OpenAI's compute need (``agents.compute_need``). From
  ``first`` on, at Poisson times of ``intensity`` a year, the competitor offers a
  tranche while some need is unmet: a uniform draw in ``[value_low_bn,
  value_high_bn]``, cut to the unmet need and to what is left of its programme
  (``programme_bn`` less the deals OpenAI took from it and its offers still open).
  It stops when its programme is exhausted, at ``until``, or once the need is covered
  and no longer grows. While OpenAI's contract makes all new capacity Azure's
  (``exclusivity.all`` or ``exclusivity.new_capacity``) it makes no offer: it could
  not win one. Tranches below ``MIN_OFFER_BN`` are not made.
- ``tranches``: offers at fixed dates (a reported deal, e.g. Oracle's 4.5 GW for
  Stargate on 22 July 2025), whatever the need, each of a given size (or a draw from
  the value range when the record gives none). A tranche marked ``taken`` is history:
  a deal made before the talks, with the outcome the record gives (OpenAI took it;
  Microsoft let its first refusal pass, see ``agents.first_refusal``).

Every draw comes from the competitor's own stream: per ``need`` offer one gap and one
size, drawn even when no offer follows, so the stream does not depend on the state.
"""

from __future__ import annotations

import math
from collections.abc import Generator
from typing import Any, ClassVar

import attrs
import numpy as np

from agents.compute_need import ComputeNeed
from agents.world import World
from events.model import OutsideOfferMade

MONTHS_PER_YEAR = 12.0
MIN_OFFER_BN = 1.0  # assumption: smaller capacity deals are not modelled
SCHEDULES = ("poisson", "need")


@attrs.frozen(slots=True)
class Tranche:
    """An offer at a fixed time ``at``: of ``value_bn`` (None: a draw from the
    competitor's value range); ``taken``: history, a deal OpenAI made."""

    at: float
    value_bn: float | None = None
    taken: bool = False


@attrs.define(kw_only=True)
class Competitor:
    """One outside bidder as a SimPy process (module doc): offers to ``target``."""

    SETTINGS: ClassVar[frozenset[str]] = frozenset(
        (
            "name",
            "target",
            "kind",
            "intensity",
            "first",
            "value_low_bn",
            "value_high_bn",
            "window",
            "rng",
            "schedule",
            "tranches",
            "programme_bn",
            "until",
        )
    )

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
    schedule: str = "poisson"
    tranches: tuple[Tranche, ...] = ()
    programme_bn: float = math.inf  # the most it will sell OpenAI in all (need schedule)
    until: float = math.inf  # its programme's end (need schedule)
    need: ComputeNeed | None = None

    def process(self, world: World, months_per_unit: float = 1.0) -> Generator[Any, Any, None]:
        env = world.env
        pending = [tranche for tranche in self.tranches if tranche.at >= env.now]
        if self.schedule == "need" and self.need is not None:
            yield from self._need_offers(world, pending, months_per_unit)
            return
        if self.intensity <= 0:
            yield from self._until(world, math.inf, pending)
            return
        if env.now < self.first:
            yield from self._until(world, self.first, pending)
        mean_gap = MONTHS_PER_YEAR / self.intensity / months_per_unit
        while True:
            gap = float(self.rng.exponential(mean_gap))
            if pending:
                yield from self._until(world, env.now + gap, pending)
            else:  # the original form, step for step (its logs keep their bytes)
                yield env.timeout(gap)
            value = float(self.rng.uniform(self.value_low_bn, self.value_high_bn))
            world.post(
                self.key,
                OutsideOfferMade(self.key, self.target, self.kind, value, env.now + self.window),
            )

    def _need_offers(
        self, world: World, pending: list[Tranche], months_per_unit: float
    ) -> Generator[Any, Any, None]:
        env = world.env
        need = self.need
        assert need is not None
        if env.now < self.first:
            yield from self._until(world, self.first, pending)
        if self.intensity <= 0:
            yield from self._until(world, math.inf, pending)
            return
        mean_gap = MONTHS_PER_YEAR / self.intensity / months_per_unit
        while True:
            gap = float(self.rng.exponential(mean_gap))
            share = float(self.rng.random())
            yield from self._until(world, env.now + gap, pending)
            now = env.now
            if now >= self.until:
                break
            state = world.folder  # the fields below, without a whole state() snapshot
            left = self.programme_bn - state.outside_taken_bn.get(self.key, 0.0)
            left -= state.outside_pending_bn.get(self.key, 0.0)
            if left < MIN_OFFER_BN:
                break
            unmet = need.unmet_bn(state, now)
            if unmet < MIN_OFFER_BN:
                if need.growing(now):
                    continue
                break
            if state.holds("exclusivity.all") or state.holds("exclusivity.new_capacity"):
                continue
            size = self.value_low_bn + (self.value_high_bn - self.value_low_bn) * share
            self._offer(world, min(size, unmet, left))
        yield from self._until(world, math.inf, pending)  # dated tranches still to come

    def _until(
        self, world: World, time: float, pending: list[Tranche]
    ) -> Generator[Any, Any, None]:
        """Wait until ``time``, making every pending tranche due by then on its date."""
        env = world.env
        while pending and pending[0].at <= time:
            tranche = pending.pop(0)
            if tranche.at > env.now:
                yield env.timeout(tranche.at - env.now)
            value = tranche.value_bn
            if value is None:
                value = float(self.rng.uniform(self.value_low_bn, self.value_high_bn))
            self._offer(world, value)
        if math.isfinite(time) and time > env.now:
            yield env.timeout(time - env.now)

    def _offer(self, world: World, value_bn: float) -> None:
        env = world.env
        value = round(value_bn, 3)  # USD m: the record's resolution
        world.post(
            self.key,
            OutsideOfferMade(self.key, self.target, self.kind, value, env.now + self.window),
        )
