"""``negsim fork``: re-run a recorded run from a point in its history with something changed."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click
import orjson

from sim.cli.options import file_path, json_option, seed_type, set_option


@click.command(
    "fork",
    help=(
        "Fork the run recorded in LOG: re-simulate it up to the fork point, apply the "
        "--set changes to the live actors, and run on to the horizon.\n\n"
        "--at seq:N forks right after event N; --at TIME (78.5 months or steps, t=78.5, "
        "or an ISO date) right after the last event at or before TIME (a bare number is "
        "a time, as in every command). The new log's events up to the "
        "fork point are LOG's, byte for byte; a Forked event then records LOG's digest, "
        "the fork point, the changes and the seed. --seed N gives every actor fresh "
        "random streams of seed N from the fork point on. A log that does not verify, or "
        "that this negsim does not reproduce, is refused (exit 1). See docs/what-if.md."
    ),
)
@click.argument("log", metavar="LOG")
@click.option(
    "--at",
    "at",
    required=True,
    metavar="seq:N|TIME",
    help="Fork after event N (seq:412), or after the last event at TIME (78.5, 2027-03-01).",
)
@set_option
@click.option(
    "--seed",
    default=None,
    callback=lambda c, p, v: None if v is None else seed_type(v),
    help="Reseed every actor's random stream from the fork point on [default: keep them].",
)
@click.option(
    "--out",
    type=file_path(),
    default=None,
    help="Where to write the fork's log [default: LOG's name + .fork-SEQ.jsonl].",
)
@json_option
def command(
    log: str,
    at: str,
    assignments: tuple[str, ...],
    seed: str | None,
    out: Path | None,
    as_json: bool,
) -> None:
    from events.errors import InputError, OutputError
    from events.model import Forked
    from events.writer import write_log
    from sim.whatif.fork import default_fork_path, fork, fork_record

    result = fork(log, at=at, set=assignments, seed=seed)
    record = fork_record(result.records)
    assert record is not None
    forked = record.event
    assert isinstance(forked, Forked)
    path = out or default_fork_path(log, forked.at_seq)
    if path.resolve() == Path(log).resolve():
        raise InputError(f"--out {path}: would overwrite the parent log; choose another path")
    if path.parent != Path(""):
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise OutputError(f"{path.parent}: cannot create directory: {exc.strerror}") from None
    write_log(path, result.log_bytes())
    point = result.records[forked.at_seq]
    if as_json:
        report = _report(log, result, forked, point, path)
        click.echo(orjson.dumps(report, option=orjson.OPT_INDENT_2).decode())
        return
    from rich.console import Console

    from sim.cli.render_run import print_run_summary

    console = Console(highlight=False, soft_wrap=True)
    scenario = result.scenario
    when = (
        f"{scenario.date_of(point.t).isoformat()}, t={point.t:g}"
        if scenario.time_unit == "month"
        else f"t={point.t:g}"
    )
    console.print(
        f"Fork of {log} after seq {forked.at_seq} ({point.event.TYPE}, {when})", markup=False
    )
    changes = ", ".join(f"{key}={_show(value)}" for key, value in forked.changes.items())
    console.print(f"  changes: {changes or 'none'}", markup=False)
    streams = "as in the parent" if forked.seed is None else f"reseeded with seed {forked.seed}"
    console.print(f"  random streams: {streams}", markup=False)
    print_run_summary(result, path, console)
    console.print(f"Compare: negsim diff {log} {path}", markup=False)


def _show(value: Any) -> str:
    return orjson.dumps(value, option=orjson.OPT_SORT_KEYS).decode()


def _report(log: str, result: Any, forked: Any, point: Any, path: Path) -> dict[str, Any]:
    from sim.cli.cmd_run import run_report

    scenario = result.scenario
    return {
        "parent": log,
        "parent_digest": forked.parent_digest,
        "at_seq": forked.at_seq,
        "at_t": point.t,
        "at_date": scenario.date_of(point.t).isoformat() if scenario.time_unit == "month" else None,
        "at_event": point.event.TYPE,
        "changes": forked.changes,
        "fork_seed": forked.seed,
        **run_report(result, path),
    }
