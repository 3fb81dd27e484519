"""The world's rules as one frozen value from the scenario, and the parties that
outsiders court and that declare AGI taken from the scenario (issue 15)."""

from __future__ import annotations

import attrs
import pytest

from events.model import OutsideOfferMade
from sim.engine import Simulation, simulate
from sim.engine.actors import competitor_settings, milestone_settings
from sim.engine.config import WorldConfig, config_for
from sim.scenario import ScenarioError, load_scenario, resolve
from sim.seeding import RunSeed, stream


def _resolved(seed: str = "3"):  # type: ignore[no-untyped-def]
    scenario, _ = resolve(load_scenario("msft-openai"), stream(RunSeed.parse(seed), "draws"))
    return scenario


def test_the_config_is_a_pure_function_of_the_scenario() -> None:
    scenario = _resolved()
    first, second = config_for(scenario), config_for(scenario)
    assert first == second
    assert dict(first.boosts) == dict(second.boosts)
    assert dict(first.boosts) == {c.key: float(c.boost) for c in scenario.competitors}  # type: ignore[arg-type]
    assert first.review is scenario.negotiation.review
    assert first.deal == scenario.negotiation.deal
    assert first.start == scenario.start


def test_the_config_cannot_be_edited_only_replaced() -> None:
    config = config_for(_resolved())
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        config.review = False  # type: ignore[misc]
    with pytest.raises(TypeError):
        config.boosts["stargate"] = 1.0  # type: ignore[index]
    with pytest.raises(TypeError):
        WorldConfig(False)  # type: ignore[misc]  # keyword-only


def test_a_world_is_built_with_the_config_of_its_scenario() -> None:
    sim = Simulation(load_scenario("msft-openai"), "3")
    assert sim.world.config == config_for(sim.scenario)
    replaced = attrs.evolve(sim.world.config, review=False)
    sim.world.reconfigure(replaced)
    assert sim.world.config is replaced
    assert sim.world.alternatives is replaced.alternatives


def test_outside_offers_go_to_the_party_the_scenario_names() -> None:
    base = load_scenario("msft-openai")
    courted = base.competitors[0].key
    scenario = base.with_overrides({f"competitors.{courted}.to": "microsoft"})
    receivers: dict[str, set[str]] = {}
    for seed in range(12):
        for record in simulate(scenario, seed).records:
            event = record.event
            if isinstance(event, OutsideOfferMade):
                receivers.setdefault(event.competitor, set()).add(event.to)
    assert receivers[courted] == {"microsoft"}
    others = set().union(*(to for key, to in receivers.items() if key != courted))
    assert others == {"openai"}  # the default: the negotiation's second party


def test_the_courted_party_and_the_declaring_party_default_to_the_second_party() -> None:
    scenario = _resolved()
    assert scenario.negotiation.parties[1] == "openai"
    assert {competitor_settings(scenario, c.key)["target"] for c in scenario.competitors} == {
        "openai"
    }
    assert milestone_settings(scenario)["declared_by"] == "openai"
    named = scenario.with_overrides({"agi.declared_by": "microsoft"})
    assert milestone_settings(named)["declared_by"] == "microsoft"


@pytest.mark.parametrize(
    ("key", "value"), [("competitors.stargate.to", "google"), ("agi.declared_by", "board")]
)
def test_a_party_that_is_not_negotiating_is_refused_naming_the_key(key: str, value: str) -> None:
    with pytest.raises(ScenarioError) as caught:
        load_scenario("msft-openai").with_overrides({key: value})
    assert key in str(caught.value)
    assert "a negotiating party (microsoft, openai)" in str(caught.value)
