"""``negsim replay``: verify a log and print the contract state it implies.

By default: the state just before AGI, just after AGI and at the end of the log; with
``--at TIME`` the state at that time. The log is verified first (same errors and exit
codes as ``negsim verify``); states come from ``events.replay`` and nothing else.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import sys
from collections.abc import Sequence
from typing import Any

import click
import orjson
from rich.console import Console

from events.calendar import date_at, parse_date, parse_time
from events.codec import Recorded
from events.errors import IntegrityError
from events.model import RunStarted
from events.replay import around_agi, fold, state_at
from events.verify import verify_file
from sim.cli.render_state import state_table, state_tables, when


def _print_json(payload: dict[str, Any]) -> None:
    sys.stdout.write(orjson.dumps(payload).decode() + "\n")
    sys.stdout.flush()


def _start_date(log: str, records: Sequence[Recorded]) -> dt.date | None:
    """The calendar date of t = 0, or None when the log's time unit is not a month."""
    first = records[0].event
    assert isinstance(first, RunStarted)  # verification guarantees it
    if first.time_unit != "month":
        return None
    try:
        return parse_date(str(first.start_date))
    except ValueError as exc:
        raise IntegrityError(f"{log}: line 1: RunStarted start_date: {exc}", line=1) from None


_SEQ = re.compile(r"seq:([0-9]+)")


def _parse_seq(text: str, records: Sequence[Recorded]) -> int | None:
    """``--at seq:N``: event N (a usage error if the log has none); None for a time."""
    match = _SEQ.fullmatch(text.strip())
    if match is None:
        return None
    seq = int(match.group(1))
    if seq >= len(records):
        raise click.BadParameter(
            f"expected an event number from 0 to {len(records) - 1}, got {text!r}",
            param_hint="'--at'",
        )
    return seq


def _parse_at(text: str, start: dt.date | None) -> float:
    """``--at`` as simulated time; a usage error (exit 2) naming ``--at`` otherwise."""
    try:
        # Abstract steps (start is None) have no calendar to read a date against.
        if start is None and not text.isascii():
            raise ValueError(text)
        t = float(text) if start is None else parse_time(text, start)
        if not math.isfinite(t):
            raise ValueError(f"expected a finite time, got {text!r}")
        if start is not None:
            date_at(start, t)  # a time must fall on a calendar date to be shown
    except (ValueError, OverflowError) as exc:
        message = str(exc)
        if isinstance(exc, OverflowError) or "out of range" in message:
            message = f"{text!r} is outside the calendar"
        elif start is None:
            message = f"expected a number of steps since start, got {text!r}"
        elif repr(text) not in message:
            message = f"{message} (got {text!r})"
        raise click.BadParameter(message, param_hint="'--at'") from None
    return t


@click.command(name="replay")
@click.argument("log", metavar="LOG")
@click.option(
    "--at",
    "at",
    metavar="TIME",
    help=(
        "State at TIME: months (or steps) since start, e.g. 78.5, or an ISO date, e.g. "
        "2031-06-01; or right after event N: seq:N."
    ),
)
@click.option("--json", "as_json", is_flag=True, help="Print the states as JSON on stdout.")
def command(log: str, at: str | None, as_json: bool) -> None:
    """Verify LOG and print the contract state it implies.

    Without --at: the state just before AGI was declared, once AGI took effect (just
    after its verification where a clause in force waits for it, else just after the
    declaration) and at the end. JSON: {"before_agi": STATE|null, "after_agi":
    STATE|null, "agi": {"declared_at": DATE|null, "verified_at": DATE|null},
    "final": STATE}, or with --at: {"at": T, "date": "YYYY-MM-DD", "state": STATE}
    (and "seq": N with --at seq:N). A bare number is a time, as in every command.
    Exit codes as 'verify'.
    """
    records = verify_file(log).records
    start = _start_date(log, records)
    if at is not None:
        _replay_at(records, start, at, as_json)
    else:
        _replay_around_agi(log, records, start, as_json)


def _replay_at(records: Sequence[Recorded], start: dt.date | None, at: str, as_json: bool) -> None:
    """``--at``: the state at a time (the fold up to it) or right after event ``seq:N``."""
    seq = _parse_seq(at, records)
    if seq is None:
        t = _parse_at(at, start)
        state = state_at(records, t)
        label = f"at {when(t, start)} (t={t:g})"
    else:
        t = records[seq].t
        state = fold(records[: seq + 1])
        label = f"after seq {seq} ({when(t, start)})"
    if as_json:
        payload: dict[str, Any] = {"at": t}
        if seq is not None:
            payload["seq"] = seq
        if start is not None:
            payload["date"] = date_at(start, t).isoformat()
        payload["state"] = state.to_data()
        _print_json(payload)
        return
    console = Console()
    console.print(state_table([(label, state)], start))


def _replay_around_agi(
    log: str, records: Sequence[Recorded], start: dt.date | None, as_json: bool
) -> None:
    """Without ``--at``: the states just before and after AGI and at the end (only the
    end, said so, when AGI never came)."""
    final = fold(records)
    around = around_agi(records)

    def shown(t: float | None) -> Any:
        if t is None:
            return None
        return date_at(start, t).isoformat() if start is not None else t

    if as_json:
        _print_json(
            {
                "before_agi": around.before.to_data() if around else None,
                "after_agi": around.after.to_data() if around else None,
                "agi": {
                    "declared_at": shown(around.declared_at) if around else None,
                    "verified_at": shown(around.verified_at) if around else None,
                },
                "final": final.to_data(),
            }
        )
        return
    console = Console()
    console.print(f"{log}: {len(records)} events, verified", markup=False, highlight=False)
    if around is None:
        console.print("AGI never happened in this log; the final state:", highlight=False)
        console.print(state_table([(f"final ({when(final.t, start)})", final)], start))
        return
    declared = when(around.declared_at, start)
    verified = (
        "not verified"
        if around.verified_at is None
        else f"verified {when(around.verified_at, start)}"
    )
    console.print(f"AGI declared {declared}, {verified}", markup=False, highlight=False)
    for table in state_tables(
        [
            (f"just before AGI ({declared})", around.before),
            (f"after AGI ({when(around.after.t, start)})", around.after),
            (f"final ({when(final.t, start)})", final),
        ],
        start,
        console.width,
        title="Contract state around AGI",
    ):
        console.print(table)
