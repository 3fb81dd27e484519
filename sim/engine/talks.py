"""The negotiation as rounds of talks: who sits at the table, until when, and when
talks reopen.

A round opens with two fresh negotiators (their strategies, views and clocks; the
parties' random streams carry on from round to round). Each party concedes on its
own clock, from the talks' first opening to its own deadline: its ``deadline`` (a
date the world sets, such as a funding condition), else ``patience`` time units
after the first opening, else the negotiation's deadline. A reopened round resumes
each curve where time has brought it; past its deadline a party holds at its
reservation value. A round lasts until the later of the parties' deadlines, or, for
a party already past its own, ``patience`` after the round opened (a time box); at
the negotiation's ``deadline`` if that comes first; or until agreement or a
walk-away.

With ``negotiation.reopen``, talks that end without a deal in force reopen: once
``cooldown`` has passed since they ended *and* the world has changed since (an AGI
event, an outside deal, a ruling, a contract's end: anything that can move a party's
alternatives), at most ``max_rounds`` rounds in all, never after the negotiation's
deadline. A deal that was blocked, or that expired, reopens talks the same way.
Each round then starts with a ``TalksOpened`` event.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Generator
from typing import TYPE_CHECKING, Any

import simpy

from agents.appraisal import Appraiser, WorldFacts
from agents.inbox import Inbox
from agents.negotiator import NegotiationClock, Negotiator
from agents.strategies import make_strategy
from agents.strategies.base import NegotiationView, Strategy
from events.model import (
    ContractExpired,
    ContractSigned,
    Event,
    FirstRefusalExercised,
    FundingConditionMissed,
    MilestoneReached,
    NegotiationEnded,
    OutsideDealAccepted,
    OutsideOptionImproved,
    RestructuringEnded,
    RulingIssued,
    TalksOpened,
)
from sim.domain import negotiation_domain, ranked_utilities
from sim.engine.party_valuation import world_valuation
from sim.scenario import Scenario, ScenarioError
from sim.seeding import RunSeed, stream

if TYPE_CHECKING:
    from sim.engine.simulation import EngineWorld

# What can move a party's alternatives, and so reopen talks after a cool-down.
WORLD_CHANGES: tuple[type, ...] = (
    MilestoneReached,
    OutsideDealAccepted,
    FirstRefusalExercised,
    RulingIssued,
    ContractExpired,
    ContractSigned,
    FundingConditionMissed,
    RestructuringEnded,
    OutsideOptionImproved,
)


class Talks:
    """Rounds of talks between the scenario's two negotiating parties."""

    def __init__(self, world: EngineWorld, scenario: Scenario, seed: RunSeed) -> None:
        self.world = world
        self.scenario = scenario
        negotiation = scenario.negotiation
        self.negotiation = negotiation
        self.parties = negotiation.parties
        self.domain = negotiation_domain(
            tuple((spec.name, tuple(spec.values)) for spec in negotiation.issues)
        )
        self.specs = {party.key: party for party in scenario.parties}
        self.strategies = {key: self._strategy(key) for key in self.parties}
        self.rngs = {key: stream(seed, f"party:{key}") for key in self.parties}
        self.reopen = negotiation.reopen if negotiation.protocol == "alternating" else None
        self.world_valued = negotiation.valuation == "world"
        self.rounds = 0
        self.changed = False  # the world changed since the last round ended
        self.deal_alive = False  # a deal of these talks is pending or in force
        self.last_end = "opened"
        self._deal_id: str | None = None
        self._wake: simpy.Event | None = None
        self._ended: simpy.Event | None = None
        space = self.domain.space
        self._fallback = (
            None
            if negotiation.fallback is None
            else space.index(value for _, value in negotiation.fallback)
        )

    # --- rounds -----------------------------------------------------------------

    def use(self, scenario: Scenario) -> None:
        """Rounds opened from now on seat parties as ``scenario`` describes them (a
        fork changed a party's strategy, reservation or preferences)."""
        self.scenario = scenario
        self.negotiation = scenario.negotiation
        self.specs = {party.key: party for party in scenario.parties}
        self.strategies = {key: self._strategy(key) for key in self.parties}

    def reseed(self, seed: RunSeed) -> None:
        """The parties draw from ``seed``'s streams from now on: at the table now, and
        in the rounds after (a fork under another seed)."""
        self.rngs = {key: stream(seed, f"party:{key}") for key in self.parties}
        for key, party in self.world.negotiators.items():
            party.view.rng = self.rngs[key]

    def end_round_at(self, ends: float) -> Generator[Any, Any, None]:
        """Process: the round now at the table ends at ``ends`` if still open then (a
        fork moved the negotiation's deadline; restart ``"deadline"`` with it)."""
        return self._round_end(self.rounds, ends)

    def _strategy(self, key: str) -> Strategy:
        """Made once (strategies are frozen values): a bad parameter fails at build."""
        spec = self.specs[key]
        try:
            return make_strategy(spec.strategy, **dict(spec.params))
        except ValueError as exc:
            raise ScenarioError(f"parties.{key}.params: {exc}") from None

    def start(self) -> None:
        """Open the first round (its processes start now and wait for ``opens``)."""
        world = self.world
        if self.reopen is not None or self.world_valued:
            world.subscribe((NegotiationEnded,), self._on_end)
            world.subscribe(WORLD_CHANGES, self._on_change)
        if self.reopen is not None:
            world.start("talks", self.process())
        else:
            self._open_round(self.negotiation.opens, record=False)

    def process(self) -> Generator[Any, Any, None]:
        """Process: open the first round at ``opens``, then reopen while allowed."""
        env = self.world.env
        reopen = self.reopen
        assert reopen is not None
        opens = self.negotiation.opens
        if env.now < opens:
            yield env.timeout(opens - env.now)
        while self._open_round(env.now, record=True):
            self._ended = env.event()
            yield self._ended
            if self.rounds >= reopen.max_rounds:
                return
            yield env.timeout(reopen.cooldown)
            while self.deal_alive or not self.changed:
                self._wake = env.event()
                yield self._wake

    def _open_round(self, now: float, *, record: bool) -> bool:
        """Seat two fresh negotiators; False if no round can open any more."""
        world = self.world
        negotiation = self.negotiation
        hard = negotiation.deadline
        clocks = {key: self._clock(key) for key in self.parties}
        if negotiation.protocol == "sao":
            ends = max(clock.deadline for clock in clocks.values())
        else:
            ends = max(self._round_ends(key, now) for key in self.parties)
        if hard is not None and negotiation.protocol == "alternating":
            ends = min(ends, hard)
        if record and not ends > now:
            return False
        self.rounds += 1
        self.changed = False
        if record:
            world.post(
                "engine", TalksOpened(self.rounds, self.parties, self.last_end, ends)
            )
        world.open = True
        first_key, second_key = self.parties
        negotiators = {
            key: self._negotiator(key, opponent, clocks[key])
            for key, opponent in ((first_key, second_key), (second_key, first_key))
        }
        world.negotiators = negotiators
        for key, party in negotiators.items():
            world.start(f"party:{key}", party.process(world))
        world.start("deadline", self._round_end(self.rounds, ends))
        return True

    def _round_end(self, number: int, ends: float) -> Generator[Any, Any, None]:
        """Process: round ``number`` ends at ``ends`` if it is still open then."""
        world = self.world
        env = world.env
        if ends > env.now:
            yield env.timeout(ends - env.now)
        if world.open and self.rounds == number:
            world.post("engine", NegotiationEnded("deadline", self.parties, None))

    def _clock(self, key: str) -> NegotiationClock:
        negotiation = self.negotiation
        if negotiation.protocol == "sao":
            return NegotiationClock(
                opens=negotiation.opens,
                deadline=negotiation.opens + negotiation.n_steps,  # type: ignore[operator]
                round=0.5,
                n_steps=negotiation.n_steps,
                step_length=1.0,
            )
        # A party concedes from the talks' first opening to its own deadline, over
        # every round: a reopened round resumes its curve where time has brought it,
        # and past its deadline it holds at its reservation value.
        deadline = self._own_deadline(key)
        return NegotiationClock(negotiation.opens, deadline, negotiation.round)  # type: ignore[arg-type]

    def _own_deadline(self, key: str) -> float:
        spec = self.specs[key]
        if spec.deadline is not None:
            return spec.deadline
        if spec.patience is not None:
            return self.negotiation.opens + float(spec.patience)  # type: ignore[arg-type]
        return self.negotiation.deadline if self.negotiation.deadline is not None else math.inf

    def _round_ends(self, key: str, now: float) -> float:
        """Until when ``key`` sits in a round opened ``now``: its own deadline while
        that is ahead, else its ``patience`` more (a round is a time box)."""
        deadline = self._own_deadline(key)
        if deadline > now:
            return deadline
        patience = self.specs[key].patience
        return now + float(patience) if patience is not None else deadline  # type: ignore[arg-type]

    def _negotiator(self, key: str, opponent: str, clock: NegotiationClock) -> Negotiator:
        spec = self.specs[key]
        space = self.domain.space
        utilities, ranking = ranked_utilities(space, spec.weights, spec.value_tables)
        strategy = self.strategies[key]
        per_step = clock.step_length or clock.round
        view = NegotiationView(
            utilities=utilities,
            ranking=ranking,
            reservation=float(spec.reservation),  # type: ignore[arg-type]
            rng=self.rngs[key],
            discount=float(spec.discount) ** per_step,  # type: ignore[arg-type]
            opponent_discount=float(self.specs[opponent].discount) ** per_step,  # type: ignore[arg-type]
            is_first_mover=key == self.parties[0],
            issue_values=space.value_indices,  # what an opponent model learns from
        )
        return Negotiator(
            key=key,
            opponent=opponent,
            strategy=strategy,
            view=view,
            clock=clock,
            offer_of=self.domain.offer_of,
            inbox=Inbox(self.world.env),
            first=key == self.parties[0],
            appraiser=self.appraiser(key),
        )

    def appraiser(self, key: str) -> Appraiser | None:
        """What lets ``key`` read the world before each turn (world valuations only)."""
        if not self.world_valued:
            return None
        spec = self.specs[key]
        return Appraiser(
            world_valuation(self.scenario, key, self.domain.space),
            float(spec.reservation),  # type: ignore[arg-type]
            self._facts,
            self._outside(key),
        )

    def _outside(self, key: str) -> Callable[[float], float]:
        """``key``'s walk-away value from the world's alternatives (outside compute and
        funding for OpenAI, own models and other labs for Microsoft: ``agents.
        alternatives``), read from the state at each turn; 0 without any."""
        world = self.world

        def outside(now: float) -> float:
            alternatives = world.alternatives
            if alternatives is None or key not in alternatives.parties():
                return 0.0
            return alternatives.value(key, world.folder, now)  # the fold's few fields it reads

        return outside

    # --- what the parties read of the world -------------------------------------

    def _facts(self) -> WorldFacts:
        folder = self.world.folder
        status_quo = None
        if folder.contract_id is not None and folder.status != "expired":
            terms = folder.terms
            if terms is not None and terms.values:
                status_quo = self._index_of(terms.as_dict())
            else:
                status_quo = self._fallback
        return WorldFacts(folder.agi_time, folder.agi_verified_time, status_quo)

    def _index_of(self, values: dict[str, Any]) -> int | None:
        try:
            return self.domain.space.index(values[name] for name in self.domain.space.issue_names)
        except (KeyError, ValueError):
            return None  # not a bundle of these talks (another scenario's terms)

    # --- what ends and reopens rounds -------------------------------------------

    def _on_end(self, seq: int, event: Event) -> None:
        assert isinstance(event, NegotiationEnded)
        if event.reason == "agreement":
            self.deal_alive = True
            self._deal_id = None  # learnt from the ContractSigned that follows
        else:
            self.last_end = event.reason
        ended, self._ended = self._ended, None
        if ended is not None:
            ended.succeed()

    def _on_change(self, seq: int, event: Event) -> None:
        kind = type(event)
        if kind is ContractSigned:
            if event.review and self.deal_alive and self._deal_id is None:  # type: ignore[union-attr]
                self._deal_id = event.contract_id  # type: ignore[union-attr]
                return  # our own deal: not a change of the world
        elif kind is RulingIssued:
            if event.outcome == "blocked" and event.contract_id == self._deal_id:  # type: ignore[union-attr]
                self.deal_alive = False
                self.last_end = "blocked"
        elif kind is ContractExpired and event.contract_id == self._deal_id:  # type: ignore[union-attr]
            self.deal_alive = False
            self.last_end = "expired"
        self.changed = True
        wake, self._wake = self._wake, None
        if wake is not None:
            wake.succeed()


__all__ = ["WORLD_CHANGES", "Talks"]
