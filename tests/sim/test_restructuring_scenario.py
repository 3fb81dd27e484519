"""The ``[restructuring]`` section: validation, overrides, and how ``negsim run`` and
``negsim mc`` show it."""

from __future__ import annotations

import copy
import datetime as dt
import re
from pathlib import Path
from typing import Any

import orjson
import pytest

from events.model import RestructuringEnded
from events.state import RESTRUCTURING_STATUSES
from sim.cli.render_restructuring import restructuring_lines
from sim.engine import simulate
from sim.run.summary import summarize
from sim.scenario import Scenario, ScenarioError, load_scenario, parse_toml, scenario_from_raw
from sim.scenario.builtins import builtin_text
from tests.cli_helpers import run_cli

D = dt.date
BASE = parse_toml(builtin_text("msft-openai"), "msft-openai")


def error_with(**changes: Any) -> str:
    """The one-line error of msft-openai with ``[restructuring]`` keys changed
    (a value of None deletes the key)."""
    raw = copy.deepcopy(BASE)
    for key, value in changes.items():
        if value is None:
            del raw["restructuring"][key]
        else:
            raw["restructuring"][key] = value
    with pytest.raises(ScenarioError) as info:
        scenario_from_raw(raw, source="s.toml")
    message = str(info.value)
    assert "\n" not in message and message.startswith("s.toml: restructuring")
    return message.removeprefix("s.toml: ")


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        (
            {"by": "softbank"},
            'restructuring.by: expected one of (microsoft, openai), got "softbank"',
        ),
        (
            {"consent_from": "openai"},
            'restructuring.consent_from: expected one of (microsoft), got "openai"',
        ),
        ({"proposed": None}, "restructuring.proposed: expected a date or a number"),
        ({"proposed": D(2040, 1, 1)}, "restructuring.proposed: expected a time before"),
        (
            {"long_stop": D(2025, 1, 1)},
            "restructuring.long_stop: expected a time after restructuring.proposed (2025-05-05)",
        ),
        (
            {"long_stop": {"dist": "uniform", "low": D(2025, 5, 1), "high": D(2027, 1, 1)}},
            "restructuring.long_stop: expected a time after restructuring.proposed",
        ),
        (
            {"funding_deadline": None},
            "restructuring.funding_deadline: expected a value (a funding condition; "
            "restructuring.funding_investor, restructuring.funding_at_risk_bn given), got nothing",
        ),
        (
            {"funding_at_risk_bn": -1},
            "restructuring.funding_at_risk_bn: expected a number in [0, 100000], got -1",
        ),
        ({"colour": "red"}, "restructuring.colour: expected a known key (by, consent_from"),
        ({"form": "a b"}, "restructuring.form: expected a name of letters, digits"),
        (
            {"reviewers": {"x": {"review_months": 0, "approval_probability": 0.5}}},
            "restructuring.reviewers.x.review_months: expected a number in (0, 1200]",
        ),
        (
            {"reviewers": {"x": {"review_months": 3, "approval_probability": 1.5}}},
            "restructuring.reviewers.x.approval_probability: expected a number in [0, 1]",
        ),
        (
            {"reviewers": {"x": {"review_months": 3}}},
            "restructuring.reviewers.x.approval_probability: expected a number in [0, 1] or a "
            "distribution table, got nothing",
        ),
        (
            {"reviewers": {"x": {"review_months": 3, "approval_probability": 1, "vote": 1}}},
            "restructuring.reviewers.x.vote: expected a known key",
        ),
    ],
)
def test_a_bad_key_names_itself_in_one_line(changes: dict[str, Any], expected: str) -> None:
    assert error_with(**changes).startswith(expected)


def test_a_generic_scenario_may_not_have_one() -> None:
    raw = parse_toml(builtin_text("bilateral-demo"), "b")
    raw["restructuring"] = copy.deepcopy(BASE["restructuring"])
    with pytest.raises(
        ScenarioError,
        match=re.escape('restructuring: expected no restructuring (domain is "generic")'),
    ):
        scenario_from_raw(raw, source="s.toml")


def test_the_section_round_trips_and_takes_overrides() -> None:
    scenario = load_scenario("msft-openai")
    assert Scenario.from_data(scenario.to_data()) == scenario
    plan = scenario.restructuring
    assert plan is not None
    assert (plan.by, plan.consent_from, plan.funding_investor) == (
        "openai",
        "microsoft",
        "softbank",
    )
    assert scenario.date_of(plan.proposed) == D(2025, 5, 5)
    assert scenario.date_of(plan.funding_deadline or 0.0) == D(2025, 12, 31)
    assert plan.funding_at_risk_bn == 20.0
    assert [r.key for r in plan.reviewers] == ["california_ag", "delaware_ag"]
    changed = load_scenario("msft-openai", ["restructuring.long_stop=2026-03-01"])
    assert changed.restructuring is not None
    assert changed.date_of(float(changed.restructuring.long_stop or 0.0)) == D(2026, 3, 1)


def pending_scenario() -> Scenario:
    """No long stop, reviews that outlast the horizon: the conversion stays pending."""
    raw = load_scenario("msft-openai").to_data()
    del raw["restructuring"]["long_stop"]
    for reviewer in raw["restructuring"]["reviewers"].values():
        reviewer["review_months"] = 1000.0
    return Scenario.from_data(raw)


def test_a_conversion_still_pending_at_the_horizon_says_so() -> None:
    scenario = pending_scenario()
    for seed in range(10):
        result = simulate(scenario, seed)
        final = result.final
        assert final.restructuring in ("proposed", "consented")
        assert not [r for r in result.records if type(r.event) is RestructuringEnded]
        row = summarize(result.records, result.scenario)
        assert row["restructuring"] == "pending" and row["restructuring_at"] is None
        assert row["funding_lost_bn"] == 20.0
        lines = restructuring_lines(result.records, final, scenario.start)
        assert any(line.startswith("  outcome: pending at the end of the run") for line in lines)


def test_run_prints_the_restructuring_within_80_columns_without_cutting_a_word(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "80")
    for seed in ("1", "4"):
        out = tmp_path / f"{seed}.jsonl"
        result = run_cli(capsys, ["run", "--seed", seed, "--out", str(out)])
        assert result.code == 0, result.err
        lines = result.out.splitlines()
        start = next(i for i, line in enumerate(lines) if line.startswith("Restructuring: "))
        block = [lines[start]]
        for line in lines[start + 1 :]:
            if not line.startswith("  "):
                break
            block.append(line)
        assert any(line.startswith("  outcome: ") for line in block)
        assert all(len(line) <= 80 for line in block), block
        # The state table's restructuring rows: one line each, whole words in every cell.
        report = orjson.loads(
            run_cli(capsys, ["run", "--seed", seed, "--out", str(out), "--json"]).out
        )
        for label, key in (
            ("restructuring", "restructuring"),
            ("consent", "restructuring_consent"),
        ):
            # At 80 columns the states are stacked, one table each: the last is the end.
            indices = [i for i, line in enumerate(lines) if line.startswith(f"│ {label} ")]
            assert indices
            for index in indices:
                cells = [cell.strip() for cell in lines[index].split("│")[2:-1]]
                assert all(
                    cell in RESTRUCTURING_STATUSES or cell in ("none", "given", "refused", "—")
                    for cell in cells
                )
                assert (
                    lines[index + 1].startswith("│ ") and lines[index + 1][2] != " "
                )  # no continuation line
                assert len(lines[index]) <= 80
            last = [cell.strip() for cell in lines[indices[-1]].split("│")[2:-1]]
            assert last[-1] == report["final"][key]


def test_wrapped_lines_never_cut_a_word() -> None:
    result = simulate(load_scenario("msft-openai"), 1)
    start = result.scenario.start
    unwrapped = restructuring_lines(result.records, result.final, start, 10_000)
    assert unwrapped and max(len(line) for line in unwrapped) > 40  # something to wrap
    for width in (40, 60, 80):
        lines = restructuring_lines(result.records, result.final, start, width)
        assert all(len(line) <= width for line in lines)
        assert " ".join(lines).split() == " ".join(unwrapped).split()  # the same words


def test_mc_reports_the_restructuring_only_for_a_scenario_that_has_one(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    ours = run_cli(
        capsys, ["mc", "-n", "8", "--workers", "1", "--store", str(tmp_path / "m.sqlite"), "--json"]
    )
    assert ours.code == 0, ours.err
    outcomes = {entry["outcome"]: entry for entry in orjson.loads(ours.out)["summary"]}
    completed, failed = outcomes["restructuring_completed"], outcomes["restructuring_failed"]
    assert completed["n"] == failed["n"] == 8
    assert completed["value"] + failed["value"] <= 1.0
    assert outcomes["funding_lost_bn"]["n"] == 8
    generic = run_cli(
        capsys, ["mc", "bilateral-demo", "-n", "4", "--store", str(tmp_path / "b.sqlite")]
    )
    assert generic.code == 0, generic.err
    for word in ("restructuring", "funding", "consent"):
        assert word not in generic.out.lower(), word
