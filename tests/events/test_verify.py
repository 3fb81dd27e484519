"""Verification detects every tampering of a valid log, and survives garbage.

Property tests over generated valid logs: every single-byte change, deleted,
duplicated or swapped line and every truncation is found by ``find_fault``; the CLI
turns each into one line on stderr with exit 1. Garbage input never gives a traceback.
"""

from __future__ import annotations

import hashlib
import tempfile
from pathlib import Path

import orjson
import pytest
from hypothesis import given
from hypothesis import strategies as st

from events.errors import IntegrityError
from events.model import RunEnded
from events.verify import LogFaultError, find_fault, verify_bytes
from tests import strategies as gen
from tests.cli_helpers import assert_one_line_error, run_cli
from tests.logs import build_log, partnership_log, reseal, run_started

valid_logs = gen.event_sequences(max_middle=6).map(build_log)


def lines_of(data: bytes) -> list[bytes]:
    assert data.endswith(b"\n")
    return data.split(b"\n")[:-1]


def joined(lines: list[bytes]) -> bytes:
    return b"".join(line + b"\n" for line in lines)


# --- the generated logs are valid to begin with ---------------------------------------


@given(valid_logs)
def test_generated_logs_verify(data: bytes) -> None:
    assert find_fault(data) is None
    assert verify_bytes(data).digest == hashlib.sha256(lines_of(data)[-1]).hexdigest()


# --- tampering is always detected -----------------------------------------------------


@given(valid_logs, st.data())
def test_every_single_byte_change_is_detected(data: bytes, draw: st.DataObject) -> None:
    position = draw.draw(st.integers(0, len(data) - 1), label="position")
    value = draw.draw(st.integers(0, 255).filter(lambda b: b != data[position]), label="byte")
    changed = data[:position] + bytes([value]) + data[position + 1 :]
    assert find_fault(changed) is not None


def test_every_single_byte_change_of_a_small_log_is_detected_exhaustively() -> None:
    data = build_log([(0.0, run_started(name="tiny")), (1.0, RunEnded("horizon"))])
    buffer = bytearray(data)
    missed = []
    for position, original in enumerate(data):
        for value in range(256):
            if value == original:
                continue
            buffer[position] = value
            if find_fault(bytes(buffer)) is None:
                missed.append((position, value))
        buffer[position] = original
    assert missed == []


@given(valid_logs, st.data())
def test_a_deleted_line_is_detected(data: bytes, draw: st.DataObject) -> None:
    lines = lines_of(data)
    index = draw.draw(st.integers(0, len(lines) - 1))
    assert find_fault(joined(lines[:index] + lines[index + 1 :])) is not None


@given(valid_logs, st.data())
def test_a_duplicated_line_is_detected(data: bytes, draw: st.DataObject) -> None:
    lines = lines_of(data)
    index = draw.draw(st.integers(0, len(lines) - 1))
    assert find_fault(joined(lines[: index + 1] + lines[index:])) is not None


@given(valid_logs, st.data())
def test_a_swapped_pair_of_lines_is_detected(data: bytes, draw: st.DataObject) -> None:
    lines = lines_of(data)
    i = draw.draw(st.integers(0, len(lines) - 2))
    j = draw.draw(st.integers(i + 1, len(lines) - 1))
    lines[i], lines[j] = lines[j], lines[i]
    assert find_fault(joined(lines)) is not None


@given(valid_logs, st.data())
def test_every_truncation_is_detected(data: bytes, draw: st.DataObject) -> None:
    length = draw.draw(st.integers(0, len(data) - 1))
    assert find_fault(data[:length]) is not None


def test_every_truncation_of_the_partnership_log_is_detected() -> None:
    data = partnership_log()
    assert find_fault(data) is None
    assert all(find_fault(data[:length]) is not None for length in range(len(data)))


def test_reseal_is_a_faithful_forgery_tool() -> None:
    data = partnership_log()
    assert reseal(lines_of(data)) == data


def test_a_reordered_deleted_or_duplicated_but_resealed_log_is_caught_by_seq() -> None:
    """Even a forger who recomputes every hash cannot reorder lines: seq gives it away."""
    lines = lines_of(partnership_log())
    swapped = [*lines[:5], lines[6], lines[5], *lines[7:]]
    for forged, line in ((swapped, 6), (lines[:5] + lines[6:], 6), (lines[:6] + lines[5:], 7)):
        fault = find_fault(reseal(forged))
        assert fault is not None and fault.line == line and "seq" in fault.message
    assert orjson.loads(lines[5])["seq"] == 5


def test_a_resealed_log_with_time_going_backwards_is_caught() -> None:
    lines = lines_of(partnership_log())
    lines[7] = lines[7].replace(b'"t":79.0', b'"t":78.0')  # before line 7's 79.0
    fault = find_fault(reseal(lines))
    assert fault is not None and fault.line == 8 and "backwards" in fault.message


# --- the CLI on tampered logs ----------------------------------------------------------


def _tamper(data: bytes, kind: str, a: int, b: int, value: int) -> bytes:
    lines = lines_of(data)
    i, j = sorted((a % len(lines), b % len(lines)))
    if kind == "byte":
        position = a % len(data)
        changed = bytearray(data)
        changed[position] = value if value != data[position] else (value + 1) % 256
        return bytes(changed)
    if kind == "delete":
        return joined(lines[:i] + lines[i + 1 :])
    if kind == "duplicate":
        return joined(lines[: i + 1] + lines[i:])
    if kind == "swap":
        if i == j:
            j = (i + 1) % len(lines)
            i, j = sorted((i, j))
        lines[i], lines[j] = lines[j], lines[i]
        return joined(lines)
    return data[: a % len(data)]  # truncate


@gen.cli_settings(25)
@given(
    valid_logs,
    st.sampled_from(("byte", "delete", "duplicate", "swap", "truncate")),
    st.integers(0, 10**6),
    st.integers(0, 10**6),
    st.integers(0, 255),
)
def test_cli_reports_a_tampered_log_in_one_line_with_exit_1(
    capsys: pytest.CaptureFixture[str], data: bytes, kind: str, a: int, b: int, value: int
) -> None:
    tampered = _tamper(data, kind, a, b, value)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "run.jsonl"
        path.write_bytes(tampered)
        fault = find_fault(tampered)
        assert fault is not None
        result = run_cli(capsys, ["verify", str(path)])
        assert_one_line_error(result, 1, str(path), f"line {fault.line}")
        assert result.out == ""
        result = run_cli(capsys, ["replay", str(path)])
        assert_one_line_error(result, 1, str(path), f"line {fault.line}")


# --- garbage ---------------------------------------------------------------------------

_NOT_EVENTS = b'{"a":1}\n{"seq":0,"t":0,"type":"RunStarted","v":1,"data":{},"prev":"x"}\n[1]\n'
GARBAGE = {
    "empty": b"",
    "newline": b"\n",
    "binary": bytes(range(256)) * 4,
    "nul bytes": b"\0" * 100 + b"\n",
    "json array": b"[1, 2, 3]\n",
    "json string": b'"a log"\n',
    "json number": b"42\n",
    "json null": b"null\n",
    "huge line": b'{"x":"' + b"a" * 5_000_000 + b'"}\n',
    "huge non-json line": b"z" * 5_000_000 + b"\n",
    "json objects, not events": _NOT_EVENTS,
    "utf-16": '{"seq":0}\n'.encode("utf-16"),
    "deeply nested": b"[" * 100_000 + b"]" * 100_000 + b"\n",
    "not utf-8": b'{"seq":0,"t":"\xff\xfe"}\n',
}


@pytest.mark.parametrize("name", sorted(GARBAGE))
def test_garbage_is_a_fault_not_a_crash(name: str) -> None:
    data = GARBAGE[name]
    fault = find_fault(data)
    assert fault is not None and fault.line >= 1
    with pytest.raises(LogFaultError) as info:
        verify_bytes(data, name="garbage.jsonl")
    assert isinstance(info.value, IntegrityError)
    assert str(info.value).startswith("garbage.jsonl: line ")
    assert "\n" not in str(info.value)


@pytest.mark.parametrize("name", sorted(GARBAGE))
@pytest.mark.parametrize("subcommand", ["verify", "replay"])
def test_cli_on_garbage_is_one_line(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, name: str, subcommand: str
) -> None:
    path = tmp_path / "garbage.jsonl"
    path.write_bytes(GARBAGE[name])
    result = run_cli(capsys, [subcommand, str(path)])
    assert_one_line_error(result, 1, str(path), "line ")
    assert result.out == ""


@pytest.mark.parametrize("subcommand", ["verify", "replay"])
def test_cli_missing_file_and_directory_are_exit_2(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, subcommand: str
) -> None:
    missing = tmp_path / "nope.jsonl"
    assert_one_line_error(run_cli(capsys, [subcommand, str(missing)]), 2, str(missing))
    assert_one_line_error(run_cli(capsys, [subcommand, str(tmp_path)]), 2, str(tmp_path))


def test_fault_names_the_first_bad_line_and_why() -> None:
    lines = lines_of(partnership_log())
    changed = list(lines)
    changed[5] = changed[5].replace(b'"round":0', b'"round":1')  # line 6 (seq 5) edited
    fault = find_fault(joined(changed))
    assert fault is not None and fault.line == 6
    assert "hash does not match" in fault.message
    fault = find_fault(joined(lines[:5] + lines[6:]))  # line 6 (seq 5) removed
    assert fault is not None and fault.line == 6 and "seq is 6, expected 5" in fault.message
    fault = find_fault(joined(lines[:-1]))  # RunEnded removed
    assert fault is not None and fault.line == len(lines) - 1 and "RunEnded" in fault.message


# --- regressions: bugs found in events/ and fixed ---


def _sealed(body: bytes) -> bytes:
    return body + b',"hash":"' + hashlib.sha256(body + b"}").hexdigest().encode() + b'"}'


def test_a_sealed_line_without_envelope_keys_is_a_fault() -> None:
    # A line that carries a correct seal of itself but none of the envelope keys:
    # verify used to read obj["seq"] before checking the keys, so KeyError escaped.
    data = _sealed(b'{"a":1') + b"\n"
    fault = find_fault(data)
    assert fault is not None and "envelope" in fault.message


def test_cli_on_a_sealed_line_without_envelope_keys_is_exit_1(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "sealed.jsonl"
    path.write_bytes(_sealed(b'{"a":1') + b"\n")
    assert_one_line_error(run_cli(capsys, ["verify", str(path)]), 1, "line 1")


@pytest.mark.parametrize(
    ("old", "new"),
    [
        # a right name that is not a string
        (b'"remove":["exclusivity.api"', b'"remove":[3.5'),
        # a clause with a parameter out of range, or of an unknown kind
        (b'"add":[]', b'"add":[{"kind":"equity","holder":"microsoft","share":"half"}]'),
        (b'"add":[]', b'"add":[{"kind":"merger","holder":"microsoft"}]'),
        # a term end that is not a year
        (b'"add":[]', b'"add":[],"term_end":"2030"'),
    ],
)
def test_a_resealed_ruling_with_malformed_conditions_is_a_fault(old: bytes, new: bytes) -> None:
    # Conditions used to be decoded without checking their types: the log verified and
    # then fold() crashed when it applied them. Decoding now validates every field.
    lines = lines_of(partnership_log())
    assert old in lines[19]
    lines[19] = lines[19].replace(old, new)
    fault = find_fault(reseal(lines))
    assert fault is not None and fault.line == 20


# --- regressions: bugs found in events/ and fixed ---


def _resealed_with(old: bytes, new: bytes, line: int = 6) -> bytes:
    lines = lines_of(partnership_log())
    assert old in lines[line]
    lines[line] = lines[line].replace(old, new, 1)
    return reseal(lines)


@pytest.mark.parametrize("type_value", [b'["OfferRejected"]', b'{"a":1}'])
def test_a_resealed_line_whose_type_is_not_a_string_is_a_fault(type_value: bytes) -> None:
    # known_version() looks the type up in a dict: a JSON list or object as "type"
    # raises TypeError (unhashable) out of find_fault; the CLI exits 70, not 1.
    data = _resealed_with(b'"type":"OfferRejected"', b'"type":' + type_value)
    fault = find_fault(data)
    assert fault is not None and fault.line == 7


def test_a_resealed_line_with_a_boolean_version_is_a_fault() -> None:
    # known_version() checks isinstance(version, int), and True is an int in Python.
    fault = find_fault(_resealed_with(b'"v":1', b'"v":true'))
    assert fault is not None and fault.line == 7
