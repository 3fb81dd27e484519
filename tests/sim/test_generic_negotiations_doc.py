"""docs/generic-negotiations.md runs as written: its TOML loads and plays, its
commands succeed, its error example and its claims about the example hold."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import orjson
import pytest

from agents.strategies import STRATEGIES, make_strategy
from sim.engine import simulate
from sim.scenario import load_scenario
from tests.cli_helpers import run_cli

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "generic-negotiations.md"


def blocks(language: str) -> list[str]:
    return re.findall(rf"^```{language}\n(.*?)^```$", DOC.read_text(encoding="utf-8"), re.M | re.S)


@pytest.fixture
def in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "job-offer.toml").write_text(blocks("toml")[0], encoding="utf-8")
    return tmp_path


def test_the_readme_links_the_page() -> None:
    assert "(docs/generic-negotiations.md)" in (ROOT / "README.md").read_text(encoding="utf-8")


def test_the_example_loads_as_the_page_describes_it(in_tmp: Path) -> None:
    scenario = load_scenario(str(in_tmp / "job-offer.toml"))
    assert scenario.negotiation.protocol == "sao"
    sizes = [len(issue.values) for issue in scenario.negotiation.issues]
    assert sizes == [5, 6, 4, 3] and 5 * 6 * 4 * 3 == 360
    employer = scenario.party("employer")
    assert employer.value_table("salary_k") == {80: 1.0, 90: 0.75, 100: 0.5, 110: 0.25, 120: 0.0}
    assert employer.value_table("remote_days") == {v: 1 - v / 5 for v in range(6)}
    candidate = scenario.party("candidate")
    assert candidate.value_table("bonus_k") == {v: v / 15 for v in (0, 5, 10, 15)}
    result = simulate(scenario, 0)
    summary = result.summary
    # "An agreement at time 36.5 (the second party accepting in step 36) is step 37."
    assert summary["agreement"] and summary["agreement_time"] == 36.5
    assert summary["step"] == 37


def test_every_command_on_the_page_succeeds(
    in_tmp: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    commands = [line for line in blocks("bash")[0].splitlines() if line.strip()]
    assert len(commands) >= 5
    for command in commands:
        args = shlex.split(command)
        assert args[0] == "negsim"
        result = run_cli(capsys, args[1:])
        assert result.code == 0, (command, result.err)
        if "--json" in args and args[1] == "run":
            assert orjson.loads(result.out)["summary"]["step"] == 37
    assert (in_tmp / "job-offer-pareto.png").stat().st_size > 0
    assert (in_tmp / "job-offer.csv").read_text().splitlines()[0].split(",").count("step") == 1


def test_the_error_example_is_what_negsim_prints(
    in_tmp: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (expected,) = [b for b in blocks("text") if "parties.employer.values.start" in b]
    args = ["run", "job-offer.toml", "--set", "parties.employer.values.start=increasing"]
    result = run_cli(capsys, args)
    assert result.code == 2
    assert result.err == expected


def test_the_mapping_table_states_the_defaults() -> None:
    text = DOC.read_text(encoding="utf-8")
    # NegMAS 0.16: PolyAspiration exponents boulware 4, linear 1, conceder 0.25; eps
    # 1e-4 for the *TBNegotiator classes, tolerance 0.001 for AspirationNegotiator.
    documented = {
        "boulware": (4.0, 1e-4),
        "linear": (1.0, 1e-4),
        "conceder": (0.25, 1e-4),
        "negmas-aspiration": (4.0, 0.001),
    }
    for name, (exponent, tolerance) in documented.items():
        params = make_strategy(name).params()
        assert (params["exponent"], params["tolerance"], params["max_aspiration"]) == (
            exponent,
            tolerance,
            1.0,
        )
        assert f"| `{name}` |" in text
    for name in STRATEGIES:  # every strategy is named on the page
        assert f"`{name}`" in text
