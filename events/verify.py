"""Verify a log line by line, decoding it into typed records on the way.

Checks, in order, for every line: JSON object, its own seal (``hash``), the envelope
keys, ``seq`` without gaps, ``t`` finite and never decreasing, the ``prev`` chain, a
known ``type``/``v`` and well-formed ``data``; for the whole log: ``RunStarted``
first and ``RunEnded`` last (unless ``require_end=False``, for logs being written).
The first fault stops verification and is reported with its 1-based line number.

A *torn* tail (the last line lacks its newline, or is not JSON: a crash mid-write) is
a fault like any other, but the only one ``repair_torn_tail`` will fix.
"""

from __future__ import annotations

import gc
import hashlib
import math
import os
from pathlib import Path

import attrs
import orjson

from events.codec import GENESIS, Recorded, decode_event, known_version, line_seal_ok
from events.errors import InputError, IntegrityError
from events.model import RunEnded, RunStarted

_CHANGED = "hash does not match the line's bytes (the line was changed)"
_ENVELOPE = frozenset(("seq", "t", "type", "v", "data", "prev", "hash"))


@attrs.frozen
class Fault:
    """The first thing wrong with a log."""

    line: int  # 1-based line number
    message: str
    offset: int  # byte offset where that line starts
    torn: bool = False


class LogFaultError(IntegrityError):
    """A log failed verification; ``fault`` says where and why."""

    def __init__(self, name: str, fault: Fault) -> None:
        super().__init__(f"{name}: line {fault.line}: {fault.message}", line=fault.line)
        self.fault = fault


@attrs.frozen
class VerifiedLog:
    """A log that verified: its records, in order, and its digest."""

    records: list[Recorded]
    digest: str

    def __len__(self) -> int:
        return len(self.records)


def read_log_bytes(path: str | os.PathLike[str]) -> bytes:
    """A log file's bytes, or InputError (exit 2) if it cannot be read."""
    p = Path(path)
    try:
        return p.read_bytes()
    except FileNotFoundError:
        raise InputError(f"{p}: no such log file") from None
    except IsADirectoryError:
        raise InputError(f"{p}: is a directory, expected a JSONL log file") from None
    except OSError as exc:
        raise InputError(f"{p}: cannot read: {exc.strerror or exc}") from None


def verify_file(path: str | os.PathLike[str], *, require_end: bool = True) -> VerifiedLog:
    return verify_bytes(read_log_bytes(path), name=str(path), require_end=require_end)


def verify_bytes(data: bytes, *, name: str = "<log>", require_end: bool = True) -> VerifiedLog:
    """Verify and decode a whole log held in memory; raises LogFaultError on the first fault."""
    fault, verified = _scan(data, require_end)
    if fault is not None:
        raise LogFaultError(name, fault)
    assert verified is not None
    return verified


def find_fault(data: bytes, *, require_end: bool = True) -> Fault | None:
    """The first fault in ``data``, or None if it verifies."""
    return _scan(data, require_end)[0]


def _scan(data: bytes, require_end: bool) -> tuple[Fault | None, VerifiedLog | None]:
    # The scan allocates millions of small objects that all stay alive: the cyclic
    # garbage collector would rescan them again and again for nothing (~17% of replay).
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _scan_lines(data, require_end)
    finally:
        if collecting:
            gc.enable()


def _scan_lines(data: bytes, require_end: bool) -> tuple[Fault | None, VerifiedLog | None]:
    if not data:
        return Fault(1, "empty log: expected a RunStarted line", 0), None
    lines = data.split(b"\n")
    tail = lines.pop()  # b"" when the data ends with a newline, as it must
    loads = orjson.loads
    sha256 = hashlib.sha256
    isfinite = math.isfinite
    records: list[Recorded] = []
    append = records.append
    prev = GENESIS
    last_t = -math.inf
    offset = previous_offset = 0
    count = len(lines)
    for index, line in enumerate(lines):
        number = index + 1
        try:
            obj = loads(line)
        except orjson.JSONDecodeError:
            if index == count - 1 and not tail:
                return Fault(
                    number, "torn last line: not valid JSON (a crash mid-write?)", offset, True
                ), None
            return Fault(number, "not valid JSON", offset), None
        if type(obj) is not dict:
            return Fault(
                number, f"expected a JSON object, got a JSON {type(obj).__name__}", offset
            ), None
        if obj.keys() != _ENVELOPE:
            return Fault(number, _envelope_problem(obj), offset), None
        # Every line is sealed, but a changed line k is already caught by line k+1's
        # ``prev``; only the last line has no successor, so only its seal is checked
        # here (and a broken chain checks the seal of the line before, to name it).
        if index == count - 1 and not line_seal_ok(line):
            return Fault(number, _CHANGED, offset), None
        seq, t, type_name, version, payload = (
            obj["seq"],
            obj["t"],
            obj["type"],
            obj["v"],
            obj["data"],
        )
        if seq != index or type(seq) is not int:
            return Fault(
                number,
                f"seq is {seq!r}, expected {index} (a line is missing, duplicated or out of order)",
                offset,
            ), None
        if type(t) not in (int, float) or not isfinite(t):
            return Fault(number, f"t must be a finite number, got {t!r}", offset), None
        if t < last_t:
            return Fault(number, f"t goes backwards: {t} after {last_t}", offset), None
        if obj["prev"] != prev:
            if index and not line_seal_ok(lines[index - 1]):
                return Fault(number - 1, _CHANGED, previous_offset), None
            return Fault(
                number,
                "prev does not match the SHA-256 of the line before "
                "(a line was changed, removed or inserted)",
                offset,
            ), None
        if not known_version(type_name, version):
            return Fault(
                number, f"unknown event type/version {type_name!r} v{version!r}", offset
            ), None
        if type(payload) is not dict:
            return Fault(number, "data must be a JSON object", offset), None
        try:
            event = decode_event(type_name, version, payload)
        except (KeyError, TypeError, ValueError, IndexError) as exc:
            return Fault(number, f"bad data for {type_name}: {_reason(exc)}", offset), None
        if index == 0:
            if type(event) is not RunStarted:
                return Fault(
                    number, f"first event must be RunStarted, got {type_name}", offset
                ), None
        elif type(event) is RunStarted:
            return Fault(number, "RunStarted may only be the first event", offset), None
        elif type(event) is RunEnded and index != count - 1:
            return Fault(number, "RunEnded must be the last event", offset), None
        append(Recorded(seq, float(t), event))
        prev = sha256(line).hexdigest()
        last_t = t
        previous_offset = offset
        offset += len(line) + 1
    if tail:
        return Fault(
            count + 1, "torn last line: no newline at the end (a crash mid-write?)", offset, True
        ), None
    if not records:
        return Fault(1, "empty log: expected a RunStarted line", 0), None
    if require_end and type(records[-1].event) is not RunEnded:
        return Fault(
            count,
            "log ends without RunEnded (the run was cut short, or lines were removed from the end)",
            offset,
        ), None
    return None, VerifiedLog(records, prev)


def _envelope_problem(obj: dict[str, object]) -> str:
    missing = sorted(_ENVELOPE - obj.keys())
    if missing:
        return f"missing envelope key {missing[0]!r} (expected {', '.join(sorted(_ENVELOPE))})"
    extra = sorted(obj.keys() - _ENVELOPE)
    return f"unexpected envelope key {extra[0]!r}"


def _reason(exc: Exception) -> str:
    if isinstance(exc, KeyError):
        return f"missing field {exc.args[0]!r}"
    return " ".join(str(exc).split()) or type(exc).__name__


def repair_torn_tail(path: str | os.PathLike[str]) -> Fault | None:
    """Drop a torn last line, and nothing else. Returns the fault repaired, or None.

    Raises LogFaultError if the log has any other fault: that is never "repaired".
    """
    p = Path(path)
    data = read_log_bytes(p)
    fault = find_fault(data, require_end=False)
    if fault is None:
        return None
    if not fault.torn:
        raise LogFaultError(str(p), fault)
    with open(p, "r+b") as handle:
        handle.truncate(fault.offset)
        handle.flush()
        os.fsync(handle.fileno())
    return fault
