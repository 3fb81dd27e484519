"""Issue 13's "done means", over 200 seeds of msft-openai each:

- no regulator blocks anything outside its declared powers: a block comes only from a
  regulator with merger control *and* jurisdiction over that deal (some holder's
  equity at or above its control threshold), and never on the contract in force;
  every ruling of a regulator without jurisdiction is ``no_jurisdiction``;
- no AGI declaration comes before the scenario's earliest AGI date (the low end of
  its ``[agi] at`` distribution).

Jurisdiction is judged here from the deal's clauses and the regulator's declared
powers as the run's ``RunStarted`` resolved them, independently of agents.regulator.
"""

from __future__ import annotations

from collections import Counter

import pytest

from events.clauses import Equity
from events.model import ContractSigned, MilestoneReached, RulingIssued
from sim.engine import simulate
from sim.run.result import RunResult
from sim.run.summary import summary_columns
from sim.scenario import Scenario, load_scenario
from sim.scenario.distributions import Distribution

SEEDS = 200


def batch(scenario: Scenario, master: int) -> list[RunResult]:
    return [simulate(scenario, f"{master}:{i}") for i in range(SEEDS)]


@pytest.fixture(scope="module")
def default_runs() -> list[RunResult]:
    return batch(load_scenario("msft-openai"), 13)


@pytest.fixture(scope="module")
def strict_runs() -> list[RunResult]:
    """Regulators at their strictest, and a CMA that has jurisdiction over most deals
    (control from 20%, the smallest stake a deal gives): blocks happen, so the check
    below is not vacuous."""
    scenario = load_scenario(
        "msft-openai",
        [
            "regulators.cma.strictness=1.0",
            "regulators.cma.control_threshold=0.2",
            "regulators.ftc.strictness=1.0",
            "regulators.eu.strictness=1.0",
            "regulators.ftc.complaint_probability=1.0",
        ],
    )
    return batch(scenario, 17)


def rulings_within_powers(runs: list[RunResult]) -> Counter[str]:
    seen: Counter[str] = Counter()
    for result in runs:
        powers = {r.key: r for r in result.scenario.regulators}
        deals = {
            r.event.contract_id: r.event.clauses
            for r in result.records
            if type(r.event) is ContractSigned
        }
        for record in result.records:
            ruling = record.event
            if type(ruling) is not RulingIssued:
                continue
            spec = powers[ruling.regulator]
            seen[f"{'in_force' if ruling.in_force else 'deal'}:{ruling.outcome}"] += 1
            if ruling.in_force:
                assert ruling.outcome != "blocked", (result.seed, ruling)
                continue
            stakes = [c.share for c in deals[ruling.contract_id] if type(c) is Equity]
            if spec.powers == "merger_control":
                jurisdiction = max(stakes, default=0.0) >= spec.control_threshold
            else:
                jurisdiction = spec.powers == "conduct"
            if ruling.outcome == "blocked":
                assert spec.powers == "merger_control" and jurisdiction, (result.seed, ruling)
                seen[f"blocked_by:{ruling.regulator}"] += 1
            if not jurisdiction:
                assert ruling.outcome == "no_jurisdiction", (result.seed, ruling)
    return seen


def test_no_regulator_blocks_outside_its_powers(default_runs: list[RunResult]) -> None:
    seen = rulings_within_powers(default_runs)
    # FACTS.md: the CMA found no control in 2025; deals give Microsoft at most 40%, under
    # the CMA's and the EU's 50%: they never have jurisdiction, and the FTC cannot block.
    assert seen["deal:blocked"] == 0
    assert seen["deal:no_jurisdiction"] >= 100 and seen["deal:approved"] >= 50
    assert seen["in_force:no_jurisdiction"] >= SEEDS  # the CMA's 2025 decision, every run


def test_no_regulator_blocks_outside_its_powers_even_at_its_strictest(
    strict_runs: list[RunResult],
) -> None:
    seen = rulings_within_powers(strict_runs)
    assert seen["blocked_by:cma"] >= 5  # blocks happen, and only where the CMA may block
    assert seen["blocked_by:ftc"] == 0 and seen["blocked_by:eu"] == 0
    assert seen["deal:inquiry"] >= 5  # the FTC inquires where a merger authority blocks
    complaints = sum(1 for run in strict_runs if run.final.complaints)
    assert complaints >= 10 and seen["in_force:approved_with_conditions"] >= 10


def test_no_agi_declaration_before_the_earliest_agi_date(default_runs: list[RunResult]) -> None:
    at = load_scenario("msft-openai").agi.at  # type: ignore[union-attr]
    assert isinstance(at, Distribution) and at.low is not None
    declared = 0
    for result in default_runs:
        times = [r.t for r in result.records if type(r.event) is MilestoneReached]
        if times:
            declared += 1
            assert min(times) >= at.low, (result.seed, min(times), at.low)
            assert times[0] == pytest.approx(float(result.scenario.agi.at))  # type: ignore[union-attr, arg-type]
    assert declared >= 150  # AGI comes before the 2036 horizon in most runs


def test_the_summary_counts_complaints_and_amendments_in_force(
    strict_runs: list[RunResult],
) -> None:
    from events.model import RegulatorAsked

    names = [name for name, _ in summary_columns(strict_runs[0].scenario)]
    assert names.index("complaints") == names.index("regulator_outcome") + 1
    amended = 0
    for result in strict_runs:
        row = result.summary
        asked = [r for r in result.records if type(r.event) is RegulatorAsked]
        assert row["complaints"] == len(asked)
        amended += row["in_force_conditions"]
        if row["in_force_conditions"]:
            assert asked  # in these runs only a complaint brings such a ruling
    assert amended >= 10
    plain = summary_columns(load_scenario("bilateral-demo"))  # nobody may complain
    assert "complaints" not in [name for name, _ in plain]
