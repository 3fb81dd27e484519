"""``World.subscribe``: actors observe recorded events by type, in log order."""

from __future__ import annotations

from events.model import ContractSigned, Event, OfferMade
from sim.engine import Simulation
from sim.scenario import load_scenario


def test_subscribers_see_every_event_of_their_kinds_with_its_seq() -> None:
    sim = Simulation(load_scenario("msft-openai"), 3)
    seen: list[tuple[int, Event]] = []
    sim.world.subscribe((ContractSigned, OfferMade), lambda seq, e: seen.append((seq, e)))
    result = sim.run()
    expected = [
        (r.seq, r.event)
        for r in result.records
        if type(r.event) in (ContractSigned, OfferMade)
    ]
    assert seen == expected
    assert any(type(e) is OfferMade for _, e in seen)


def test_a_subscriber_may_record_and_its_event_is_in_the_log() -> None:
    sim = Simulation(load_scenario("msft-openai"), 1)
    world = sim.world
    signed: list[int] = []

    def note(seq: int, event: Event) -> None:
        signed.append(seq)

    world.subscribe((ContractSigned,), note)
    result = sim.run()
    contracts = [r.seq for r in result.records if type(r.event) is ContractSigned]
    assert signed == contracts and len(contracts) >= 4  # the prelude has four
