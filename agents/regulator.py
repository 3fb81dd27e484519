"""Regulators: review signed deals, then approve, impose conditions, or block.

The ruling model is deliberately small and stated in one place (``ruling``): a deal's
competition *concern* grows with cloud exclusivity, the largest equity stake and a
licence that survives AGI (a lock-in); a regulator blocks with probability
``0.5 * strictness * concern``, imposes its conditions (an amendment of the deal's
clauses) with probability ``strictness`` otherwise (when they would change the
clauses), and approves in all other cases. Review durations are Gamma
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
from events.clauses import Amendment, Clause, Equity
from events.model import ContractSigned, ReviewOpened, RulingIssued

# Concern by the strongest cloud tie the deal grants (all workloads exclusive, or
# only the API plus a first refusal on new compute, as since January 2025).
_EXCLUSIVE_CONCERN = 0.6
_PARTIAL_CONCERN = 0.3
_STRONG_TIES = frozenset(("exclusivity.all", "exclusivity.new_capacity"))
_PARTIAL_TIES = frozenset(("exclusivity.api", "first_refusal.compute"))
REVIEW_SHAPE = 4.0


def concern(clauses: tuple[Clause, ...]) -> float:
    """How much a deal worries a competition authority, in [0, 1]."""
    rights = {right for clause in clauses for right in clause.rights()}
    score = 0.0
    if rights & _STRONG_TIES:
        score = _EXCLUSIVE_CONCERN
    elif rights & _PARTIAL_TIES:
        score = _PARTIAL_CONCERN
    stakes = [clause.share for clause in clauses if type(clause) is Equity]
    if stakes:
        score += 0.25 * min(1.0, max(stakes) / 0.49)
    survives_agi = any(
        clause.KIND == "license" and not (clause.expiry.on_declared or clause.expiry.on_verified)
        for clause in clauses
    )
    score += 0.15 if survives_agi else 0.0
    return min(1.0, score)


def ruling(
    clauses: tuple[Clause, ...], strictness: float, conditions: Amendment, u: float
) -> tuple[str, Amendment]:
    """The outcome for one uniform draw ``u`` in [0, 1): a pure function, easy to test."""
    p_block = 0.5 * strictness * concern(clauses)
    if u < p_block:
        return "blocked", Amendment()
    binding = bool(conditions) and set(conditions.apply(clauses)) != set(clauses)
    if binding and u < p_block + (1.0 - p_block) * strictness:
        return "approved_with_conditions", conditions
    return "approved", Amendment()


@attrs.define
class Regulator:
    """A competition authority as a SimPy process reviewing each deal it is sent."""

    key: str
    name: str
    strictness: float
    review_months: float
    conditions: Amendment
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
                signed.clauses, self.strictness, self.conditions, float(self.rng.random())
            )
            world.post(self.key, RulingIssued(self.key, signed.contract_id, outcome, imposed))
