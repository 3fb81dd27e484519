"""Verify a log line by line, decoding it into typed records on the way.

Checks, in order, for every line: at most ``MAX_LINE`` bytes, not blank, JSON object,
its own seal (``hash``), the envelope keys, ``seq`` without gaps, ``t`` finite, never
decreasing and on the calendar (the years of ``events.calendar``; for a log counting
abstract steps, within ``STEP_LIMIT``), the ``prev`` chain, a known ``type``/``v`` and
well-formed ``data``; for the whole log: ``RunStarted`` first and ``RunEnded`` last
(unless ``require_end=False``, for logs being written). The first fault stops
verification and is reported with its 1-based line number.

A log from a newer negsim (``RunStarted.schema`` above ``SCHEMA_VERSION``, or an event
type or version this one does not know) is not called tampered: its fault is
``unreadable`` and the CLI exits 2, "written by a newer negsim?".

A *torn* tail (the last line lacks its newline, or is not JSON: a crash mid-write) is
a fault like any other, but the only one ``repair_torn_tail`` will fix.

The chain proves that lines were not changed *one by one*; whoever rewrites a log and
recomputes every hash after the change (or cuts it and appends a resealed
``RunEnded``) gets a log that verifies. Only a digest kept elsewhere catches that:
``verify_bytes(..., expect=DIGEST)``, and ``negsim verify --expect/--store``.
"""

from __future__ import annotations

import gc
import hashlib
import math
import os
import stat
from array import array
from collections.abc import Sequence
from pathlib import Path
from typing import Any, BinaryIO

import attrs
import orjson

from events import typed_lines
from events._version import SCHEMA_VERSION
from events.calendar import parse_date, time_range
from events.codec import GENESIS, Recorded, decode_event, known_version, line_seal_ok
from events.errors import InputError, IntegrityError
from events.model import EVENT_TYPES, RunEnded, RunStarted
from events.records import LazyRecords
from events.typed_lines import line_decoder

_CHANGED = "hash does not match the line's bytes (the line was changed)"
_ENVELOPE = frozenset(("seq", "t", "type", "v", "data", "prev", "hash"))

MAX_LINE = 16 * 1024 * 1024
"""The longest line a reader accepts (16 MiB): the biggest event negsim writes is the
``RunStarted`` line with its scenario, a few kB; an endless or binary file (``/dev/zero``)
fails at this many bytes instead of filling memory."""

STEP_LIMIT = float(2**53)
"""The largest ``|t|`` of a log that counts abstract steps: beyond it a float no longer
holds every whole step."""

_CHUNK = 1024 * 1024


@attrs.frozen
class Fault:
    """The first thing wrong with a log."""

    line: int  # 1-based line number
    message: str
    offset: int  # byte offset where that line starts
    torn: bool = False
    unreadable: bool = False  # written by a newer negsim, not tampered with


class LogFaultError(IntegrityError):
    """A log failed verification; ``fault`` says where and why.

    Exit code 1 (bad log), or 2 when the fault is ``unreadable`` (a newer negsim's log).
    """

    def __init__(self, name: str, fault: Fault) -> None:
        super().__init__(f"{name}: line {fault.line}: {fault.message}", line=fault.line)
        self.fault = fault
        if fault.unreadable:
            self.exit_code = 2


class DigestMismatchError(IntegrityError):
    """A log verified on its own but is not the one a trusted digest names. Exit code 1."""


@attrs.frozen
class VerifiedLog:
    """A log that verified: its records, in order, and its digest.

    ``records`` is a list, or (from the fast path) a ``LazyRecords`` that builds each
    event when it is first read: every line was checked whole either way."""

    records: Sequence[Recorded]
    digest: str

    def __len__(self) -> int:
        return len(self.records)


def read_log_bytes(path: str | os.PathLike[str], *, max_line: int = MAX_LINE) -> bytes:
    """A log file's bytes, or InputError (exit 2) if it cannot be read.

    A line longer than ``max_line`` bytes stops the reading at once with a
    LogFaultError (exit 1): whatever the file is, it is not a negsim log, and it may
    never end (``/dev/zero``).
    """
    p = Path(path)
    try:
        with p.open("rb") as handle:
            regular = stat.S_ISREG(os.fstat(handle.fileno()).st_mode)
            return _read_capped(handle, str(p), max_line, regular)
    except FileNotFoundError:
        raise InputError(f"{p}: no such log file") from None
    except IsADirectoryError:
        raise InputError(f"{p}: is a directory, expected a JSONL log file") from None
    except OSError as exc:
        raise InputError(f"{p}: cannot read: {exc.strerror or exc}") from None


def _read_capped(handle: BinaryIO, name: str, max_line: int, regular: bool = True) -> bytes:
    """The bytes of ``handle``, stopping at a line longer than ``max_line``.

    A regular file ends; a device or a pipe may not (``/dev/urandom`` has short lines
    forever), so there each complete line must also begin as a log line does,
    ``{"seq":N,`` with N its index, or the reading stops right there.
    """
    chunks: list[bytes] = []
    size = max(1, min(_CHUNK, max_line))  # a line inside one chunk is never too long
    lines = 0  # newlines read so far
    run = 0  # bytes since the last newline
    total = 0
    pending = b""  # the beginning of a stream's incomplete last line
    while chunk := handle.read(size):
        if not regular:  # (a pipe may hand over a line in pieces)
            pending = _check_stream_lines(pending + chunk, lines, name)[:64]
        first = chunk.find(b"\n")
        if first < 0:
            run += len(chunk)
        else:
            if run + first > max_line:
                run += first
                break
            lines += chunk.count(b"\n")
            run = len(chunk) - chunk.rfind(b"\n") - 1
        total += len(chunk)
        chunks.append(chunk)
        if run > max_line:
            break
    else:
        return b"".join(chunks)
    limit = f"{max_line // (1024 * 1024)} MiB" if max_line >= 1024 * 1024 else f"{max_line} bytes"
    fault = Fault(
        lines + 1,
        f"line longer than {limit}, the limit for one event (not a negsim log?)",
        max(0, total - run),
    )
    raise LogFaultError(name, fault)


def _check_stream_lines(data: bytes, index: int, name: str) -> bytes:
    """Check that each complete line in ``data`` (the first is line ``index``) begins
    ``{"seq":<its index>,``; returns the incomplete rest. LogFaultError otherwise."""
    start = 0
    while (end := data.find(b"\n", start)) >= 0:
        head = b'{"seq":%d,' % index
        if not data.startswith(head, start):
            raise LogFaultError(
                name,
                Fault(index + 1, 'not a log line (a log line begins {"seq":N,)', 0),
            )
        index += 1
        start = end + 1
    return data[start:]


def verify_file(
    path: str | os.PathLike[str], *, require_end: bool = True, expect: str | None = None
) -> VerifiedLog:
    return verify_bytes(
        read_log_bytes(path), name=str(path), require_end=require_end, expect=expect
    )


def verify_bytes(
    data: bytes, *, name: str = "<log>", require_end: bool = True, expect: str | None = None
) -> VerifiedLog:
    """Verify and decode a whole log held in memory; raises LogFaultError on the first fault.

    With ``expect`` (a trusted digest, e.g. from a batch store or a note kept apart from
    the log), a log that verifies but has another digest raises DigestMismatchError:
    the only check that catches a log rewritten and resealed whole.
    """
    fault, verified = _scan(data, require_end)
    if fault is not None:
        raise LogFaultError(name, fault)
    assert verified is not None
    if expect is not None and verified.digest != expect.strip().lower():
        raise DigestMismatchError(
            f"{name}: digest {verified.digest} is not the expected {expect.strip()} "
            "(the chain is intact, so the whole log was rewritten, or it is another run)"
        )
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
    verified = _scan_typed(data, require_end)
    if verified is not None:
        return None, verified
    return _scan_careful(data, require_end)


def _scan_typed(data: bytes, require_end: bool) -> VerifiedLog | None:
    """The log verified by whole-line typed decoding, or None if anything is unusual
    (a fault, an old version to upcast, a ``\\u`` escape): then the careful scan runs
    and finds the fault or decodes the rest. Returns only what the careful scan would
    return for the same bytes (``events.typed_lines`` says why).

    Every line is checked whole here, but its event is built only when a caller
    reads it (``events.records``): each line's struct is dropped once checked.
    """
    if not data or (b"\\" in data and b"\\u" in data):  # one byte is found faster
        return None
    lines = data.split(b"\n")
    if lines.pop():  # torn: no newline at the end
        return None
    last = len(lines) - 1
    decoder = line_decoder(EVENT_TYPES)
    decoder.shared.trim()
    decode = decoder.decode
    sha256 = hashlib.sha256
    kinds: list[type] = []
    times: array[float] = array("d")
    cache: list[Recorded | None] = [None] * len(lines)
    add_kind, add_time = kinds.append, times.append
    prev = GENESIS
    last_t = t_hi = -math.inf
    try:
        for index, line in enumerate(lines):
            parsed = decode(line)
            t = parsed.t
            if parsed.seq != index or parsed.prev != prev or not last_t <= t <= t_hi:
                if index:
                    return None
                limit = _first_line_limits(parsed)  # line 1: its own checks
                if limit is None or not last_t <= t <= limit:
                    return None
                t_hi = limit
            eager = parsed.EAGER
            if eager is not None and (event := eager()) is not None:
                cache[index] = tuple.__new__(Recorded, (index, float(t), event))
            add_kind(parsed.KIND)
            add_time(t)
            prev = sha256(line).hexdigest()
            last_t = t
    except (typed_lines.Error, KeyError, TypeError, ValueError, IndexError):
        return None
    if not kinds or not line_seal_ok(lines[-1]) or max(map(len, lines)) > MAX_LINE:
        return None
    # RunStarted only first (line 1 is one: _first_line_limits), RunEnded only last
    if kinds.count(RunStarted) != 1 or (RunEnded in kinds and kinds.index(RunEnded) < last):
        return None
    if require_end and kinds[-1] is not RunEnded:
        return None
    return VerifiedLog(LazyRecords(lines, kinds, times, cache, decode), prev)


def _first_line_limits(parsed: Any) -> float | None:
    """For line 1's struct, the latest time the log may hold; None unless line 1 is
    a ``RunStarted`` at seq 0 chained to the genesis hash, of a schema this negsim
    reads, at a time on its calendar (then the careful scan says what is wrong)."""
    if parsed.KIND is not RunStarted or parsed.seq != 0 or parsed.prev != GENESIS:
        return None
    started = parsed.event()
    if started.schema > SCHEMA_VERSION:
        return None
    limits = _time_limits(started)
    if isinstance(limits, str) or not limits[0] <= parsed.t <= limits[1]:
        return None
    return limits[1]


def _scan_careful(data: bytes, require_end: bool) -> tuple[Fault | None, VerifiedLog | None]:
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
    t_lo, t_hi = -math.inf, math.inf  # set from RunStarted, line 1
    for index, line in enumerate(lines):
        number = index + 1
        if len(line) > MAX_LINE:
            return Fault(number, "line longer than 16 MiB, the limit for one event", offset), None
        if (not line or line[0] != 123) and not line.strip():  # 123 is "{": cheap first
            if index and type(records[-1].event) is RunEnded:
                why = "blank line after RunEnded (a log ends with RunEnded's newline)"
            else:
                why = "blank line (a log has one JSON event per line, no empty lines)"
            return Fault(number, why, offset), None
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
        if not t_lo <= t <= t_hi:
            return Fault(number, _time_problem(t, t_lo, t_hi), offset), None
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
        if type(payload) is not dict:
            return Fault(number, "data must be a JSON object", offset), None
        # "Written by a newer negsim" only for a line that is as it was written: a
        # changed byte in a type name or schema is tampering (exit 1), not news.
        if index == 0 and type_name == RunStarted.TYPE:
            schema = payload.get("schema")
            if type(schema) is int and schema > SCHEMA_VERSION:
                if not line_seal_ok(line):
                    return Fault(number, _CHANGED, offset), None
                return Fault(number, _newer(f"schema {schema}"), offset, unreadable=True), None
        if not known_version(type_name, version):
            if not line_seal_ok(line):
                return Fault(number, _CHANGED, offset), None
            if _from_newer_negsim(type_name, version):
                what = f"event {type_name} v{version}"
                return Fault(number, _newer(what), offset, unreadable=True), None
            return Fault(
                number, f"unknown event type/version {type_name!r} v{version!r}", offset
            ), None
        try:
            event = decode_event(type_name, version, payload)
        except (KeyError, TypeError, ValueError, IndexError) as exc:
            return Fault(number, f"bad data for {type_name}: {_reason(exc)}", offset), None
        if index == 0:
            if type(event) is not RunStarted:
                return Fault(
                    number, f"first event must be RunStarted, got {type_name}", offset
                ), None
            limits = _time_limits(event)
            if isinstance(limits, str):
                return Fault(number, limits, offset), None
            t_lo, t_hi = limits
            if not t_lo <= t <= t_hi:
                return Fault(number, _time_problem(t, t_lo, t_hi), offset), None
        elif type(event) is RunStarted:
            return Fault(number, "RunStarted may only be the first event", offset), None
        elif type(event) is RunEnded and index != count - 1:
            if not lines[index + 1].strip():
                why = "blank line after RunEnded (a log ends with RunEnded's newline)"
                return Fault(number + 1, why, offset + len(line) + 1), None
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


def _newer(what: str) -> str:
    return (
        f"{what} is unknown here: written by a newer negsim? "
        f"this one reads schema <= {SCHEMA_VERSION}"
    )


def _from_newer_negsim(type_name: object, version: object) -> bool:
    """An unknown type, or a known type at a version above ours: what a newer negsim writes."""
    if type(type_name) is not str or type(version) is not int or version < 1:
        return False
    cls = EVENT_TYPES.get(type_name)
    return cls is None or version > cls.VERSION


def _time_limits(started: RunStarted) -> tuple[float, float] | str:
    """The times a log may hold: on the calendar from its start date, or STEP_LIMIT."""
    if started.time_unit != "month":
        return -STEP_LIMIT, STEP_LIMIT
    try:
        return time_range(parse_date(str(started.start_date)))
    except ValueError as exc:
        return f"bad data for RunStarted: start_date: {exc}"


def _time_problem(t: float, lo: float, hi: float) -> str:
    if hi == STEP_LIMIT:
        return f"t is {t!r}, outside the steps a log can count (|t| <= 2**53)"
    return f"t is {t!r}, outside the calendar (from {lo:.6g} to {hi:.6g} months since start)"


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
