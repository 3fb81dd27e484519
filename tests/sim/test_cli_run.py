"""``negsim run`` and ``negsim scenarios`` end to end."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest

from events.verify import verify_file
from sim.engine import simulate
from sim.scenario import load_scenario
from tests.cli_helpers import assert_one_line_error, run_cli


def test_run_json_reports_the_log_and_its_digest(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    out = tmp_path / "run.jsonl"
    result = run_cli(capsys, ["run", "--seed", "4", "--out", str(out), "--json"])
    assert result.code == 0, result.err
    report = orjson.loads(result.out)
    for key in ("log", "digest", "events", "agreement", "agi_time"):
        assert key in report
    verified = verify_file(out)
    assert report["log"] == str(out)
    assert report["digest"] == verified.digest
    assert report["events"] == len(verified.records)
    expected = simulate(load_scenario("msft-openai"), 4)
    assert report["digest"] == expected.digest
    assert (report["agreement"] is not None) == expected.summary["agreement"]
    assert report["agi_time"] == expected.summary["agi_time"]


def test_run_default_log_path_and_human_summary(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    result = run_cli(capsys, ["run"])
    assert result.code == 0, result.err
    log = tmp_path / "runs" / "msft-openai-0.jsonl"
    assert log.exists()
    digest = verify_file(log).digest
    assert digest in result.out
    assert "before AGI" in result.out and "after AGI" in result.out
    assert "msft-openai, seed 0" in result.out


def test_run_batch_seed_form_and_overrides(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    out = tmp_path / "x.jsonl"
    args = ["run", "--seed", "3:5", "--set", "agi.at=2029-06-01", "--out", str(out), "--json"]
    report = orjson.loads(run_cli(capsys, args).out)
    expected = simulate(load_scenario("msft-openai", ["agi.at=2029-06-01"]), "3:5")
    assert report["digest"] == expected.digest
    assert report["agi_date"] == "2029-06-01"


@pytest.mark.parametrize(
    ("args", "needles"),
    [
        (["run", "--seed", "-1"], ["--seed", "42:7"]),
        (["run", "--seed", "abc"], ["--seed"]),
        (["run", "no-such-scenario"], ["no-such-scenario", "built-ins"]),
        (["run", "--set", "regulators.cma.strictness=2"], ["regulators.cma.strictness"]),
        (["run", "--set", "nonsense"], ["--set"]),
        (["run", "--bogus"], ["--bogus"]),
    ],
)
def test_run_bad_input_is_one_line_exit_2(
    capsys: pytest.CaptureFixture[str], args: list[str], needles: list[str]
) -> None:
    assert_one_line_error(run_cli(capsys, args), 2, *needles)


def test_run_unwritable_output_is_one_line(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    result = run_cli(capsys, ["run", "--out", str(blocker / "sub" / "log.jsonl")])
    assert result.code in (2, 3)
    assert_one_line_error(result, result.code, str(blocker))


def test_scenarios_lists_the_builtins(capsys: pytest.CaptureFixture[str]) -> None:
    result = run_cli(capsys, ["scenarios"])
    assert result.code == 0
    names = [line.split()[0] for line in result.out.strip().splitlines()]
    assert names == ["msft-openai", "bilateral-demo"] or sorted(names) == sorted(
        ["msft-openai", "bilateral-demo"]
    )
    listed = orjson.loads(run_cli(capsys, ["scenarios", "--json"]).out)
    assert {item["name"] for item in listed} == {"msft-openai", "bilateral-demo"}


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full (Linux)")
def test_a_full_disk_is_exit_3_and_a_device_is_never_replaced(capsys, tmp_path: Path) -> None:
    out = tmp_path / "run.jsonl"
    out.symlink_to("/dev/full")
    result = run_cli(capsys, ["run", "bilateral-demo", "--out", str(out)])
    assert_one_line_error(result, 3, f"{out}: cannot write log: No space left on device")
    assert out.is_symlink() and Path("/dev/full").is_char_device()
