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
from collections.abc import Callable, Generator, Mapping
from typing import Any, Protocol

import simpy

from agents.alternatives import Alternatives
from agents.competitor import Competitor
from agents.complaint import Complainant
from agents.first_refusal import first_refusal
from agents.messages import DealToReview, OfferDelivered, OutsideOfferDelivered, TalksEnded
from agents.milestone import AgiMilestone
from agents.negotiator import Negotiator
from agents.outside_option import OutsideOption
from agents.regulator import Regulator
from agents.restructuring import Restructuring
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
from sim.engine.actors import (
    build_competitor,
    build_complainants,
    build_milestone,
    build_outside_option,
    build_regulator,
    build_restructuring,
)
from sim.engine.config import WorldConfig, config_for
from sim.engine.money import compute_need_for
from sim.engine.talks import Talks
from sim.run.result import RunResult
from sim.scenario import Scenario, resolve
from sim.scenario.schema import RegulatorSpec
from sim.seeding import RunSeed, stream

_tuple_new = tuple.__new__


class LogSink(Protocol):
    def append(self, t: float, event: Event) -> int: ...

    @property
    def digest(self) -> str: ...


class EngineWorld:
    """The running world: what parties see through ``agents.world.World``.

    Built with its rules (``config``, a frozen ``WorldConfig`` made from the scenario);
    a fork replaces them with :meth:`reconfigure` and restarts actors' processes with
    :meth:`restart`. The actors and their processes are kept by name for that.
    """

    def __init__(self, env: simpy.Environment, sink: LogSink, config: WorldConfig) -> None:
        self.env = env
        self.sink = sink
        self.config = config
        self.folder = Folder()
        self.records: list[Recorded] = []
        self._append = sink.append  # bound once: record() is the engine's hottest path
        self._keep = self.records.append
        self.negotiators: dict[str, Negotiator] = {}  # the round of talks at the table
        self.open = True
        self._contract: str | None = None
        self._extensions = 0
        # Handles on the actors and their processes, kept for forks (sim.whatif) to
        # reconfigure a running world; nothing in a plain run reads them.
        self.regulators: list[Regulator] = []
        self.competitors: dict[str, Competitor] = {}
        self.milestone: AgiMilestone | None = None
        self.talks: Talks | None = None
        self.restructuring: Restructuring | None = None
        self.outside_options: dict[str, OutsideOption] = {}
        self.complainants: list[Complainant] = []
        self.processes: dict[str, simpy.Process] = {}
        # Observers of recorded events, by event type (``subscribe``); empty in most runs.
        self._watchers: dict[type, list[Callable[[int, Event], None]]] = {}

    @property
    def alternatives(self) -> Alternatives | None:
        return self.config.alternatives

    def reconfigure(self, config: WorldConfig) -> None:
        """Apply ``config`` from now on (deals signed, offers made and matched after)."""
        self.config = config

    def start(self, name: str, process: Generator[Any, Any, None]) -> None:
        """Start an actor's ``process`` now and keep it under ``name``."""
        self.processes[name] = self.env.process(process)

    def restart(self, factories: Mapping[str, Callable[[], Generator[Any, Any, None]]]) -> None:
        """Stop the named processes and start ``factories[name]()`` in their place.

        It happens right after the current SimPy step (a new process starts URGENT,
        before any other event at this time), so no stale process acts in between;
        even the process that is running now (it may be the one being replaced) is
        stopped. A name with no process yet simply starts.
        """
        self.env.process(self._restart(dict(factories)))

    def _restart(
        self, factories: dict[str, Callable[[], Generator[Any, Any, None]]]
    ) -> Generator[Any, Any, None]:
        for name in sorted(factories):
            old = self.processes.get(name)
            if old is not None and old.is_alive:
                old.defused = True  # the Interrupt ends it quietly
                old.interrupt("restart")
            self.start(name, factories[name]())
        yield from ()

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
            # OfferDelivered(seq, event, index) without the NamedTuple's __new__ frame.
            delivered = _tuple_new(OfferDelivered, (seq, event, index))
            self.negotiators[event.receiver].inbox.put(delivered)  # type: ignore[union-attr]
        elif kind is OfferAccepted:
            self._close_deal(seq, event)  # type: ignore[arg-type]
        elif kind is NegotiationEnded:
            self._end_talks(seq, event)  # type: ignore[arg-type]
        elif kind is OutsideOfferMade:
            config = self.config
            target = self.negotiators.get(event.to)  # type: ignore[union-attr]
            if target is not None:
                boost = config.boosts[event.competitor]  # type: ignore[union-attr]
                target.inbox.put(OutsideOfferDelivered(seq, event, boost))  # type: ignore[arg-type]
            self.env.process(first_refusal(self, seq, event, config.rofr_policy))  # type: ignore[arg-type]
        return seq

    def state(self) -> ContractState:
        return self.folder.state()

    def talks_open(self) -> bool:
        return self.open

    # --- protocol rules ----------------------------------------------------------

    def _end_talks(self, seq: int, event: NegotiationEnded) -> None:
        self.open = False
        ended = TalksEnded(seq, event)
        for party in self.negotiators.values():
            party.inbox.put(ended)

    def _close_deal(self, seq: int, accepted: OfferAccepted) -> None:
        parties = tuple(self.negotiators)
        ended = NegotiationEnded("agreement", parties, None)
        self._end_talks(self.record(ended), ended)
        self._extensions += 1
        config = self.config
        review = config.review and bool(self.regulators)
        clauses: tuple[Clause, ...] = ()
        term_end = None
        if config.deal is not None:
            folder = self.folder
            clauses, term_end = config.deal.amend(
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
            delivered = DealToReview(signed_seq, signed)
            for regulator in self.regulators:
                regulator.inbox.put(delivered)

    def _schedule_expiry(self, contract_id: str, term_end: int) -> None:
        """A contract runs through 31 December of its ``term_end`` year."""
        start = self.config.start
        if start is not None:
            at = months_between(start, dt.date(term_end + 1, 1, 1))
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
        config = config_for(resolved)
        world = (
            EngineWorld(env, log, config)
            if on_record is None
            else _WatchedWorld(env, log, config)
        )
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
                from sim.engine.event_budget import over_budget

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


class _WatchedWorld(EngineWorld):
    """A world that calls ``on_record(seq)`` after each event (forks only)."""

    def __init__(self, env: simpy.Environment, sink: LogSink, config: WorldConfig) -> None:
        super().__init__(env, sink, config)
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


def _build(world: EngineWorld, scenario: Scenario, seed: RunSeed) -> None:
    """Create every actor of the scenario (``sim.engine.actors``) and start its process."""
    # History first: the prelude's contracts take force at their dates.
    if scenario.prelude:
        world.start("prelude", prelude_process(world, scenario, scenario.negotiation.parties))
    talks = Talks(world, scenario, seed)
    world.talks = talks
    talks.start()
    for spec in scenario.regulators:
        regulator = build_regulator(spec, seed, world.env)
        world.regulators.append(regulator)
        world.start(f"regulator:{spec.key}", regulator.process(world))
        _build_complaints(world, scenario, seed, regulator, spec)
    if scenario.restructuring is not None:
        world.restructuring = build_restructuring(scenario, seed)
        world.start("restructuring", world.restructuring.process(world))
    need = compute_need_for(scenario)
    for offerer in scenario.competitors:
        competitor = build_competitor(scenario, offerer.key, seed, need)
        world.competitors[offerer.key] = competitor
        world.start(f"competitor:{offerer.key}", competitor.process(world))
    for option_spec in scenario.outside_options:
        option = build_outside_option(option_spec, seed)
        world.outside_options[option_spec.key] = option
        world.start(f"outside_option:{option_spec.key}", option.process(world))
    if scenario.agi is not None:
        world.milestone = build_milestone(scenario, seed)
        world.start("agi", world.milestone.process(world))


def _build_complaints(
    world: EngineWorld, scenario: Scenario, seed: RunSeed, regulator: Regulator, spec: RegulatorSpec
) -> None:
    """A regulator's reviews of the contract in force: those a party may ask for
    (``complaints_from``), and one the prelude opened and left open (ruled at its
    ``due``, e.g. a backtest ``--as-of`` a date inside the CMA's 2023-25 inquiry)."""
    if spec.complaints_from:
        world.subscribe((RegulatorAsked,), regulator.on_asked(world))
    for complainant in build_complainants(spec, seed):
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
        world.start(
            f"regulator:{spec.key}:in_force", _after_prelude(world, opened.due, regulator)
        )


def _after_prelude(
    world: EngineWorld, due: float, regulator: Regulator
) -> Generator[Any, Any, None]:
    """Process: a review the prelude left open is ruled at ``due`` (or at once)."""
    yield from regulator.review_in_force(world, due=due)


def prelude_process(
    world: EngineWorld, scenario: Scenario, parties: tuple[str, ...]
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


__all__ = ["EngineWorld", "LogSink", "Simulation", "prelude_process", "simulate"]
