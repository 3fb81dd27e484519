"""Forks: re-simulate a recorded run up to a point in its history, then change something.

    from sim.whatif import fork
    result = fork("runs/msft-openai-0.jsonl", at="seq:412", set=["regulators.cma.strictness=1.0"])
    result.log_bytes()  # the fork's log

The engine is deterministic, so a log's ``RunStarted`` (resolved scenario, seed,
drawn parameters) re-creates the run exactly. A fork re-runs it and, right after the
event at the fork point (seq ``at_seq``), applies the changes to the live actors,
records ``Forked(parent_digest, at_seq, changes, seed)`` and lets the world run on to
the horizon. Its events up to the fork point are the parent's, byte for byte (same
``prev`` chain), which is checked: a log this negsim cannot reproduce is refused.

A fork of a fork works: the parent's own ``Forked`` records before the fork point
are re-applied where they stand, so the re-simulation reproduces the parent too.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
import os
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import attrs

from events import SCHEMA_VERSION, __version__
from events.calendar import parse_date, parse_time
from events.codec import Recorded
from events.errors import InputError, IntegrityError
from events.model import Forked, RunEnded, RunStarted
from events.verify import LogFaultError, read_log_bytes, verify_bytes
from sim.engine import Simulation
from sim.run.result import RunResult
from sim.scenario import Scenario, ScenarioError
from sim.seeding import RunSeed
from sim.whatif.changes import Plan, plan_changes, scenario_changes

_SEQ = re.compile(r"seq:([0-9]+)")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")

At = int | float | str | dt.date


def fork(
    log: str | os.PathLike[str] | bytes,
    *,
    at: At,
    set: Sequence[str] | Mapping[str, Any] = (),  # named as the CLI option
    seed: int | str | None = None,
) -> RunResult:
    """Fork the run recorded in ``log`` (a path, or the log's bytes) after ``at``.

    ``at``: an ``int`` is a seq (the fork follows that event); a ``float`` or a date is
    a time (the fork follows the last event at or before it); a string is read as on
    the command line: ``seq:412`` is a seq, ``78.5``, ``t=78.5`` and ``2027-03-01``
    are times (a bare number is a time in every command). ``set``:
    ``"KEY=VALUE"`` overrides as for ``negsim run --set``, or ``{dotted key: value}``.
    ``seed``: if given, every actor draws from fresh streams of this seed after the
    fork point (see docs/what-if.md); otherwise their streams run on.

    Raises ``IntegrityError`` (exit 1) if the log does not verify or this negsim does
    not reproduce it, ``InputError`` (exit 2) for a bad fork point or a change that
    cannot be made there (the message names the key).
    """
    data, name = _read(log)
    try:
        parent = verify_bytes(data, name=name)
    except LogFaultError as exc:
        raise IntegrityError(f"cannot fork: {exc.message}", line=exc.line) from None
    records = parent.records
    started = records[0].event
    assert isinstance(started, RunStarted)  # verification guarantees it
    at_seq = fork_point(records, at)
    root = _root_scenario(name, started)

    schedule: dict[int, tuple[Plan, Forked]] = {}
    current = root
    for record in records[1 : at_seq + 1]:
        earlier = record.event
        if type(earlier) is Forked:
            if earlier.at_seq != record.seq - 1:
                raise _unreproducible(name, f"its Forked record at seq {record.seq} is misplaced")
            plan = plan_changes(
                current, earlier.changes, records[: earlier.at_seq + 1], earlier.seed
            )
            schedule[earlier.at_seq] = (plan, earlier)
            current = plan.scenario

    changed = _with_changes(current, set)
    changes = scenario_changes(current, changed)
    seed_text = _seed_text(seed)
    plan = plan_changes(current, changes, records[: at_seq + 1], seed_text)
    schedule[at_seq] = (plan, Forked(parent.digest, at_seq, changes, seed_text))

    lines = data.split(b"\n")[:-1]
    expected = {seq: hashlib.sha256(lines[seq]).hexdigest() for seq in schedule}
    driver = _Driver(schedule, expected)
    sim = Simulation(root, started.seed, drawn=dict(started.drawn), on_record=driver)
    driver.sim = sim
    driver(0)  # a fork right after RunStarted: the actors exist only now
    result = sim.run()

    produced = result.log.lines
    shared = at_seq + 1
    if driver.pending or produced[:shared] != lines[:shared]:
        first = next(
            seq for seq in range(shared) if seq >= len(produced) or produced[seq] != lines[seq]
        )
        raise _unreproducible(name, f"re-simulating it gives different events from seq {first}")
    return attrs.evolve(result, scenario=plan.scenario)


class _Driver:
    """Applies each planned fork right after its seq is recorded in the re-simulation."""

    def __init__(self, schedule: dict[int, tuple[Plan, Forked]], expected: dict[int, str]) -> None:
        self.schedule = dict(schedule)
        self.expected = expected
        self.sim: Simulation | None = None

    @property
    def pending(self) -> bool:
        return bool(self.schedule)

    def __call__(self, seq: int) -> None:
        entry = self.schedule.get(seq)
        if entry is None or self.sim is None:
            return
        if self.sim.log.digest != self.expected[seq]:
            return  # not the parent's history: left pending, and the fork is refused
        del self.schedule[seq]
        plan, forked = entry
        plan.apply(self.sim)
        self.sim.world.record(forked)


def fork_point(records: Sequence[Recorded], at: At) -> int:
    """The seq a fork follows: ``at`` itself for a seq, else the last event at or before
    the time ``at``. InputError (naming ``--at``) if that is not a point to fork at."""
    last = len(records) - 1
    if isinstance(at, bool):
        raise InputError(f"--at: expected a seq or a time, got {at!r}")
    if isinstance(at, str):
        at = _parse_at(at, records)
    if isinstance(at, dt.date):
        start = _calendar(records)
        if start is None:
            raise InputError(f"--at {at.isoformat()}: this run counts steps, not dates")
        at = parse_time(at.isoformat(), start)
    if isinstance(at, int):
        if not 0 <= at < last:
            raise InputError(
                f"--at {at}: expected a seq from 0 to {last - 1} (seq {last} is the run's end)"
            )
        return at
    t = float(at)
    if not math.isfinite(t):
        raise InputError(f"--at: expected a finite time, got {at!r}")
    before = [record.seq for record in records if record.t <= t]
    if not before:
        raise InputError(f"--at t={t:g}: before the run's first event")
    seq = before[-1]
    if type(records[seq].event) is RunEnded:
        raise InputError(f"--at t={t:g}: at or after the run's end (t={records[seq].t:g})")
    return seq


def _parse_at(text: str, records: Sequence[Recorded]) -> int | float:
    # As in every command: a bare number is a simulated time, ``seq:N`` an event number.
    text = text.strip()
    seq = _SEQ.fullmatch(text)
    if seq:
        return int(seq.group(1))
    value = text[2:].strip() if text.startswith("t=") else text
    if not value.isascii():  # float() would read "١٢" as 12
        value = "?"
    if _ISO_DATE.match(value):
        start = _calendar(records)
        if start is None:
            raise InputError(f"--at {text}: this run counts steps, not dates")
        try:
            return parse_time(value, start)
        except ValueError as exc:
            raise InputError(f"--at {text}: {exc}") from None
    try:
        return float(value)
    except ValueError:
        raise InputError(
            f"--at {text!r}: expected a time (78.5 or t=78.5), an ISO date (2027-03-01) "
            "or an event number (seq:412)"
        ) from None


def _calendar(records: Sequence[Recorded]) -> dt.date | None:
    started = records[0].event
    assert isinstance(started, RunStarted)
    if started.time_unit != "month":
        return None
    return parse_date(started.start_date)


def _read(log: str | os.PathLike[str] | bytes) -> tuple[bytes, str]:
    if isinstance(log, bytes | bytearray | memoryview):
        return bytes(log), "<log>"
    return read_log_bytes(log), str(log)


def _root_scenario(name: str, started: RunStarted) -> Scenario:
    if started.package_version != __version__ or started.schema != SCHEMA_VERSION:
        raise _unreproducible(
            name,
            f"it was written by negsim {started.package_version} (schema {started.schema}), "
            f"this is negsim {__version__} (schema {SCHEMA_VERSION})",
        )
    try:
        return Scenario.from_data(started.scenario, source=f"{name} RunStarted")
    except ScenarioError as exc:
        raise _unreproducible(name, f"its scenario does not load: {exc.message}") from None


def _with_changes(current: Scenario, changes: Sequence[str] | Mapping[str, Any]) -> Scenario:
    if isinstance(changes, str):
        changes = [changes]
    if isinstance(changes, Mapping):
        return current.with_overrides(dict(changes)) if changes else current
    return current.with_overrides(assignments=list(changes)) if changes else current


def _seed_text(seed: int | str | None) -> str | None:
    if seed is None:
        return None
    try:
        return str(RunSeed.parse(str(seed)))
    except ValueError as exc:
        raise InputError(f"--seed: {exc}") from None


def _unreproducible(name: str, detail: str) -> IntegrityError:
    return IntegrityError(
        f"cannot fork: {name} was not produced by this negsim version/scenario ({detail})"
    )


def fork_record(records: Sequence[Recorded]) -> Recorded | None:
    """The last ``Forked`` record of a log (None for a run that is not a fork)."""
    for record in reversed(records):
        if type(record.event) is Forked:
            return record
    return None


def default_fork_path(log: str | os.PathLike[str], at_seq: int) -> Path:
    """Where ``negsim fork`` writes without ``--out``: beside the parent."""
    path = Path(log)
    return path.with_name(f"{path.stem}.fork-{at_seq}.jsonl")


__all__ = ["default_fork_path", "fork", "fork_point", "fork_record"]
