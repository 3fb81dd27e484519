"""Regulators: review signed deals, then approve, impose conditions, or block.

The ruling model is deliberately small and stated in one place (``ruling``): a deal's
competition *concern* grows with cloud exclusivity, Microsoft's equity and a
post-AGI lock-in; a regulator blocks with probability ``0.5 * strictness * concern``,
imposes its conditions with probability ``strictness`` otherwise (when they would
change the terms), and approves in all other cases. Review durations are Gamma
distributed with shape 4 around ``review_months`` (reviews are rarely very short;
the UK CMA's took about 15 months, FACTS.md).
"""

from __future__ import annotations

from collections.abc import Generator
from typing import Any

import attrs
import numpy as np
import simpy

from agents.world import World
from events.model import ContractSigned, ReviewOpened, RulingIssued
from events.terms import Offer, Terms, TermsPatch

_CLOUD_CONCERN = {"exclusive": 0.6, "rofr": 0.3, "open": 0.0}
REVIEW_SHAPE = 4.0


def concern(terms: Offer) -> float:
    """How much a deal worries a competition authority, in [0, 1]."""
    if not isinstance(terms, Terms):
        return 0.0
    score = _CLOUD_CONCERN[terms.cloud]
    score += 0.25 * min(1.0, terms.equity / 0.49)
    score += 0.15 if terms.post_agi_access else 0.0
    return min(1.0, score)


def ruling(
    terms: Offer, strictness: float, conditions: TermsPatch, u: float
) -> tuple[str, TermsPatch]:
    """The outcome for one uniform draw ``u`` in [0, 1): a pure function, easy to test."""
    p_block = 0.5 * strictness * concern(terms)
    if u < p_block:
        return "blocked", TermsPatch()
    binding = isinstance(terms, Terms) and terms.patched(conditions) != terms
    if binding and u < p_block + (1.0 - p_block) * strictness:
        return "approved_with_conditions", conditions
    return "approved", TermsPatch()


@attrs.define
class Regulator:
    """A competition authority as a SimPy process reviewing each deal it is sent."""

    key: str
    name: str
    strictness: float
    review_months: float
    conditions: TermsPatch
    rng: np.random.Generator
    inbox: simpy.Store

    def process(self, world: World) -> Generator[Any, Any, None]:
        env = world.env
        while True:
            _seq, signed, _ = yield self.inbox.get()
            assert isinstance(signed, ContractSigned)
            duration = float(self.rng.gamma(REVIEW_SHAPE, self.review_months / REVIEW_SHAPE))
            world.post(self.key, ReviewOpened(self.key, signed.contract_id, env.now + duration))
            yield env.timeout(duration)
            outcome, imposed = ruling(
                signed.terms, self.strictness, self.conditions, float(self.rng.random())
            )
            world.post(self.key, RulingIssued(self.key, signed.contract_id, outcome, imposed))
