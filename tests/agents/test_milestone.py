"""The AGI milestone follows the ``agi_definition`` clause in force at the declaration;
the scenario's ``[agi]`` values apply only when no clause in force defines AGI."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from agents.milestone import AgiMilestone
from events.clauses import AgiDefinition, License
from events.model import ContractExpired, ContractSigned, MilestoneReached
from events.replay import around_agi
from sim.engine import simulate
from sim.scenario import load_scenario
from sim.scenario.builtins import builtin_text
from tests.agents.test_complaint import FakeWorld

PARTIES = ("microsoft", "openai")


def declare(world: FakeWorld, probability: float = 1.0) -> list[tuple[float, MilestoneReached]]:
    milestone = AgiMilestone(
        at=10.0,
        declared_by="openai",
        verification=True,
        delay=6.0,
        probability=probability,
        rng=np.random.default_rng(0),
    )
    world.env.process(milestone.process(world))
    world.env.run()
    return [(t, e) for t, e in world.events if type(e) is MilestoneReached]


def in_force(world: FakeWorld, *clauses: object) -> None:
    licence = License("microsoft", ("models",))
    world.post("engine", ContractSigned("c1", PARTIES, (licence, *clauses), review=False))


def test_without_a_clause_the_scenario_defaults_apply() -> None:
    world = FakeWorld()
    in_force(world)
    events = declare(world)
    assert [(t, e.declared_by, e.verified) for t, e in events] == [
        (10.0, "openai", False),
        (16.0, "openai", True),
    ]


def test_a_clause_without_a_panel_makes_the_declaration_final() -> None:
    world = FakeWorld()
    in_force(world, AgiDefinition("openai", verification=False))
    assert [(t, e.verified) for t, e in declare(world)] == [(10.0, True)]


def test_the_clause_names_who_declares_and_the_panel_delay() -> None:
    world = FakeWorld()
    in_force(world, AgiDefinition("microsoft", verification=True, delay_months=2.5))
    events = declare(world)
    assert [(t, e.declared_by, e.verified) for t, e in events] == [
        (10.0, "microsoft", False),
        (12.5, "microsoft", True),
    ]


def test_an_expired_contract_defines_nothing() -> None:
    world = FakeWorld()
    in_force(world, AgiDefinition("openai", verification=False))
    world.post("engine", ContractExpired("c1"))
    assert len(declare(world)) == 2  # the [agi] defaults: declared, then verified


def test_the_panel_may_not_confirm() -> None:
    world = FakeWorld()
    in_force(world, AgiDefinition("openai", verification=True, delay_months=1.0))
    assert [e.verified for _, e in declare(world, probability=0.0)] == [False]


PANEL = (
    '{ kind = "agi_definition", declared_by = "openai", verification = true, delay_months = 4.0 }'
)


@pytest.fixture(scope="module")
def panel_scenario(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """msft-openai whose deal puts an expert panel into the AGI clause."""
    text = builtin_text("msft-openai")
    anchor = '[negotiation.deal]\nterm_end = { issue = "term_end" }\nclauses = [\n'
    assert anchor in text
    path = tmp_path_factory.mktemp("panel") / "panel.toml"
    path.write_text(text.replace(anchor, anchor + f"  {PANEL},\n"))
    return path


def test_a_deal_may_change_the_definition(panel_scenario: Path) -> None:
    scenario = load_scenario(panel_scenario)
    seen = {"deal": 0, "history": 0}
    for seed in range(40):
        records = simulate(scenario, seed).records
        agi = around_agi(records)
        if agi is None:
            continue
        declared = [r for r in records if type(r.event) is MilestoneReached]
        definition = agi.before.agi_definition
        if agi.before.contract_id is not None and agi.before.contract_id.startswith("extension"):
            # The deal's clause: a panel verifies 4 months after the declaration.
            assert definition is not None and definition.verification
            assert declared[0].event.verified is False
            if len(declared) == 2:
                assert declared[1].t - declared[0].t == pytest.approx(4.0)
            seen["deal"] += 1
        elif definition is not None:
            # History's clause (FACTS.md: OpenAI declares, no panel): final at once.
            assert not definition.verification
            assert [e.event.verified for e in declared] == [True]
            seen["history"] += 1
    assert seen["deal"] >= 5  # both cases happen, so neither assertion is vacuous
    assert seen["history"] + seen["deal"] >= 10
