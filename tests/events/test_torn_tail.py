"""A torn last line (a crash mid-write) is reported as such and only it is repaired."""

from __future__ import annotations

import hashlib
import tempfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from events.verify import LogFaultError, find_fault, repair_torn_tail, verify_file
from tests import strategies as gen
from tests.cli_helpers import assert_one_line_error, run_cli
from tests.logs import PARTNERSHIP, build_log, partnership_log

FULL = partnership_log()
LINES = FULL.split(b"\n")[:-1]
UNFINISHED = b"".join(line + b"\n" for line in LINES[:-1])  # everything but RunEnded
RUN_ENDED_LINE = LINES[-1]

torn_tails = st.binary(min_size=1, max_size=300).filter(lambda b: b"\n" not in b)


def test_missing_final_newline_is_torn() -> None:
    fault = find_fault(FULL[:-1])
    assert fault is not None and fault.torn
    assert fault.line == len(LINES)
    assert "torn last line" in fault.message and "no newline" in fault.message
    assert fault.offset == len(FULL) - len(RUN_ENDED_LINE) - 1


def test_a_half_written_last_line_is_torn() -> None:
    half = UNFINISHED + RUN_ENDED_LINE[:40]
    fault = find_fault(half)
    assert fault is not None and fault.torn and fault.line == len(LINES)
    assert fault.offset == len(UNFINISHED)


def test_a_last_line_that_is_not_json_is_torn() -> None:
    fault = find_fault(UNFINISHED + b'{"seq":23,"t":19\n')
    assert fault is not None and fault.torn and fault.line == len(LINES)
    assert "not valid JSON" in fault.message


def test_a_bad_line_before_the_last_is_not_torn() -> None:
    data = UNFINISHED[:-1] + b"x\n" + RUN_ENDED_LINE + b"\n"  # line 23 broken
    fault = find_fault(data)
    assert fault is not None and not fault.torn and fault.line == len(LINES) - 1


@given(gen.event_sequences(max_middle=5), torn_tails)
def test_any_tail_without_newline_after_a_valid_log_is_torn(pairs: list, tail: bytes) -> None:
    data = build_log(pairs)
    fault = find_fault(data + tail)
    assert fault is not None and fault.torn
    assert fault.line == len(pairs) + 1 and fault.offset == len(data)


@settings(max_examples=30)
@given(gen.event_sequences(max_middle=5), torn_tails)
def test_repair_drops_exactly_the_torn_tail_and_the_log_then_verifies(
    pairs: list, tail: bytes
) -> None:
    data = build_log(pairs)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "run.jsonl"
        path.write_bytes(data + tail)
        fault = repair_torn_tail(path)
        assert fault is not None and fault.torn
        assert path.read_bytes() == data
        assert len(verify_file(path)) == len(pairs)
        assert repair_torn_tail(path) is None  # nothing left to repair
        assert path.read_bytes() == data


@gen.cli_settings(20)
@given(gen.event_sequences(max_middle=5), torn_tails)
def test_cli_repair_says_what_it_dropped_then_verifies(
    capsys: pytest.CaptureFixture[str], pairs: list, tail: bytes
) -> None:
    data = build_log(pairs)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "run.jsonl"
        path.write_bytes(data + tail)
        before = run_cli(capsys, ["verify", str(path)])
        assert_one_line_error(before, 1, str(path), f"line {len(pairs) + 1}", "torn")
        assert path.read_bytes() == data + tail  # verify alone never repairs
        result = run_cli(capsys, ["verify", "--repair", str(path)])
        assert result.code == 0, result.err
        assert result.err == (
            f"negsim: repaired {path}: dropped torn line {len(pairs) + 1} ({len(tail)} bytes)\n"
        )
        assert result.out.startswith(f"ok: {len(pairs)} events, digest ")
        assert path.read_bytes() == data


def test_cli_repair_of_a_torn_run_ended_leaves_an_unfinished_log(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "run.jsonl"
    path.write_bytes(UNFINISHED + RUN_ENDED_LINE[:10])
    result = run_cli(capsys, ["verify", "--repair", str(path)])
    assert path.read_bytes() == UNFINISHED
    repaired, error = result.err.splitlines()
    assert repaired == f"negsim: repaired {path}: dropped torn line {len(LINES)} (10 bytes)"
    assert error.startswith(f"negsim: error: {path}: line {len(LINES) - 1}: ")
    assert "RunEnded" in error and result.code == 1


def _other_fault(kind: str, index: int) -> bytes:
    """A fault in a line before the last two, so never a torn tail."""
    lines = list(LINES)
    if kind == "edit":
        lines[index] = lines[index].replace(b'"seq"', b'"seq" ', 1)
    elif kind == "delete":
        del lines[index]
    elif kind == "duplicate":
        lines.insert(index, lines[index])
    elif kind == "swap":
        lines[index], lines[index + 1] = lines[index + 1], lines[index]
    elif kind == "garbage":
        lines[index] = b"not json"
    return b"".join(line + b"\n" for line in lines)


@pytest.mark.parametrize("kind", ["edit", "delete", "duplicate", "swap", "garbage"])
@pytest.mark.parametrize("index", [0, 7, len(LINES) - 3])
def test_repair_never_touches_any_other_fault(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, kind: str, index: int
) -> None:
    data = _other_fault(kind, index)
    path = tmp_path / "run.jsonl"
    path.write_bytes(data)
    plain = run_cli(capsys, ["verify", str(path)])
    assert_one_line_error(plain, 1, str(path))
    with pytest.raises(LogFaultError):
        repair_torn_tail(path)
    assert path.read_bytes() == data
    repaired = run_cli(capsys, ["verify", "--repair", str(path)])
    assert path.read_bytes() == data
    assert repaired == plain  # same exit code, same single line, nothing on stdout


@gen.cli_settings(20)
@given(gen.event_sequences(min_middle=2, max_middle=6), st.data())
def test_repair_never_touches_a_changed_byte_before_the_last_line(
    capsys: pytest.CaptureFixture[str], pairs: list, draw: st.DataObject
) -> None:
    data = build_log(pairs)
    last_line_start = data.rindex(b"\n", 0, len(data) - 1) + 1
    # Not the newline ending the second-to-last line: merging it into the last line
    # makes a last line that is not JSON, which the verifier counts as torn.
    position = draw.draw(st.integers(0, last_line_start - 2))
    value = draw.draw(st.integers(0, 255).filter(lambda b: b != data[position]))
    changed = data[:position] + bytes([value]) + data[position + 1 :]
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "run.jsonl"
        path.write_bytes(changed)
        result = run_cli(capsys, ["verify", "--repair", str(path)])
        assert_one_line_error(result, 1, str(path))
        assert path.read_bytes() == changed


def test_repair_of_a_valid_log_changes_nothing(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "run.jsonl"
    path.write_bytes(FULL)
    assert repair_torn_tail(path) is None
    result = run_cli(capsys, ["verify", "--repair", str(path)])
    assert result.code == 0 and result.err == ""
    digest = hashlib.sha256(RUN_ENDED_LINE).hexdigest()
    assert result.out == f"ok: {len(PARTNERSHIP)} events, digest {digest}\n"
    assert path.read_bytes() == FULL
