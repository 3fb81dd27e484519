"""The engine: builds a SimPy world from a scenario, runs it, records every act.

The engine routes messages between parties and records each as an event (through a
log writer) and folds it with the shared ``Folder``; it keeps no contract state of
its own. Deterministic: no wall clock, no random ids; every actor draws from its own
named stream of the run's seed (``sim.seeding``).
"""

from __future__ import annotations

import datetime as dt
import functools
import math
from collections.abc import Callable, Generator
from typing import Any, Protocol

import simpy

from agents.alternatives import Alternatives
from agents.competitor import Competitor, Tranche
from agents.complaint import Complainant
from agents.first_refusal import RofrPolicy, first_refusal
from agents.milestone import AgiMilestone
from agents.negotiator import Negotiator
from agents.outside_option import OutsideOption
from agents.regulator import Regulator
from agents.restructuring import FundingCondition, Restructuring, Reviewer
from events import SCHEMA_VERSION, __version__
from events.calendar import months_between
from events.clauses import Clause
from events.codec import Recorded
from events.model import (
    ContractExpired,
    ContractSigned,
    Event,
    NegotiationEnded,
    OfferAccepted,
    OfferMade,
    OutsideOfferMade,
    RegulatorAsked,
    ReviewOpened,
    RulingIssued,
    RunEnded,
    RunStarted,
)
from events.replay import Folder
from events.state import ContractState
from events.writer import MemoryLog
from sim.money import alternatives_for, compute_need_for, rofr_policy_for
from sim.run.result import RunResult
from sim.scenario import Scenario, resolve
from sim.scenario.deal import DealTemplate
from sim.scenario.distributions import concrete
from sim.scenario.schema import RegulatorSpec
from sim.seeding import RunSeed, stream
from sim.talks import Talks


class LogSink(Protocol):
    def append(self, t: float, event: Event) -> int: ...

    @property
    def digest(self) -> str: ...


class _World:
    """The running world: what parties see through ``agents.world.World``."""

    def __init__(self, env: simpy.Environment, sink: LogSink) -> None:
        self.env = env
        self.sink = sink
        self.folder = Folder()
        self.records: list[Recorded] = []
        self._append = sink.append  # bound once: record() is the engine's hottest path
        self._keep = self.records.append
        self.negotiators: dict[str, Negotiator] = {}
        self.regulators: list[Regulator] = []
        self.review = False
        self.open = True
        self.target = ""
        self.rofr_window = 1.0
        self.rofr_policy = RofrPolicy()  # when the first refusal's holder matches
        # Both sides' walk-away values from the state (agents.alternatives); None when
        # the scenario has no [alternatives] tables.
        self.alternatives: Alternatives | None = None
        self.start: dt.date | None = None  # calendar of t = 0 (month scenarios only)
        self.deal: DealTemplate | None = None
        self._contract: str | None = None
        self._extensions = 0
        self.boosts: dict[str, float] = {}
        # Handles on the actors and their processes, kept for forks (sim.whatif) to
        # reconfigure a running world; nothing in a plain run reads them.
        self.competitors: dict[str, Competitor] = {}
        self.milestone: AgiMilestone | None = None
        self.talks: Talks | None = None
        self.restructuring: Restructuring | None = None
        self.outside_options: dict[str, OutsideOption] = {}
        self.complainants: list[Complainant] = []
        self.processes: dict[str, simpy.Process] = {}
        # Observers of recorded events, by event type (``subscribe``); empty in most runs.
        self._watchers: dict[type, list[Callable[[int, Event], None]]] = {}

    def subscribe(self, kinds: tuple[type, ...], callback: Callable[[int, Event], None]) -> None:
        """Call ``callback(seq, event)`` right after every recorded event of ``kinds``.

        For actors that react to what others did (a restructuring waiting for consent,
        a party complaining after talks break down) without the engine routing each
        case by hand. Callbacks run inside the SimPy step that recorded the event, in
        subscription order; they may record events and start processes.
        """
        for kind in kinds:
            self._watchers.setdefault(kind, []).append(callback)

    # --- recording --------------------------------------------------------------

    def record(self, event: Event) -> int:
        # ``_log`` inlined: this is the engine's hottest path, a frame per event shows.
        now = self.env.now
        seq = self._append(now, event)
        record = tuple.__new__(Recorded, (seq, now, event))
        self._keep(record)
        folder = self.folder
        folder.apply(record)
        if folder.contract_id != self._contract:
            self._contract = folder.contract_id
            if self._contract is not None and folder.term_end is not None:
                self._schedule_expiry(self._contract, folder.term_end)
        if self._watchers:
            self._notify(seq, event)
        return seq

    def _log(self, event: Event) -> int:
        """Append ``event`` to the log and fold it; its seq."""
        now = self.env.now
        seq = self._append(now, event)
        record = tuple.__new__(Recorded, (seq, now, event))  # Recorded(...), one frame less
        self._keep(record)
        folder = self.folder
        folder.apply(record)
        if folder.contract_id != self._contract:
            self._contract = folder.contract_id
            if self._contract is not None and folder.term_end is not None:
                self._schedule_expiry(self._contract, folder.term_end)
        return seq

    def _notify(self, seq: int, event: Event) -> None:
        watchers = self._watchers.get(type(event))
        if watchers:
            for callback in watchers:
                callback(seq, event)

    # --- agents.world.World -----------------------------------------------------

    def post(self, sender: str, event: Event, index: int | None = None) -> int:
        seq = self.record(event)
        kind = type(event)
        # ``kind is X`` is the fastest dispatch but does not narrow for mypy: the
        # ignores below are that, nothing else.
        if kind is OfferMade:
            self.negotiators[event.receiver].inbox.put((seq, event, index))  # type: ignore[union-attr]
        elif kind is OfferAccepted:
            self._close_deal(seq, event)  # type: ignore[arg-type]
        elif kind is NegotiationEnded:
            self._end_talks(seq, event)  # type: ignore[arg-type]
        elif kind is OutsideOfferMade:
            target = self.negotiators.get(event.to)  # type: ignore[union-attr]
            if target is not None:
                target.inbox.put((seq, event, self.boosts[event.competitor]))  # type: ignore[union-attr]
            self.env.process(first_refusal(self, seq, event, self.rofr_policy))  # type: ignore[arg-type]
        return seq

    def state(self) -> ContractState:
        return self.folder.state()

    def talks_open(self) -> bool:
        return self.open

    # --- protocol rules ----------------------------------------------------------

    def _end_talks(self, seq: int, event: NegotiationEnded) -> None:
        self.open = False
        for party in self.negotiators.values():
            party.inbox.put((seq, event, None))

    def _close_deal(self, seq: int, accepted: OfferAccepted) -> None:
        parties = tuple(self.negotiators)
        ended = NegotiationEnded("agreement", parties, None)
        self._end_talks(self.record(ended), ended)
        self._extensions += 1
        review = self.review and bool(self.regulators)
        clauses: tuple[Clause, ...] = ()
        term_end = None
        if self.deal is not None:
            folder = self.folder
            clauses, term_end = self.deal.amend(
                folder.clauses, folder.term_end, accepted.terms.as_dict()
            )
        signed = ContractSigned(
            contract_id=f"extension-{self._extensions}",
            parties=parties,
            clauses=clauses,
            review=review,
            terms=accepted.terms,
            term_end=term_end,
        )
        signed_seq = self.record(signed)
        if review:
            for regulator in self.regulators:
                regulator.inbox.put((signed_seq, signed, None))

    def _schedule_expiry(self, contract_id: str, term_end: int) -> None:
        """A contract runs through 31 December of its ``term_end`` year."""
        if self.start is not None:
            at = months_between(self.start, dt.date(term_end + 1, 1, 1))
            self.env.process(self._expire(contract_id, at))

    def _expire(self, contract_id: str, at: float) -> Generator[Any, Any, None]:
        if at > self.env.now:
            yield self.env.timeout(at - self.env.now)
        if self.folder.contract_id == contract_id:
            self.record(ContractExpired(contract_id))


def simulate(
    scenario: Scenario, seed: RunSeed | str | int = 0, *, sink: LogSink | None = None
) -> RunResult:
    """Run one seeded simulation of ``scenario``; the log goes to ``sink`` (memory by default)."""
    return Simulation(scenario, seed, sink=sink).run()


class Simulation:
    """One run, opened up: ``simulate(...)`` is ``Simulation(...).run()``.

    Construction records ``RunStarted`` and builds every actor (no process has moved
    yet); :meth:`run` steps the world to the horizon and records ``RunEnded``.

    Two hooks serve forks (``sim.whatif``) and cost a plain run nothing:

    - ``drawn``: the parameters already drawn for this run; ``scenario`` must then be
      the resolved scenario (a log's ``RunStarted`` ``scenario`` and ``drawn``
      re-create that ``RunStarted`` byte for byte). None draws them here, as usual.
    - ``on_record``: called with the seq of every event recorded after construction,
      right after the event is recorded and folded, inside the SimPy step that
      recorded it. It may change actors' attributes, record events through
      ``world.record`` and start processes; the world runs on from there.
    """

    def __init__(
        self,
        scenario: Scenario,
        seed: RunSeed | str | int = 0,
        *,
        sink: LogSink | None = None,
        drawn: dict[str, Any] | None = None,
        on_record: Callable[[int], None] | None = None,
    ) -> None:
        run_seed = seed if isinstance(seed, RunSeed) else RunSeed.parse(str(seed))
        if drawn is None:
            resolved, drawn = resolve(scenario, stream(run_seed, "draws"))
        elif not scenario.is_resolved:
            raise ValueError("a Simulation given `drawn` needs a resolved scenario")
        else:
            resolved = scenario
        env = simpy.Environment()
        log = sink if sink is not None else MemoryLog()
        world = _World(env, log) if on_record is None else _WatchedWorld(env, log)
        world.record(
            RunStarted(
                resolved.to_data(),
                str(run_seed),
                SCHEMA_VERSION,
                __version__,
                resolved.start.isoformat(),
                resolved.time_unit,
                {key: drawn[key] for key in sorted(drawn)},
            )
        )
        _build(world, resolved, run_seed)
        if isinstance(world, _WatchedWorld):
            world.on_record = on_record
        self.scenario = resolved
        self.seed = run_seed
        self.drawn = drawn
        self.env = env
        self.log = log
        self.world = world

    def run(self) -> RunResult:
        """Run to the horizon (or until nothing is left to happen) and end the log."""
        env, world, log = self.env, self.world, self.log
        horizon = self.scenario.horizon
        step = env.step
        peek = env.peek
        records = world.records
        budget = self.scenario.max_events - 1  # RunEnded counts too
        while peek() <= horizon:
            step()
            if len(records) > budget:
                from sim.event_budget import over_budget

                raise over_budget(self.scenario, records)
        if math.isinf(peek()):
            reason = "quiescent"
        else:
            reason = "horizon"
            if env.now < horizon:
                env.run(until=horizon)
        world.record(RunEnded(reason))
        return RunResult(
            scenario=self.scenario,
            seed=str(self.seed),
            drawn=self.drawn,
            records=world.records,
            log=log,
            digest=log.digest,
            live_final=world.folder.state(),
        )


class _WatchedWorld(_World):
    """A world that calls ``on_record(seq)`` after each event (forks only)."""

    def __init__(self, env: simpy.Environment, sink: LogSink) -> None:
        super().__init__(env, sink)
        self.on_record: Callable[[int], None] | None = None

    def record(self, event: Event) -> int:
        # The fork's hook runs before any watcher can record an event of its own, so
        # that a fork right after ``seq`` sees the log end at ``seq``.
        seq = self._log(event)
        if self.on_record is not None:
            self.on_record(seq)
        if self._watchers:
            self._notify(seq, event)
        return seq


def _build(world: _World, scenario: Scenario, seed: RunSeed) -> None:
    """Create every actor of the scenario and start its process."""
    env = world.env
    negotiation = scenario.negotiation
    second_key = negotiation.parties[1]
    world.target = "openai" if "openai" in negotiation.parties else second_key
    world.review = negotiation.review

    if scenario.time_unit == "month":
        world.start = scenario.start
    world.deal = negotiation.deal
    need = compute_need_for(scenario)
    world.alternatives = alternatives_for(scenario, need)
    if scenario.rofr is not None:
        world.rofr_window = scenario.rofr.window
        world.rofr_policy = rofr_policy_for(scenario, world.alternatives)

    # History first: the prelude's contracts take force at their dates.
    if scenario.prelude:
        world.processes["prelude"] = env.process(
            prelude_process(world, scenario, negotiation.parties)
        )

    talks = Talks(world, scenario, seed)
    world.talks = talks
    talks.start()

    for spec in scenario.regulators:
        regulator = Regulator(
            key=spec.key,
            name=spec.name,
            strictness=concrete(spec.strictness),
            review_months=concrete(spec.review_months),
            conditions=spec.conditions,
            rng=stream(seed, f"regulator:{spec.key}"),
            inbox=simpy.Store(env),
            powers=spec.powers,
            control_threshold=spec.control_threshold,
            in_force_rng=stream(seed, f"regulator:{spec.key}:in_force"),
        )
        world.regulators.append(regulator)
        world.processes[f"regulator:{spec.key}"] = env.process(regulator.process(world))
        _build_complaints(world, scenario, seed, regulator, spec)

    if scenario.restructuring is not None:
        world.restructuring = restructuring_actor(scenario, seed)
        world.processes["restructuring"] = env.process(world.restructuring.process(world))

    world.boosts = {c.key: concrete(c.boost) for c in scenario.competitors}
    for offerer in scenario.competitors:
        competitor = Competitor(
            offerer.key,
            offerer.name,
            world.target,
            offerer.kind,
            concrete(offerer.intensity),
            offerer.first,
            offerer.value_bn_low,
            offerer.value_bn_high,
            world.rofr_window,
            stream(seed, f"competitor:{offerer.key}"),
            schedule=offerer.schedule,
            tranches=tuple(Tranche(t.at, t.value_bn, t.taken) for t in offerer.tranches),
            programme_bn=(
                math.inf if offerer.programme_bn is None else concrete(offerer.programme_bn)
            ),
            until=math.inf if offerer.until is None else offerer.until,
            need=need,
        )
        world.competitors[offerer.key] = competitor
        world.processes[f"competitor:{offerer.key}"] = env.process(competitor.process(world))

    for option_spec in scenario.outside_options:
        option = OutsideOption(
            party=option_spec.party,
            option=option_spec.option,
            since=option_spec.since,
            initial=concrete(option_spec.initial),
            ceiling=concrete(option_spec.ceiling),
            ramp_months=concrete(option_spec.ramp_years) * 12.0,
            every=option_spec.every,
            rng=stream(seed, f"outside_option:{option_spec.key}"),
        )
        world.outside_options[option_spec.key] = option
        world.processes[f"outside_option:{option_spec.key}"] = env.process(option.process(world))

    if scenario.agi is not None:
        agi = scenario.agi
        milestone = AgiMilestone(
            concrete(agi.at),
            world.target,
            agi.verification,
            agi.verification_delay,
            agi.verification_probability,
            stream(seed, "agi"),
        )
        world.milestone = milestone
        world.processes["agi"] = env.process(milestone.process(world))


def restructuring_actor(scenario: Scenario, seed: RunSeed) -> Restructuring:
    """The ``[restructuring]`` section's actor (a resolved scenario: every value drawn)."""
    plan = scenario.restructuring
    assert plan is not None
    funding = None
    if plan.funding_deadline is not None and plan.funding_investor is not None:
        funding = FundingCondition(
            plan.funding_investor, plan.funding_at_risk_bn, plan.funding_deadline
        )
    return Restructuring(
        by=plan.by,
        form=plan.form,
        proposed=plan.proposed,
        consent_from=plan.consent_from,
        reviewers=tuple(
            Reviewer(
                r.key,
                concrete(r.review_months),
                concrete(r.approval_probability),
                concrete(r.conditions_probability),
            )
            for r in plan.reviewers
        ),
        rng=stream(seed, "restructuring"),
        long_stop=None if plan.long_stop is None else concrete(plan.long_stop),
        funding=funding,
    )


def _build_complaints(
    world: _World, scenario: Scenario, seed: RunSeed, regulator: Regulator, spec: RegulatorSpec
) -> None:
    """A regulator's reviews of the contract in force: those a party may ask for
    (``complaints_from``), and one the prelude opened and left open (ruled at its
    ``due``, e.g. a backtest ``--as-of`` a date inside the CMA's 2023-25 inquiry)."""
    env = world.env
    if spec.complaints_from:
        world.subscribe((RegulatorAsked,), regulator.on_asked(world))
    for party in spec.complaints_from:
        complainant = Complainant(
            party,
            spec.key,
            concrete(spec.complaint_probability),
            concrete(spec.complaint_delay),
            stream(seed, f"complaint:{party}:{spec.key}"),
        )
        world.complainants.append(complainant)
        world.subscribe((NegotiationEnded,), functools.partial(complainant.on_ended, world=world))
    opened = None
    for entry in scenario.prelude:
        if entry.review is not None and entry.review.regulator == spec.key:
            opened = entry.review
        elif (
            entry.ruling is not None
            and entry.ruling.regulator == spec.key
            and entry.ruling.outcome != "inquiry"
        ):
            opened = None
    if opened is not None:
        world.processes[f"regulator:{spec.key}:in_force"] = env.process(
            _after_prelude(world, opened.due, regulator)
        )


def _after_prelude(world: _World, due: float, regulator: Regulator) -> Generator[Any, Any, None]:
    """Process: a review the prelude left open is ruled at ``due`` (or at once)."""
    yield from regulator.review_in_force(world, due=due)


def prelude_process(
    world: _World, scenario: Scenario, parties: tuple[str, ...]
) -> Generator[Any, Any, None]:
    """Process: the scenario's history at its dates: each contract taking force, each
    regulator's review and ruling of the contract in force (one event per entry)."""
    env = world.env
    for entry in scenario.prelude:
        if entry.at > env.now:
            yield env.timeout(entry.at - env.now)
        review, ruling = entry.review, entry.ruling
        if review is not None:
            world.record(
                ReviewOpened(review.regulator, entry.contract_id, review.due, in_force=True)
            )
        elif ruling is not None:
            world.record(
                RulingIssued(
                    ruling.regulator,
                    entry.contract_id,
                    ruling.outcome,
                    ruling.conditions,
                    in_force=True,
                )
            )
        else:
            world.record(
                ContractSigned(
                    contract_id=entry.id,
                    parties=parties,
                    clauses=entry.clauses,
                    review=False,
                    term_end=entry.term_end,
                )
            )


def deadline_process(
    world: _World, deadline: float, parties: tuple[str, ...]
) -> Generator[Any, Any, None]:
    """Process: the talks end at ``deadline`` if they are still open."""
    env = world.env
    if deadline > env.now:
        yield env.timeout(deadline - env.now)
    if world.open:
        world.post("engine", NegotiationEnded("deadline", parties, None))


__all__ = ["LogSink", "Simulation", "deadline_process", "prelude_process", "simulate"]
