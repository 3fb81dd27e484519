"""``negsim verify``: output, JSON, exit codes, repair."""

from __future__ import annotations

import hashlib
import subprocess
import sys
from pathlib import Path

import orjson
import pytest

from tests.cli_helpers import assert_one_line_error, run_cli
from tests.logs import partnership_log

ROOT = Path(__file__).resolve().parents[2]
DATA = partnership_log()
LINES = DATA.split(b"\n")[:-1]
DIGEST = hashlib.sha256(LINES[-1]).hexdigest()


@pytest.fixture
def log(tmp_path: Path) -> Path:
    path = tmp_path / "run.jsonl"
    path.write_bytes(DATA)
    return path


@pytest.fixture
def tampered(tmp_path: Path) -> Path:
    lines = list(LINES)
    lines[5] = lines[5].replace(b'"round":0', b'"round":9')
    path = tmp_path / "tampered.jsonl"
    path.write_bytes(b"".join(line + b"\n" for line in lines))
    return path


def test_ok(capsys: pytest.CaptureFixture[str], log: Path) -> None:
    result = run_cli(capsys, ["verify", str(log)])
    assert result.code == 0
    assert result.out == f"ok: 24 events, digest {DIGEST}\n"
    assert result.err == ""


def test_ok_json(capsys: pytest.CaptureFixture[str], log: Path) -> None:
    result = run_cli(capsys, ["verify", "--json", str(log)])
    assert result.code == 0 and result.err == ""
    assert orjson.loads(result.out) == {"ok": True, "events": 24, "digest": DIGEST}


def test_fault(capsys: pytest.CaptureFixture[str], tampered: Path) -> None:
    result = run_cli(capsys, ["verify", str(tampered)])
    assert_one_line_error(result, 1, f"{tampered}: line 6: hash does not match")
    assert result.out == ""


def test_fault_json(capsys: pytest.CaptureFixture[str], tampered: Path) -> None:
    result = run_cli(capsys, ["verify", "--json", str(tampered)])
    assert_one_line_error(result, 1, f"{tampered}: line 6")
    payload = orjson.loads(result.out)
    assert set(payload) == {"ok", "line", "error"}
    assert payload["ok"] is False and payload["line"] == 6
    assert "hash does not match" in payload["error"]


def test_first_fault_wins(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    lines = list(LINES)
    del lines[20]  # line 21 missing
    lines[3] = b"{" + lines[3]  # and line 4 broken
    path = tmp_path / "two-faults.jsonl"
    path.write_bytes(b"".join(line + b"\n" for line in lines))
    result = run_cli(capsys, ["verify", "--json", str(path)])
    assert result.code == 1
    assert orjson.loads(result.out)["line"] == 4


@pytest.mark.parametrize("flags", [[], ["--json"], ["--repair"], ["--repair", "--json"]])
def test_missing_file_is_exit_2(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, flags: list[str]
) -> None:
    missing = tmp_path / "missing.jsonl"
    result = run_cli(capsys, ["verify", *flags, str(missing)])
    assert_one_line_error(result, 2, str(missing), "no such log file")
    assert result.out == ""


def test_unreadable_file_is_exit_2(
    capsys: pytest.CaptureFixture[str], log: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # chmod 0 does not stop root (CI may run as root), so the read itself is made to
    # fail the way an unreadable file fails.
    real_open = Path.open

    def denied(self: Path, *args: object, **kwargs: object) -> object:
        if self == log:
            raise PermissionError(13, "Permission denied", str(self))
        return real_open(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(Path, "open", denied)
    assert_one_line_error(run_cli(capsys, ["verify", str(log)]), 2, str(log), "Permission denied")


def test_a_directory_is_exit_2(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert_one_line_error(run_cli(capsys, ["verify", str(tmp_path)]), 2, str(tmp_path))


def test_repair_json(capsys: pytest.CaptureFixture[str], log: Path) -> None:
    log.write_bytes(DATA + b'{"seq":24,"t":19')
    result = run_cli(capsys, ["verify", "--repair", "--json", str(log)])
    assert result.code == 0
    assert result.err == f"negsim: repaired {log}: dropped torn line 25 (16 bytes)\n"
    assert orjson.loads(result.out) == {"ok": True, "events": 24, "digest": DIGEST}
    assert log.read_bytes() == DATA


def test_repair_refused_keeps_the_same_message_for_a_relative_path(
    capsys: pytest.CaptureFixture[str], tampered: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tampered.parent)
    name = f"./{tampered.name}"
    before = tampered.read_bytes()
    plain = run_cli(capsys, ["verify", name])
    repaired = run_cli(capsys, ["verify", "--repair", name])
    assert_one_line_error(plain, 1, f"{name}: line 6")
    assert repaired == plain
    assert tampered.read_bytes() == before


def test_help(capsys: pytest.CaptureFixture[str]) -> None:
    result = run_cli(capsys, ["verify", "--help"])
    assert result.code == 0
    assert "--repair" in result.out and "--json" in result.out


def test_real_process_exit_codes(log: Path, tampered: Path) -> None:
    def negsim(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "sim", *args], capture_output=True, text=True, cwd=ROOT
        )

    ok = negsim("verify", str(log))
    assert (ok.returncode, ok.stdout, ok.stderr) == (0, f"ok: 24 events, digest {DIGEST}\n", "")
    bad = negsim("verify", str(tampered))
    assert bad.returncode == 1 and bad.stdout == ""
    assert bad.stderr.count("\n") == 1 and bad.stderr.startswith("negsim: error: ")
    missing = negsim("verify", str(log) + ".nope")
    assert missing.returncode == 2 and missing.stderr.count("\n") == 1
