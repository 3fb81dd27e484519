"""Regulators: review signed deals within their jurisdiction, then clear them, impose
conditions, open an inquiry, or block: each only as far as its powers allow.

Powers (``POWERS``), FACTS.md for the built-in regulators:

- ``merger_control`` reviews a deal only when it confers control, some holder's
  equity at or above ``control_threshold`` (the UK CMA found in March 2025 that
  Microsoft had "material influence" but not control, so no merger review); within
  its jurisdiction it may clear, impose conditions, or block.
- ``conduct`` (a competition agency such as the US FTC) may look at any deal but
  cannot block a commercial contract: where a merger authority would block, it opens
  an in-depth inquiry that delays the deal by another review period, then clears it
  with its conditions (a consent order) if they bind, or plainly.
- ``charity`` (a state attorney general over a non-profit) has no jurisdiction over
  commercial deals: it rules ``no_jurisdiction``.

A deal outside a regulator's jurisdiction gets a ``no_jurisdiction`` ruling after a
short look (an eighth of its review period), which clears it.

A regulator also looks at the contract already in force (``review_in_force``) when a
party asks it to (``RegulatorAsked``), and carries on a review of it the scenario's
history left open: the same jurisdiction and the same ruling model, but nothing
waits for it and nothing is blocked (nothing here unwinds a contract in force):
where it would block, it opens an in-depth inquiry that ends with its conditions, an
amendment of the contract in force. Its draws come from a stream of their own
(``in_force_rng``), so a complaint never shifts the draws of a deal's review.

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

from collections.abc import Callable, Generator
from typing import Any, ClassVar, Final

import attrs
import numpy as np
import simpy

from agents.messages import DealToReview
from agents.world import World
from events.clauses import Amendment, Clause, Equity
from events.model import Event, RegulatorAsked, ReviewOpened, RulingIssued

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


POWERS: Final = ("merger_control", "conduct", "charity")
CAN_BLOCK: Final = frozenset(("merger_control",))


def has_jurisdiction(clauses: tuple[Clause, ...], powers: str, control_threshold: float) -> bool:
    """Whether a regulator with ``powers`` may review a deal with these clauses."""
    if powers == "conduct":
        return True
    if powers == "merger_control":
        stakes = [clause.share for clause in clauses if isinstance(clause, Equity)]
        return max(stakes, default=0.0) >= control_threshold
    return False  # charity: only a non-profit's conversion, never a commercial deal


def ruling(
    clauses: tuple[Clause, ...],
    strictness: float,
    conditions: Amendment,
    u: float,
    powers: str = "merger_control",
) -> tuple[str, Amendment]:
    """The outcome for one uniform draw ``u`` in [0, 1): a pure function, easy to test.
    A regulator that may not block opens an inquiry where it would have blocked."""
    p_block = 0.5 * strictness * concern(clauses)
    if u < p_block:
        return ("blocked" if powers in CAN_BLOCK else "inquiry"), Amendment()
    binding = bool(conditions) and set(conditions.apply(clauses)) != set(clauses)
    if binding and u < p_block + (1.0 - p_block) * strictness:
        return "approved_with_conditions", conditions
    return "approved", Amendment()


@attrs.define(kw_only=True)
class Regulator:
    """A competition authority as a SimPy process reviewing each deal it is sent."""

    SETTINGS: ClassVar[frozenset[str]] = frozenset(
        (
            "name",
            "strictness",
            "review_months",
            "conditions",
            "powers",
            "control_threshold",
            "rng",
            "in_force_rng",
        )
    )

    key: str
    name: str
    strictness: float
    review_months: float
    conditions: Amendment
    rng: np.random.Generator
    inbox: simpy.Store  # of agents.messages.DealToReview
    powers: str = "merger_control"
    control_threshold: float = 0.0
    in_force_rng: np.random.Generator | None = None  # reviews of the contract in force

    def binding(self, clauses: tuple[Clause, ...]) -> Amendment:
        """Its conditions, if they would change ``clauses`` (else no amendment)."""
        if self.conditions and set(self.conditions.apply(clauses)) != set(clauses):
            return self.conditions
        return Amendment()

    def on_asked(self, world: World) -> Callable[[int, Event], None]:
        """A ``world.subscribe`` callback: review the contract in force when asked."""

        def asked(_seq: int, event: Event) -> None:
            if type(event) is RegulatorAsked and event.regulator == self.key:
                world.env.process(self.review_in_force(world))

        return asked

    def review_in_force(self, world: World, due: float | None = None) -> Generator[Any, Any, None]:
        """Process: review the contract in force within this regulator's powers.

        With ``due`` (a review the prelude opened and left open) no ``ReviewOpened`` is
        recorded and the ruling comes at ``due``; otherwise the review opens now.
        Jurisdiction and ruling are judged on the contract in force at the ruling."""
        env = world.env
        rng = self.in_force_rng if self.in_force_rng is not None else self.rng
        duration = float(rng.gamma(REVIEW_SHAPE, self.review_months / REVIEW_SHAPE))
        u = float(rng.random())
        if due is None:
            state = world.state()
            if state.contract_id is None:
                return  # nothing in force to look at
            if not has_jurisdiction(state.clauses, self.powers, self.control_threshold):
                duration /= 8.0
            world.post(
                self.key, ReviewOpened(self.key, state.contract_id, env.now + duration, True)
            )
            yield env.timeout(duration)
        elif due > env.now:
            yield env.timeout(due - env.now)
        state = world.state()
        if state.contract_id is None:
            return  # the contract ended while under review: nothing left to rule on
        contract, clauses = state.contract_id, state.clauses
        if not has_jurisdiction(clauses, self.powers, self.control_threshold):
            world.post(self.key, RulingIssued(self.key, contract, "no_jurisdiction", in_force=True))
            return
        outcome, imposed = ruling(clauses, self.strictness, self.conditions, u, self.powers)
        if outcome in ("blocked", "inquiry"):  # in depth: another period, then conditions
            world.post(self.key, RulingIssued(self.key, contract, "inquiry", in_force=True))
            yield env.timeout(duration)
            state = world.state()
            if state.contract_id is None:
                return
            contract, clauses = state.contract_id, state.clauses
            imposed = self.binding(clauses)
            outcome = "approved_with_conditions" if imposed else "approved"
        # A ruling on the contract in force never moves its end (RulingIssued says so).
        imposed = Amendment(imposed.remove, imposed.add)
        world.post(self.key, RulingIssued(self.key, contract, outcome, imposed, in_force=True))

    def process(self, world: World) -> Generator[Any, Any, None]:
        env = world.env
        while True:
            delivered: DealToReview = yield self.inbox.get()
            signed = delivered.event
            # Both draws are made whatever the jurisdiction, so a change of powers
            # never shifts this regulator's later draws.
            duration = float(self.rng.gamma(REVIEW_SHAPE, self.review_months / REVIEW_SHAPE))
            u = float(self.rng.random())
            contract = signed.contract_id
            if not has_jurisdiction(signed.clauses, self.powers, self.control_threshold):
                duration /= 8.0
                world.post(self.key, ReviewOpened(self.key, contract, env.now + duration))
                yield env.timeout(duration)
                world.post(self.key, RulingIssued(self.key, contract, "no_jurisdiction"))
                continue
            world.post(self.key, ReviewOpened(self.key, contract, env.now + duration))
            yield env.timeout(duration)
            outcome, imposed = ruling(
                signed.clauses, self.strictness, self.conditions, u, self.powers
            )
            if outcome == "inquiry":  # in depth: another review period, then clear
                world.post(self.key, RulingIssued(self.key, contract, "inquiry"))
                yield env.timeout(duration)
                binding = bool(self.conditions) and set(
                    self.conditions.apply(signed.clauses)
                ) != set(signed.clauses)
                outcome = "approved_with_conditions" if binding else "approved"
                imposed = self.conditions if binding else Amendment()
            world.post(self.key, RulingIssued(self.key, contract, outcome, imposed))
