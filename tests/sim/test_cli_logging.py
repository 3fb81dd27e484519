"""Operator logging (structlog): quiet by default, -v for more, JSON on request, and
never part of an event log."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest

from tests.cli_helpers import assert_one_line_error, run_cli


def test_default_is_quiet_on_success(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    result = run_cli(capsys, ["run", "--out", str(tmp_path / "a.jsonl"), "--json"])
    assert result.code == 0
    assert result.err == ""


def test_verbose_text_logs_name_the_event(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    result = run_cli(capsys, ["-v", "run", "--out", str(tmp_path / "a.jsonl"), "--json"])
    assert result.code == 0
    lines = result.err.strip().splitlines()
    assert len(lines) == 1
    assert "run_finished" in lines[0] and "scenario=msft-openai" in lines[0]
    orjson.loads(result.out)  # stdout stays one clean JSON object


def test_json_logs_are_json_lines_and_never_reach_the_event_log(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    quiet, loud = tmp_path / "quiet.jsonl", tmp_path / "loud.jsonl"
    assert run_cli(capsys, ["run", "--seed", "2", "--out", str(quiet)]).code == 0
    result = run_cli(
        capsys, ["-v", "--log-format", "json", "run", "--seed", "2", "--out", str(loud)]
    )
    assert result.code == 0
    records = [orjson.loads(line) for line in result.err.strip().splitlines()]
    assert [r["event"] for r in records] == ["run_finished"]
    assert records[0]["log"] == str(loud) and records[0]["level"] == "info"
    assert loud.read_bytes() == quiet.read_bytes()
    verified = run_cli(capsys, ["-v", "--log-format", "json", "verify", str(loud)])
    assert orjson.loads(verified.err)["event"] == "log_verified"


def test_quiet_still_reports_errors_in_one_line(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    log = tmp_path / "a.jsonl"
    assert run_cli(capsys, ["run", "--out", str(log)]).code == 0
    data = bytearray(log.read_bytes())
    data[data.index(b"\n") + 20] ^= 1  # one flipped bit in the second line
    log.write_bytes(bytes(data))
    assert_one_line_error(run_cli(capsys, ["-q", "verify", str(log)]), 1, "line 2")
    loud = run_cli(capsys, ["-v", "--log-format", "json", "verify", str(log)])
    assert loud.code == 1
    *logs, error = loud.err.strip().splitlines()
    assert [orjson.loads(line)["event"] for line in logs] == ["log_rejected"]
    assert error.startswith("negsim: error: ") and "line 2" in error
