"""Where two runs diverge, and how their contracts differ.

``diff_logs(a, b)`` verifies both logs and reports:

- the first seq at which their lines differ, and the event of each log there;
- whether one is a fork of the other (a ``Forked`` record naming the other's digest);
- the first difference in what happened, ignoring ``Forked`` records (events compared
  by type, time and data, with seq references renumbered as if ``Forked`` records
  were not there): for a fork that changed nothing there is none;
- the contract of each run just before AGI, just after AGI and at the end (each
  run's own AGI moment), and their summary rows (``sim.run.summary``), field by field.

States come from ``events.replay`` only; this module compares and formats.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any, Final

import attrs
import orjson

from events.codec import Recorded
from events.errors import IntegrityError
from events.model import Forked, RunStarted, event_data
from events.replay import around_milestone, fold
from events.state import ContractState
from events.verify import LogFaultError, VerifiedLog, read_log_bytes, verify_bytes
from sim.run.summary import summarize
from sim.scenario import Scenario, ScenarioError

MOMENTS: Final = ("before_agi", "after_agi", "final")
_SEQ_REFERENCES: Final = ("reply_to", "offer_seq")
_IGNORED_FIELDS: Final = ("seq",)  # a fork's extra record shifts every later seq


@attrs.frozen
class RunInfo:
    name: str
    digest: str
    events: int

    def to_data(self) -> dict[str, Any]:
        return {"log": self.name, "digest": self.digest, "events": self.events}


@attrs.frozen
class Divergence:
    """The first place two runs differ: a position in each log (None past its end)."""

    a: Recorded | None
    b: Recorded | None

    def to_data(self) -> dict[str, Any]:
        return {"a": _record_data(self.a), "b": _record_data(self.b)}


@attrs.frozen
class LogDiff:
    a: RunInfo
    b: RunInfo
    first_seq: int | None  # first seq whose lines differ; None if the logs are identical
    at_first: Divergence | None
    fork: dict[str, Any] | None  # {"child": "a"|"b", "at_seq", "changes", "seed"}
    behaviour: Divergence | None  # first difference in what happened, Forked ignored
    states: dict[str, tuple[ContractState | None, ContractState | None]]
    differences: dict[str, dict[str, tuple[Any, Any]]]  # moment -> field -> (a, b)
    summary: dict[str, tuple[Any, Any]]  # summary column -> (a, b), differing ones only
    start: Any  # calendar date of t = 0 (None for step-counted runs)

    @property
    def identical(self) -> bool:
        return self.first_seq is None

    def to_data(self) -> dict[str, Any]:
        return {
            "a": self.a.to_data(),
            "b": self.b.to_data(),
            "identical": self.identical,
            "first_difference": None
            if self.at_first is None
            else {"seq": self.first_seq, **self.at_first.to_data()},
            "fork": self.fork,
            "first_behaviour_difference": None
            if self.behaviour is None
            else self.behaviour.to_data(),
            "states": {
                moment: {
                    "a": None if a is None else a.to_data(),
                    "b": None if b is None else b.to_data(),
                    "differences": {k: list(v) for k, v in self.differences[moment].items()},
                }
                for moment, (a, b) in self.states.items()
            },
            "summary": {key: list(pair) for key, pair in self.summary.items()},
        }


def diff_logs(
    a: str | os.PathLike[str] | bytes,
    b: str | os.PathLike[str] | bytes,
) -> LogDiff:
    """Compare two runs' logs (paths or bytes); IntegrityError if either does not verify."""
    (a_data, a_name), (b_data, b_name) = _read(a, "<a>"), _read(b, "<b>")
    a_log, b_log = _verified(a_data, a_name), _verified(b_data, b_name)
    a_lines, b_lines = a_data.split(b"\n")[:-1], b_data.split(b"\n")[:-1]
    first = next(
        (
            i
            for i in range(max(len(a_lines), len(b_lines)))
            if _line(a_lines, i) != _line(b_lines, i)
        ),
        None,
    )
    a_records, b_records = a_log.records, b_log.records
    at_first = None if first is None else Divergence(_at(a_records, first), _at(b_records, first))
    states, differences = _compare_states(a_records, b_records)
    return LogDiff(
        a=RunInfo(a_name, a_log.digest, len(a_records)),
        b=RunInfo(b_name, b_log.digest, len(b_records)),
        first_seq=first,
        at_first=at_first,
        fork=_fork_relation(a_log, b_log),
        behaviour=None if first is None else _behaviour(a_records, b_records),
        states=states,
        differences=differences,
        summary=_compare_summaries(a_records, b_records),
        start=_start(a_records),
    )


def _read(log: str | os.PathLike[str] | bytes, default: str) -> tuple[bytes, str]:
    if isinstance(log, bytes | bytearray | memoryview):
        return bytes(log), default
    return read_log_bytes(log), str(log)


def _verified(data: bytes, name: str) -> VerifiedLog:
    try:
        return verify_bytes(data, name=name)
    except LogFaultError as exc:
        raise IntegrityError(f"cannot diff: {exc.message}", line=exc.line) from None


def _line(lines: Sequence[bytes], index: int) -> bytes | None:
    return lines[index] if index < len(lines) else None


def _at(records: Sequence[Recorded], index: int) -> Recorded | None:
    return records[index] if index < len(records) else None


def _fork_relation(a: VerifiedLog, b: VerifiedLog) -> dict[str, Any] | None:
    """Which log is a fork of the other (its latest ``Forked`` names the other's digest)."""
    for child, log, parent in (("b", b, a), ("a", a, b)):
        for record in reversed(log.records):
            event = record.event
            if type(event) is Forked and event.parent_digest == parent.digest:
                return {
                    "child": child,
                    "at_seq": event.at_seq,
                    "forked_seq": record.seq,
                    "changes": event.changes,
                    "seed": event.seed,
                }
    return None


def _behaviour(a: Sequence[Recorded], b: Sequence[Recorded]) -> Divergence | None:
    a_events, b_events = _comparable(a), _comparable(b)
    for index in range(max(len(a_events), len(b_events))):
        left = a_events[index] if index < len(a_events) else None
        right = b_events[index] if index < len(b_events) else None
        if left is None or right is None or left[0] != right[0]:
            return Divergence(
                None if left is None else left[1], None if right is None else right[1]
            )
    return None


def _comparable(records: Sequence[Recorded]) -> list[tuple[bytes, Recorded]]:
    """Each non-``Forked`` record as comparable bytes (type, t, data with seq references
    renumbered as positions among non-``Forked`` records), with the record itself."""
    position: dict[int, int] = {}
    out: list[tuple[bytes, Recorded]] = []
    for record in records:
        event = record.event
        if type(event) is Forked:
            continue
        position[record.seq] = len(out)
        data = event_data(event)
        for key in _SEQ_REFERENCES:
            if data.get(key) is not None:
                data[key] = position.get(data[key], -1)
        key_bytes = orjson.dumps(
            [event.TYPE, event.VERSION, record.t, data], option=orjson.OPT_SORT_KEYS
        )
        out.append((key_bytes, record))
    return out


def _compare_states(
    a: Sequence[Recorded], b: Sequence[Recorded]
) -> tuple[
    dict[str, tuple[ContractState | None, ContractState | None]],
    dict[str, dict[str, tuple[Any, Any]]],
]:
    a_around, b_around = around_milestone(a, "agi"), around_milestone(b, "agi")
    states = {
        "before_agi": (a_around[0] if a_around else None, b_around[0] if b_around else None),
        "after_agi": (a_around[1] if a_around else None, b_around[1] if b_around else None),
        "final": (fold(a), fold(b)),
    }
    differences = {moment: _state_differences(*pair) for moment, pair in states.items()}
    return states, differences


def _flat(prefix: str, value: Any, out: dict[str, Any]) -> None:
    if isinstance(value, dict) and value:
        for key in sorted(value):
            _flat(f"{prefix}.{key}" if prefix else key, value[key], out)
    else:
        out[prefix] = value


def _state_differences(
    a: ContractState | None, b: ContractState | None
) -> dict[str, tuple[Any, Any]]:
    if a is None and b is None:
        return {}
    left: dict[str, Any] = {}
    right: dict[str, Any] = {}
    if a is not None:
        _flat("", a.to_data(), left)
    if b is not None:
        _flat("", b.to_data(), right)
    keys = [key for key in (*left, *(k for k in right if k not in left))]
    return {
        key: (left.get(key), right.get(key))
        for key in keys
        if key not in _IGNORED_FIELDS and left.get(key) != right.get(key)
    }


def _summary(records: Sequence[Recorded]) -> dict[str, Any] | None:
    started = records[0].event
    assert isinstance(started, RunStarted)
    try:
        scenario = Scenario.from_data(started.scenario)
    except ScenarioError:  # a log from another version: no summary, states still compare
        return None
    return summarize(records, scenario)


def _compare_summaries(a: Sequence[Recorded], b: Sequence[Recorded]) -> dict[str, tuple[Any, Any]]:
    left, right = _summary(a), _summary(b)
    if left is None or right is None:
        return {}
    return {key: (left.get(key), right.get(key)) for key in left if left.get(key) != right.get(key)}


def _start(records: Sequence[Recorded]) -> Any:
    import datetime as dt

    started = records[0].event
    assert isinstance(started, RunStarted)
    if started.time_unit != "month":
        return None
    try:
        return dt.date.fromisoformat(started.start_date)
    except ValueError:
        return None


def _record_data(record: Recorded | None) -> dict[str, Any] | None:
    if record is None:
        return None
    event = record.event
    return {"seq": record.seq, "t": record.t, "type": event.TYPE, "data": event_data(event)}


def describe(record: Recorded | None, width: int = 110) -> str:
    """One line for an event: ``TYPE {data}`` (data shortened to fit ``width``)."""
    if record is None:
        return "(no event: the log has ended)"
    event = record.event
    data = orjson.dumps(event_data(event), option=orjson.OPT_SORT_KEYS).decode()
    text = f"{event.TYPE} {data}"
    return text if len(text) <= width else text[: width - 1] + "…"


__all__ = ["MOMENTS", "Divergence", "LogDiff", "RunInfo", "describe", "diff_logs"]
