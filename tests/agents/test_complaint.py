"""A party asks a regulator to look at the contract in force after talks break down,
at most once per contract in force; the regulator reviews it within its powers."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
import simpy

from agents.complaint import Complainant
from agents.regulator import Regulator
from events.clauses import Amendment, Equity, Exclusivity, FirstRefusal, License
from events.codec import Recorded
from events.model import (
    ContractSigned,
    Event,
    NegotiationEnded,
    RegulatorAsked,
    ReviewOpened,
    RulingIssued,
)
from events.replay import Folder
from events.state import ContractState

MS = "microsoft"
PARTIES = (MS, "openai")
CLAUSES = (
    License(MS, ("models",)),
    Exclusivity(MS, "api"),
    FirstRefusal(MS, "compute", 1.0),
    Equity(MS, 0.49),
)


class FakeWorld:
    """Records events, folds them, and calls subscribers (what the engine does)."""

    def __init__(self) -> None:
        self.env = simpy.Environment()
        self.folder = Folder()
        self.events: list[tuple[float, Event]] = []
        self.watchers: list[tuple[tuple[type, ...], Callable[[int, Event], None]]] = []

    def post(self, sender: str, event: Event, index: int | None = None) -> int:
        seq = len(self.events)
        self.events.append((self.env.now, event))
        self.folder.apply(Recorded(seq, self.env.now, event))
        for kinds, callback in self.watchers:
            if type(event) in kinds:
                callback(seq, event)
        return seq

    def state(self) -> ContractState:
        return self.folder.state()

    def subscribe(self, kinds: tuple[type, ...], callback: Callable[[int, Event], None]) -> None:
        self.watchers.append((kinds, callback))

    def talks_open(self) -> bool:
        return False

    def of(self, kind: type) -> list[Any]:
        return [event for _, event in self.events if type(event) is kind]


def complainant(world: FakeWorld, probability: float = 1.0, delay: float = 1.0) -> Complainant:
    party = Complainant(
        party="openai",
        regulator="ftc",
        probability=probability,
        delay=delay,
        rng=np.random.default_rng(0),
    )
    world.subscribe((NegotiationEnded,), lambda seq, e: party.on_ended(seq, e, world=world))
    return party


def sign(world: FakeWorld, contract: str = "c1") -> None:
    world.post("engine", ContractSigned(contract, PARTIES, CLAUSES, review=False))


def break_down(world: FakeWorld, reason: str = "walk_away") -> None:
    world.post("engine", NegotiationEnded(reason, PARTIES, MS if reason == "walk_away" else None))


def test_a_party_asks_after_a_break_down_about_the_contract_in_force() -> None:
    world = FakeWorld()
    complainant(world, delay=2.0)
    sign(world)
    break_down(world, "deadline")
    world.env.run()
    asked = world.of(RegulatorAsked)
    assert asked == [RegulatorAsked("openai", "ftc", "c1")]
    assert [t for t, e in world.events if type(e) is RegulatorAsked] == [2.0]
    assert world.state().complaints == (("openai", "ftc"),)


def test_an_agreement_is_no_break_down_and_probability_zero_never_asks() -> None:
    world = FakeWorld()
    complainant(world)
    sign(world)
    world.post("engine", NegotiationEnded("agreement", PARTIES))
    world.env.run()
    assert world.of(RegulatorAsked) == []
    quiet = FakeWorld()
    complainant(quiet, probability=0.0)
    sign(quiet)
    for _ in range(5):
        break_down(quiet)
    quiet.env.run()
    assert quiet.of(RegulatorAsked) == []


def test_at_most_once_per_contract_in_force_again_for_a_new_one() -> None:
    world = FakeWorld()
    complainant(world, delay=0.5)
    sign(world, "c1")

    def script() -> Any:
        for _ in range(3):  # talks reopen and break down again
            break_down(world)
            yield world.env.timeout(1.0)
        sign(world, "c2")
        break_down(world, "deadline")
        yield world.env.timeout(1.0)
        break_down(world)

    world.env.process(script())
    world.env.run()
    assert [e.contract_id for e in world.of(RegulatorAsked)] == ["c1", "c2"]


def test_nothing_in_force_nothing_to_ask_about() -> None:
    world = FakeWorld()
    complainant(world)
    break_down(world)
    world.env.run()
    assert world.of(RegulatorAsked) == []


def regulator(world: FakeWorld, powers: str, threshold: float, strictness: float) -> Regulator:
    agent = Regulator(
        key="ftc",
        name="FTC",
        strictness=strictness,
        review_months=4.0,
        conditions=Amendment(("exclusivity.api", "first_refusal.compute")),
        rng=np.random.default_rng(1),
        inbox=simpy.Store(world.env),
        powers=powers,
        control_threshold=threshold,
        in_force_rng=np.random.default_rng(2),
    )
    world.subscribe((RegulatorAsked,), agent.on_asked(world))
    return agent


def test_a_merger_authority_without_jurisdiction_answers_no_jurisdiction() -> None:
    world = FakeWorld()
    regulator(world, "merger_control", 0.5, strictness=1.0)  # 49% < 50%: no control
    complainant(world)
    sign(world)
    break_down(world)
    world.env.run()
    opened = world.of(ReviewOpened)
    assert len(opened) == 1 and opened[0].in_force
    assert [(r.outcome, r.in_force) for r in world.of(RulingIssued)] == [("no_jurisdiction", True)]
    assert world.state().clauses == CLAUSES


@pytest.mark.parametrize("seed", range(20))
def test_a_conduct_agency_inquires_and_may_amend_but_never_blocks(seed: int) -> None:
    world = FakeWorld()
    agent = regulator(world, "conduct", 0.0, strictness=1.0)
    agent.in_force_rng = np.random.default_rng(seed)
    complainant(world)
    sign(world)
    break_down(world)
    world.env.run()
    rulings = world.of(RulingIssued)
    assert all(r.in_force and r.outcome != "blocked" for r in rulings)
    # Strictness 1 with binding conditions: it always ends with them (maybe after an
    # in-depth inquiry), and they amend the contract in force.
    assert rulings[-1].outcome == "approved_with_conditions"
    assert [r.outcome for r in rulings[:-1]] in ([], ["inquiry"])
    state = world.state()
    assert state.contract_id == "c1" and state.status == "in_force"
    assert not state.holds("exclusivity.api") and state.holds("license.models")
    assert state.in_force_reviews == (("ftc", "approved_with_conditions"),)
