"""A party's restructuring (OpenAI's conversion into a public benefit corporation) as
an actor of the world: proposed, consented to or not, reviewed, completed or failed,
with a dated funding condition that makes delay costly.

The rules, in one place (FACTS.md, "More public record up to the seed's date"):

- At ``proposed`` the party ``by`` records ``RestructuringProposed``; each reviewer
  (a state attorney general) opens its review then.
- Each reviewer rules ``review_months`` later: it approves with
  ``approval_probability`` (with conditions in ``conditions_probability`` of the
  approvals; conditions bind the new company's governance, not the partnership's
  clauses, so they count as an approval), and blocks otherwise. Two uniform draws
  per ruling, from this actor's own stream, in the order the rulings come.
- ``consent_from`` (Microsoft) consents by signing a negotiated deal while the
  conversion is pending: the first ``ContractSigned`` it is party to that is under
  review or carries negotiated terms (history is never a consent). The deal's
  clauses (its equity stake at the deal's valuation, its rights) are the price of
  the consent. Its walking away from the talks while its consent is still missing
  records ``ConsentRefused``, which is not final: talks may reopen, and a later deal
  consents. A consent, once given, stands.
- The conversion completes (``RestructuringEnded("completed")``) as soon as the
  consent is given and every reviewer approved; it fails at once when a reviewer
  blocks it, or at ``long_stop`` if it is still pending then. A run may end with it
  pending (no end recorded; the state says which pending status it is in).
- If it has not completed by ``funding.deadline``, ``FundingConditionMissed``
  records, at that date and once, the funding the investor withholds.

The actor never touches contracts: the consenting party's fallback, the contract in
force, stays in force whatever happens to the conversion.
"""

from __future__ import annotations

from collections.abc import Generator
from typing import Any, ClassVar

import attrs
import numpy as np

from agents.world import World
from events.model import (
    ConsentGiven,
    ConsentRefused,
    ContractSigned,
    Event,
    FundingConditionMissed,
    NegotiationEnded,
    RestructuringEnded,
    RestructuringProposed,
    RestructuringReviewed,
)


@attrs.frozen(slots=True)
class Reviewer:
    """A reviewer of the conversion, its parameters drawn for this run."""

    key: str
    review_months: float
    approval_probability: float
    conditions_probability: float = 0.0

    def ruling(self, u: float, v: float) -> str:
        """The outcome for two uniform draws in [0, 1): a pure function, easy to test."""
        if u >= self.approval_probability:
            return "blocked"
        return "approved_with_conditions" if v < self.conditions_probability else "approved"


@attrs.frozen(slots=True)
class FundingCondition:
    """``investor`` withholds ``amount_bn`` unless the conversion completes by ``deadline``."""

    investor: str
    amount_bn: float
    deadline: float


@attrs.define(kw_only=True)
class Restructuring:
    """The conversion as a SimPy process; :meth:`process` also subscribes it to the
    deals and walk-aways that give or refuse the consent."""

    # A fork may change no key of [restructuring]; under another seed its draws to
    # come are made afresh.
    SETTINGS: ClassVar[frozenset[str]] = frozenset(("rng",))

    by: str
    form: str
    proposed: float
    consent_from: str
    reviewers: tuple[Reviewer, ...]
    rng: np.random.Generator
    long_stop: float | None = None
    funding: FundingCondition | None = None
    # What happened so far (the log says the same; see events.replay).
    status: str = attrs.field(default="none", init=False)  # none|pending|completed|failed
    consent: bool = attrs.field(default=False, init=False)
    approved: set[str] = attrs.field(factory=set, init=False)
    _world: World | None = attrs.field(default=None, init=False)

    def process(self, world: World) -> Generator[Any, Any, None]:
        """Subscribe to the talks' outcomes now, and return the actor's process."""
        self._world = world
        world.subscribe((ContractSigned, NegotiationEnded), self._observe)
        return self._run(world)

    # --- processes ------------------------------------------------------------------

    def _run(self, world: World) -> Generator[Any, Any, None]:
        env = world.env
        if self.funding is not None:
            env.process(self._funding_condition(world, self.funding))
        if self.proposed > env.now:
            yield env.timeout(self.proposed - env.now)
        funding = self.funding
        proposal = RestructuringProposed(
            self.by,
            self.form,
            self.consent_from,
            tuple(reviewer.key for reviewer in self.reviewers),
            long_stop=self.long_stop,
            funding_investor=None if funding is None else funding.investor,
            funding_at_risk_bn=0.0 if funding is None else funding.amount_bn,
            funding_deadline=None if funding is None else funding.deadline,
        )
        world.post(self.by, proposal)
        self.status = "pending"
        for reviewer in self.reviewers:
            env.process(self._review(world, reviewer))
        if self.long_stop is not None:
            if self.long_stop > env.now:
                yield env.timeout(self.long_stop - env.now)
            if self.status == "pending":
                self._end(world, "failed", "long_stop")

    def _review(self, world: World, reviewer: Reviewer) -> Generator[Any, Any, None]:
        yield world.env.timeout(reviewer.review_months)
        if self.status != "pending":  # blocked by another reviewer, or the long stop passed
            return
        u, v = float(self.rng.random()), float(self.rng.random())
        outcome = reviewer.ruling(u, v)
        world.post(reviewer.key, RestructuringReviewed(reviewer.key, outcome))
        if outcome == "blocked":
            self._end(world, "failed", "blocked")
            return
        self.approved.add(reviewer.key)
        self._complete_if_ready(world)

    def _funding_condition(
        self, world: World, funding: FundingCondition
    ) -> Generator[Any, Any, None]:
        env = world.env
        if funding.deadline > env.now:
            yield env.timeout(funding.deadline - env.now)
        if self.status != "completed":
            world.post(
                funding.investor, FundingConditionMissed(funding.investor, funding.amount_bn)
            )

    # --- the consent: what the talks did --------------------------------------------

    def _observe(self, _seq: int, event: Event) -> None:
        world = self._world
        if world is None or self.status != "pending" or self.consent:
            return
        if type(event) is ContractSigned:
            negotiated = event.review or bool(event.terms.values)
            if negotiated and self.consent_from in event.parties:
                self.consent = True
                world.post(self.consent_from, ConsentGiven(self.consent_from, event.contract_id))
                self._complete_if_ready(world)
        elif (
            type(event) is NegotiationEnded
            and event.reason == "walk_away"
            and event.by == self.consent_from
        ):
            world.post(self.consent_from, ConsentRefused(self.consent_from))

    # --- the end ----------------------------------------------------------------------

    def _complete_if_ready(self, world: World) -> None:
        if (
            self.status == "pending"
            and self.consent
            and all(reviewer.key in self.approved for reviewer in self.reviewers)
        ):
            self._end(world, "completed", "consent_and_approvals")

    def _end(self, world: World, outcome: str, reason: str) -> None:
        self.status = outcome
        world.post(self.by, RestructuringEnded(outcome, reason))


__all__ = ["FundingCondition", "Restructuring", "Reviewer"]
