"""``negsim diff``: where two runs diverge, and how their contracts differ."""

from __future__ import annotations

import collections
from typing import Any

import click
import orjson

_MOMENT_TITLES = {"before_agi": "before AGI", "after_agi": "after AGI", "final": "at the end"}


@click.command(
    "diff",
    help=(
        "Compare two runs' logs (both are verified first; exit 1 if one does not): the "
        "first seq where they differ and the event of each there, whether one is a fork "
        "of the other, the first difference in what happened (Forked records aside), and "
        "how their contracts differ just before AGI, just after AGI and at the end. "
        "Exit 0 whether or not they differ ('identical' in --json says which)."
    ),
)
@click.argument("log_a", metavar="LOG_A")
@click.argument("log_b", metavar="LOG_B")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
def command(log_a: str, log_b: str, as_json: bool) -> None:
    from sim.whatif.diff import diff_logs

    diff = diff_logs(log_a, log_b)
    if as_json:
        click.echo(orjson.dumps(diff.to_data(), option=orjson.OPT_NON_STR_KEYS).decode())
        return
    _print(diff)


def _print(diff: Any) -> None:
    """The two logs, how one forks the other, where they first differ, then how their
    contracts (before and after AGI, at the end) and summary rows differ."""
    from rich.console import Console

    console = Console(highlight=False, soft_wrap=True)
    if _print_divergence(console, diff):
        return
    console.print(_contracts_table(diff))
    if diff.summary:
        console.print(_summary_table(diff))


def _print_divergence(console: Any, diff: Any) -> bool:
    """Each log's identity, then (unless they are identical: returns True) the fork
    between them and their first difference, in records and in what happened."""
    from rich.text import Text

    from sim.cli.render_state import when
    from sim.whatif.diff import describe

    def say(text: str) -> None:
        console.print(Text(text))  # log text is never markup

    for label, info in (("A", diff.a), ("B", diff.b)):
        say(f"{label}: {info.name}  {info.events} events  digest {info.digest}")
    if diff.identical:
        say("The logs are identical.")
        return True
    fork = diff.fork
    if fork is not None:
        child, parent = ("B", "A") if fork["child"] == "b" else ("A", "B")
        changes = (
            ", ".join(f"{k}={orjson.dumps(v).decode()}" for k, v in fork["changes"].items())
            or "none"
        )
        seed = "" if fork["seed"] is None else f", reseeded with {fork['seed']}"
        say(
            f"{child} is a fork of {parent} after seq {fork['at_seq']} "
            f"(Forked at seq {fork['forked_seq']}: {changes}{seed})"
        )
    start = diff.start
    first = diff.at_first
    where = first.a or first.b
    say(f"First difference at seq {diff.first_seq} ({when(where.t, start)}, t={where.t:g}):")
    say(f"  A: {describe(first.a)}")
    say(f"  B: {describe(first.b)}")
    if diff.behaviour is None:
        say("What happened is the same in both (they differ only by Forked records).")
    else:
        a, b = diff.behaviour.a, diff.behaviour.b
        if (a, b) != (first.a, first.b):
            say("First difference in what happened (Forked records aside):")
            for label, record in (("A", a), ("B", b)):
                at = "" if record is None else f"seq {record.seq}, {when(record.t, start)}: "
                say(f"  {label}: {at}{describe(record)}")
    return False


def _contracts_table(diff: Any) -> Any:
    """The contract fields that differ at each moment, A beside B."""
    from rich.table import Table
    from rich.text import Text

    start = diff.start
    table = Table(title="Contracts", header_style="bold")
    table.add_column("when")
    table.add_column("aspect")
    table.add_column("A", overflow="fold")
    table.add_column("B", overflow="fold")
    for moment, title in _MOMENT_TITLES.items():
        a_state, b_state = diff.states[moment]
        differences = diff.differences[moment]
        if a_state is None and b_state is None:
            table.add_row(Text(title), Text("(AGI never came in either run)"), Text(""), Text(""))
        elif not differences:
            table.add_row(Text(title), Text("(the same)"), Text(""), Text(""))
        for index, (field, (left, right)) in enumerate(differences.items()):
            if field == "t":
                field = "as of (its last event)"
            table.add_row(
                Text(title if index == 0 else ""),
                Text(field),
                Text(_cell(field, left, start)),
                Text(_cell(field, right, start)),
            )
        table.add_section()
    return table


def _summary_table(diff: Any) -> Any:
    """The summary columns that differ, A beside B."""
    from rich.table import Table
    from rich.text import Text

    summary = Table(title="Summary rows (sim.run.summary)", header_style="bold")
    summary.add_column("column")
    summary.add_column("A", overflow="fold")
    summary.add_column("B", overflow="fold")
    for column, (left, right) in diff.summary.items():
        summary.add_row(Text(column), Text(_short(left)), Text(_short(right)))
    return summary


def _cell(field: str, value: Any, start: Any) -> str:
    from sim.cli.render_state import when

    if value is None:
        return "—"
    if field in ("as of (its last event)", "agi_time") and isinstance(value, int | float):
        return f"{when(float(value), start)} (t={value:g})"
    return _short(value)


def _short(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.4g}"
    if isinstance(value, list) and len(value) > 4:
        counts = collections.Counter(map(str, value))
        return f"{len(value)}: " + ", ".join(f"{k}×{n}" for k, n in sorted(counts.items()))
    if isinstance(value, str | int | bool):
        return str(value).lower() if isinstance(value, bool) else str(value)
    return orjson.dumps(value, option=orjson.OPT_SORT_KEYS).decode()
