"""SAO runs report NegMAS's ``step`` and refuse more steps than the horizon holds.

NegMAS 0.16 (``SAOMechanism.run()``, ``state.step``) reports ``k + 1`` when talks end
during step ``k`` (0-based) and ``n_steps`` on a timeout; step ``k`` of negsim's SAO
clock is ``[opens + k, opens + k + 1)``.
"""

from __future__ import annotations

import math
from pathlib import Path

import orjson
import pytest
from hypothesis import given
from hypothesis import strategies as st

from sim.engine import simulate
from sim.run.summary import negmas_step, summary_columns
from sim.scenario import ScenarioError, load_scenario
from tests.cli_helpers import assert_one_line_error, run_cli

HARDLINERS = ["parties.buyer.strategy=hardliner", "parties.seller.strategy=hardliner"]


@given(k=st.integers(0, 999), within=st.sampled_from([0.0, 0.25, 0.5, 0.75]))
def test_talks_ending_inside_step_k_report_k_plus_one(k: int, within: float) -> None:
    assert negmas_step(3.0 + k + within, 3.0, 1000) == k + 1


def test_a_timeout_reports_n_steps() -> None:
    assert negmas_step(40.0, 0.0, 40) == 40
    assert negmas_step(45.0, 5.0, 40) == 40


def test_agreement_step_in_the_summary() -> None:
    scenario = load_scenario("bilateral-demo")
    summary = simulate(scenario, 0).summary
    assert summary["agreement"]
    # Talks ended by that agreement, inside step floor(t): NegMAS counts one more.
    assert summary["step"] == math.floor(summary["agreement_time"]) + 1


def test_timeout_step_in_the_summary() -> None:
    scenario = load_scenario("bilateral-demo", [*HARDLINERS, "negotiation.n_steps=30"])
    summary = simulate(scenario, 0).summary
    assert not summary["agreement"]
    assert summary["step"] == 30


def test_only_sao_scenarios_have_a_step_column() -> None:
    sao = [name for name, _ in summary_columns(load_scenario("bilateral-demo"))]
    assert sao[:4] == ["agreement", "agreement_time", "agreement_date", "step"]
    alternating = load_scenario("msft-openai")
    assert "step" not in [name for name, _ in summary_columns(alternating)]
    assert "step" not in simulate(alternating, 0).summary


def test_n_steps_beyond_the_horizon_is_refused() -> None:
    with pytest.raises(ScenarioError) as info:
        load_scenario("bilateral-demo", ["scenario.horizon=50"])
    assert str(info.value) == (
        "builtin:bilateral-demo: negotiation.n_steps: expected at most 50 steps "
        "(the steps must end by scenario.horizon, 50), got 100"
    )
    with pytest.raises(ScenarioError) as info:
        load_scenario("bilateral-demo", ["negotiation.opens=10", "negotiation.n_steps=91"])
    assert str(info.value) == (
        "builtin:bilateral-demo: negotiation.n_steps: expected at most 90 steps (the "
        "steps from negotiation.opens (10) must end by scenario.horizon, 100), got 91"
    )


def test_n_steps_up_to_the_horizon_runs_to_its_deadline() -> None:
    scenario = load_scenario(
        "bilateral-demo", [*HARDLINERS, "negotiation.opens=10", "negotiation.n_steps=90"]
    )
    result = simulate(scenario, 0)
    assert result.final.talks_outcome == "deadline"
    assert result.summary["step"] == 90


def test_negsim_run_reports_the_step(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    out = tmp_path / "demo.jsonl"
    result = run_cli(capsys, ["run", "bilateral-demo", "--out", str(out), "--json"])
    assert result.code == 0, result.err
    summary = orjson.loads(result.out)["summary"]
    assert summary["step"] == math.floor(summary["agreement_time"]) + 1
    result = run_cli(capsys, ["run", "bilateral-demo", "--out", str(out)])
    assert result.code == 0, result.err
    assert f"NegMAS step: {summary['step']} " in result.out


def test_negsim_run_refuses_too_many_steps(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    out = tmp_path / "demo.jsonl"
    args = ["run", "bilateral-demo", "--set", "scenario.horizon=20", "--out", str(out)]
    result = run_cli(capsys, args)
    assert_one_line_error(result, 2, "negotiation.n_steps", "scenario.horizon, 20")
    assert not out.exists()


@pytest.mark.parametrize("who", ["buyer", "seller"])
def test_a_walk_away_in_step_0_is_step_1(who: str) -> None:
    # No delivery value and a reservation of 0.99: no outcome is worth a deal to `who`,
    # which walks away at its first move (the buyer at t = 0, the seller at t = 0.5).
    scenario = load_scenario(
        "bilateral-demo",
        [
            f"parties.{who}.reservation=0.99",
            "parties.buyer.values.delivery={fast=0.0, standard=0.0, slow=0.0}",
            "parties.seller.values.delivery={fast=0.0, standard=0.0, slow=0.0}",
        ],
    )
    result = simulate(scenario, 0)
    assert result.final.talks_outcome == "walk_away"
    assert result.summary["step"] == 1
