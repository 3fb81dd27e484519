"""What a fork changes, whether it can, and doing it to a running world.

A fork's changes are scenario keys (``--set K=V``, as for ``negsim run``) applied to
the scenario in force at the fork point. :func:`scenario_changes` turns the changed
scenario into ``{dotted key: new value}`` (the scenario's data form, what ``Forked``
records); :func:`plan_changes` checks each against the world as the log left it at
the fork point and returns a :class:`Plan`; :meth:`Plan.apply` changes the live
actors. Planning is a pure function of the scenario, the changes and the log's
prefix, so a fork of a fork re-applies its parent's ``Forked`` record identically.

What each key does is documented in docs/what-if.md; in short, attributes take effect
at once (strategies, reservation values, regulators' strictness...), and what needs
a process restarted (a competitor's rate, the AGI date, the deadline, future prelude
entries, and every competitor under ``--seed``) restarts it right after the step
that recorded the fork point's event, before anything else happens.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Generator, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Final

import attrs

from agents.settings import reconfigure
from agents.strategies import make_strategy
from agents.strategies.base import NegotiationView
from events.codec import Recorded
from events.errors import InputError
from events.model import ContractSigned, ReviewOpened, RulingIssued
from events.replay import Folder
from events.state import ContractState
from sim.domain import negotiation_domain, ranked_utilities
from sim.engine.actors import (
    competitor_settings,
    competitor_stream,
    complainant_settings,
    complainant_stream,
    milestone_settings,
    milestone_stream,
    outside_option_stream,
    regulator_settings,
    regulator_streams,
    restructuring_stream,
)
from sim.engine.config import config_for
from sim.scenario import Scenario, ScenarioError
from sim.scenario.distributions import concrete
from sim.scenario.schema import PreludeEntry
from sim.seeding import RunSeed

if TYPE_CHECKING:
    from sim.engine import Simulation

# Tables replaced as a whole (a key may disappear from them), not key by key.
_ATOMIC: Final = re.compile(
    r"^(regulators\.[^.]+\.conditions|parties\.[^.]+\.(params|weights|values)|negotiation\.deal)$"
)
_ABSENT: Final = object()

Step = Callable[["Simulation", "Restarts"], None]
Restarts = dict[str, Callable[[], Generator[Any, Any, None]]]


def scenario_changes(old: Scenario, new: Scenario) -> dict[str, Any]:
    """``{dotted key: new value}`` for every value of ``new`` that differs from ``old``.

    Values are in the scenario's data form (``Scenario.to_data``: times as numbers of
    time units); a key that ``new`` lacks maps to None.
    """
    out: dict[str, Any] = {}
    _walk(old.to_data(), new.to_data(), "", out)
    return dict(sorted(out.items()))


def _walk(a: Any, b: Any, prefix: str, out: dict[str, Any]) -> None:
    if isinstance(a, dict) and isinstance(b, dict) and not _ATOMIC.match(prefix):
        for key in sorted(a.keys() | b.keys()):
            path = f"{prefix}.{key}" if prefix else key
            _walk(a.get(key, _ABSENT), b.get(key, _ABSENT), path, out)
    elif a != b or type(a) is not type(b):
        out[prefix] = None if b is _ABSENT else b


def changed_scenario(current: Scenario, changes: Mapping[str, Any]) -> Scenario:
    """``current`` with ``changes`` (as :func:`scenario_changes` gives them) applied."""
    if not changes:
        return current
    try:
        return current.with_overrides(dict(changes))
    except ScenarioError as exc:
        raise InputError(f"cannot apply the fork's changes: {exc.message}") from None


@attrs.frozen
class ForkPoint:
    """The world as the log leaves it right after the fork point's event."""

    seq: int
    t: float
    state: ContractState
    prelude_done: frozenset[str]  # ids of prelude entries already recorded

    @classmethod
    def of(cls, prefix: Sequence[Recorded], prelude: Sequence[PreludeEntry] = ()) -> ForkPoint:
        """The fork point after ``prefix``; ``prelude``: the scenario's history, whose
        entries (contracts, and regulators' reviews and rulings) are matched in order
        against the events the prelude process recorded, one event per entry."""
        folder = Folder()
        done = set()
        pending = iter(prelude)
        entry = next(pending, None)
        for record in prefix:
            folder.apply(record)
            if entry is not None and _records(entry, record):
                done.add(entry.id)
                entry = next(pending, None)
        last = prefix[-1]
        return cls(last.seq, last.t, folder.state(), frozenset(done))


def _records(entry: PreludeEntry, record: Recorded) -> bool:
    """Whether ``record`` is the event the prelude process records for ``entry``."""
    event = record.event
    if entry.review is not None:
        return (
            isinstance(event, ReviewOpened)
            and event.in_force
            and event.regulator == entry.review.regulator
            and record.t == entry.at
        )
    if entry.ruling is not None:
        return (
            isinstance(event, RulingIssued)
            and event.in_force
            and event.regulator == entry.ruling.regulator
            and record.t == entry.at
        )
    return (
        isinstance(event, ContractSigned)
        and not event.review
        and event.contract_id == entry.id
    )


@attrs.frozen
class Plan:
    """Checked changes, ready to apply to a running world at the fork point."""

    scenario: Scenario  # the scenario in force after the changes
    changes: dict[str, Any]
    seed: str | None
    steps: tuple[Step, ...]

    def apply(self, sim: Simulation) -> None:
        """Change the live actors now; restart processes right after this step."""
        restarts: Restarts = {}
        for step in self.steps:
            step(sim, restarts)
        talks = sim.world.talks
        if talks is not None:
            talks.use(self.scenario)  # rounds opened after the fork seat the new parties
        if self.seed is not None:
            _reseed(sim, RunSeed.parse(self.seed), restarts)
        if restarts:
            # Right after the step that recorded the fork point's event, before
            # anything else happens (``World.restart``).
            sim.world.restart(restarts)


def _reseed(sim: Simulation, seed: RunSeed, restarts: Restarts) -> None:
    """Every actor draws from ``seed``'s streams from the fork point on."""
    world = sim.world
    if world.talks is not None:
        world.talks.reseed(seed)
    for regulator in world.regulators:
        reconfigure(regulator, **regulator_streams(sim.scenario.regulator(regulator.key), seed))
    for complainant in world.complainants:
        reconfigure(
            complainant, rng=complainant_stream(complainant.party, complainant.regulator, seed)
        )
    if world.milestone is not None:
        reconfigure(world.milestone, rng=milestone_stream(seed))
    if world.restructuring is not None:  # its rulings still to come draw afresh
        reconfigure(world.restructuring, rng=restructuring_stream(seed))
    for key, option in world.outside_options.items():
        reconfigure(option, rng=outside_option_stream(key, seed))  # read at every step
    for key in world.competitors:
        # A competitor waits for its next offer with a gap drawn from its old stream;
        # offers are a Poisson process (memoryless), so it restarts, drawing afresh.
        restarts[f"competitor:{key}"] = competitor_process(
            sim, key, competitor_stream(key, seed)
        )


def competitor_process(
    sim: Simulation, key: str, rng: Any = None
) -> Callable[[], Generator[Any, Any, None]]:
    """A competitor's process, started anew (with a new stream ``rng``, if given).

    The stream is swapped when the process starts, so a draw the old process makes in
    the step that recorded the fork point (if it did) comes from the old stream."""
    competitor = sim.world.competitors[key]

    def start() -> Generator[Any, Any, None]:
        if rng is not None:
            reconfigure(competitor, rng=rng)
        return competitor.process(sim.world)

    return start


# --------------------------------------------------------------------------- planning


class _Refused(Exception):
    """A change that cannot be made at this fork point; the message says why."""


def plan_changes(
    current: Scenario,
    changes: Mapping[str, Any],
    prefix: Sequence[Recorded],
    seed: str | None = None,
) -> Plan:
    """Check ``changes`` against the world at the end of ``prefix``; InputError if not."""
    new = changed_scenario(current, changes)
    drawn = [key for key, _ in new.distributions()]
    if drawn:
        raise InputError(f"--set {drawn[0]}: a fork needs a concrete value, not a distribution")
    point = ForkPoint.of(prefix, current.prelude)
    steps: dict[str, Step] = {}
    for key in sorted(changes):
        try:
            for name, step in _steps_for(key, current, new, point):
                steps.setdefault(name, step)
        except _Refused as why:
            raise InputError(f"--set {key}: cannot be changed by a fork here: {why}") from None
    return Plan(new, dict(changes), seed, tuple(steps[name] for name in sorted(steps)))


def _steps_for(
    key: str, old: Scenario, new: Scenario, point: ForkPoint
) -> Iterable[tuple[str, Step]]:
    parts = key.split(".")
    section = parts[0]
    if section == "parties" and len(parts) >= 3:
        return _party(parts[1], parts[2], old, new, point)
    if section == "regulators" and len(parts) == 3:
        return _regulator(parts[1], parts[2], old, new)
    if section == "competitors" and len(parts) == 3:
        return _competitor(parts[1], parts[2], old, new, point)
    if section == "rofr" and len(parts) == 2:
        return _rofr(parts[1], new)
    if section == "agi" and len(parts) == 2:
        return _agi(parts[1], old, new, point)
    if section == "negotiation" and len(parts) == 2:
        return _negotiation(parts[1], old, new, point)
    if section == "prelude":
        return _prelude(old, new, point)
    if section == "scenario":
        raise _Refused("the scenario's name, calendar and horizon are fixed for a run")
    raise _Refused("not a key a fork knows how to change")


def _exists(items: Sequence[Any], key: str, what: str) -> None:
    if key not in {item.key for item in items}:
        raise _Refused(f"no {what} {key!r} in the run (actors cannot be added or removed)")


def _party(
    key: str, field: str, old: Scenario, new: Scenario, point: ForkPoint
) -> list[tuple[str, Step]]:
    _exists(old.parties, key, "party")
    _exists(new.parties, key, "party")
    spec = new.party(key)
    if field in ("strategy", "params"):
        try:
            make_strategy(spec.strategy, **spec.param_dict())
        except ValueError as exc:
            raise _Refused(str(exc)) from None

        def swap(sim: Simulation, _: Restarts) -> None:
            # Talks not yet open (rounds that open later) take it from the scenario.
            party = sim.world.negotiators.get(key)
            if party is not None:
                reconfigure(party, strategy=make_strategy(spec.strategy, **spec.param_dict()))

        return [(f"party:{key}:strategy", swap)]
    if field == "reservation":

        def reserve(sim: Simulation, _: Restarts) -> None:
            party = sim.world.negotiators.get(key)
            if party is not None:
                party.view.reservation = concrete(spec.reservation)
                if party.appraiser is not None:  # its floor, under what the world adds
                    reconfigure(party.appraiser, base=concrete(spec.reservation))

        return [(f"party:{key}:reservation", reserve)]
    if field == "discount":

        def discount(sim: Simulation, _: Restarts) -> None:
            parties = sim.world.negotiators
            party = parties.get(key)
            if party is None or party.opponent not in parties:
                return
            per_step = party.clock.step_length or party.clock.round
            factor = concrete(spec.discount) ** per_step
            party.view.discount = factor
            parties[party.opponent].view.opponent_discount = factor

        return [(f"party:{key}:discount", discount)]
    if field in ("weights", "values"):
        if point.state.talks != "not_started":
            raise _Refused("a party's preferences are fixed once talks have opened")
        return [(f"party:{key}:utility", _new_utility(key, new))]
    if field == "name":
        return []
    raise _Refused("not a key a fork knows how to change")


def _new_utility(key: str, new: Scenario) -> Step:
    negotiation = new.negotiation
    spec = new.party(key)

    def rebuild(sim: Simulation, _: Restarts) -> None:
        domain = negotiation_domain(
            tuple((issue.name, tuple(issue.values)) for issue in negotiation.issues)
        )
        utilities, ranking = ranked_utilities(domain.space, spec.weights, spec.value_tables)
        party = sim.world.negotiators.get(key)
        if party is None:
            return  # talks not open yet: their rounds take the new preferences
        talks = sim.world.talks
        if talks is not None and party.appraiser is not None:
            talks.use(new)
            reconfigure(party, appraiser=talks.appraiser(key))
        view = party.view
        new_view = NegotiationView(
            utilities=utilities,
            ranking=ranking,
            reservation=view.reservation,
            rng=view.rng,
            discount=view.discount,
            opponent_discount=view.opponent_discount,
            is_first_mover=view.is_first_mover,
            issue_values=view.issue_values,
        )
        reconfigure(party, view=new_view)

    return rebuild


def _regulator(key: str, field: str, old: Scenario, new: Scenario) -> list[tuple[str, Step]]:
    _exists(old.regulators, key, "regulator")
    _exists(new.regulators, key, "regulator")
    spec = new.regulator(key)
    if field in ("complaint_probability", "complaint_delay"):

        def complaints(sim: Simulation, _: Restarts) -> None:
            # Break-downs from now on; a complaint already being filed keeps its delay.
            for complainant in sim.world.complainants:
                if complainant.regulator == key:
                    reconfigure(complainant, **complainant_settings(spec))

        return [(f"regulator:{key}:complaints", complaints)]
    if field not in (
        "strictness",
        "review_months",
        "conditions",
        "name",
        "powers",
        "control_threshold",
    ):
        raise _Refused("not a key a fork knows how to change")

    def set_value(sim: Simulation, _: Restarts) -> None:
        # A review in progress keeps its drawn duration; its ruling reads the rest.
        for regulator in sim.world.regulators:
            if regulator.key == key:
                reconfigure(regulator, **regulator_settings(spec))

    return [(f"regulator:{key}", set_value)]


def _competitor(
    key: str, field: str, old: Scenario, new: Scenario, point: ForkPoint
) -> list[tuple[str, Step]]:
    _exists(old.competitors, key, "competitor")
    _exists(new.competitors, key, "competitor")
    spec = new.competitor(key)
    if field == "boost":
        return [("world", _world_config(new))]
    if field in ("value_bn", "kind", "name", "to"):

        def offers(sim: Simulation, _: Restarts) -> None:
            reconfigure(sim.world.competitors[key], **competitor_settings(new, key))

        return [(f"competitor:{key}:offers", offers)]
    if field in ("intensity", "first"):
        was = old.competitor(key).first
        if field == "first" and was <= point.t:
            raise _Refused(f"its first offer time (t={was:g}) is already past at the fork point")
        if field == "first" and spec.first < point.t:
            raise _Refused(f"t={spec.first:g} is before the fork point (t={point.t:g})")

        def rate(sim: Simulation, restarts: Restarts) -> None:
            reconfigure(sim.world.competitors[key], **competitor_settings(new, key))
            restarts[f"competitor:{key}"] = competitor_process(sim, key)

        return [(f"competitor:{key}:rate", rate)]
    raise _Refused("not a key a fork knows how to change")


def _rofr(field: str, new: Scenario) -> list[tuple[str, Step]]:
    rofr = new.rofr
    if rofr is None or field not in ("window", "max_match_bn"):
        raise _Refused("not a key a fork knows how to change")

    def set_rofr(sim: Simulation, _: Restarts) -> None:
        for key, competitor in sim.world.competitors.items():  # how long offers stay open
            reconfigure(competitor, **competitor_settings(new, key))

    return [("world", _world_config(new)), ("rofr", set_rofr)]


def _world_config(new: Scenario) -> Step:
    """The world's rules (review, deal, first refusal, boosts) as ``new`` sets them."""

    def apply(sim: Simulation, _: Restarts) -> None:
        sim.world.reconfigure(config_for(new))

    return apply


_AGI_TIMING: Final = (
    "at",
    "declared_by",
    "verification",
    "verification_delay",
    "verification_probability",
)


def _agi(field: str, old: Scenario, new: Scenario, point: ForkPoint) -> list[tuple[str, Step]]:
    agi = new.agi
    if old.agi is None or agi is None:
        raise _Refused("the run has no AGI milestone to change")
    if field not in _AGI_TIMING:
        raise _Refused("not a key a fork knows how to change")
    if point.state.agi_declared:
        raise _Refused(f"AGI was already declared (t={point.state.agi_time:g}) at the fork point")
    at = float(agi.at)  # type: ignore[arg-type]
    if at < point.t:
        raise _Refused(f"t={at:g} is before the fork point (t={point.t:g})")

    def milestone(sim: Simulation, restarts: Restarts) -> None:
        world = sim.world
        assert world.milestone is not None
        target = world.milestone
        moved = target.at != at
        reconfigure(target, **milestone_settings(new))
        if moved:
            restarts["agi"] = lambda: target.process(world)

    return [("agi:milestone", milestone)]


def _negotiation(
    field: str, old: Scenario, new: Scenario, point: ForkPoint
) -> list[tuple[str, Step]]:
    negotiation = new.negotiation
    if field in ("review", "deal"):
        # Deals signed from now on go to review, and put these clauses in force;
        # signed ones keep theirs.
        return [("world", _world_config(new))]
    if field != "deadline":
        raise _Refused("the negotiation's protocol, parties, issues and timing are fixed")
    if negotiation.protocol != "alternating" or negotiation.deadline is None:
        raise _Refused("only alternating-offers talks have a deadline to move")
    if point.state.talks == "closed":
        raise _Refused("the talks had already ended at the fork point")
    deadline = negotiation.deadline
    if deadline <= point.t:
        raise _Refused(f"t={deadline:g} is not after the fork point (t={point.t:g})")

    def move(sim: Simulation, restarts: Restarts) -> None:
        world = sim.world
        talks = world.talks
        assert talks is not None
        for party in world.negotiators.values():
            reconfigure(party, clock=attrs.evolve(party.clock, deadline=deadline))
        restarts["deadline"] = lambda: talks.end_round_at(deadline)

    return [("negotiation:deadline", move)]


def _prelude(old: Scenario, new: Scenario, point: ForkPoint) -> list[tuple[str, Step]]:
    done = sum(1 for entry in old.prelude if entry.id in point.prelude_done)
    for index in range(max(len(old.prelude), len(new.prelude))):
        before = old.prelude[index] if index < len(old.prelude) else None
        after = new.prelude[index] if index < len(new.prelude) else None
        if before == after:
            continue
        if index < done:
            raise _Refused(f"prelude[{index}] is already in the past at the fork point")
        for entry in (before, after):
            if entry is not None and entry.at <= point.t:
                raise _Refused(
                    f"prelude[{index}] is at t={entry.at:g}, not after the fork point "
                    f"(t={point.t:g})"
                )
    remaining = attrs.evolve(new, prelude=new.prelude[done:])

    def history(sim: Simulation, restarts: Restarts) -> None:
        from sim.engine import prelude_process  # the engine's own rule

        world = sim.world
        parties = new.negotiation.parties
        restarts["prelude"] = lambda: prelude_process(world, remaining, parties)

    return [("prelude", history)]


__all__ = ["ForkPoint", "Plan", "changed_scenario", "plan_changes", "scenario_changes"]
