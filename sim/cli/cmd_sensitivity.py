"""``negsim sensitivity``: which parameters move which outcomes (one at a time, or Sobol)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import attrs
import click
import orjson

from sim.cli.options import (
    execution_of,
    executor_options,
    file_path,
    flag_errors,
    flags_as,
    json_option,
    master_seed_option,
    scenario_argument,
    set_option,
    workers_option,
)


@attrs.frozen
class SensitivityOptions:
    """``negsim sensitivity``'s flags, one field each (see the options below)."""

    scenario: str
    params: str
    n: int | None
    seed: int
    method: str
    levels: int
    assignments: tuple[str, ...]
    workers: int | None
    executor: str
    address: str | None
    store: Path | None
    resume: bool
    out: Path | None
    plot: Path | None
    outcome: str | None
    as_json: bool


@click.command(
    "sensitivity",
    help=(
        "Rank the scenario's ranged parameters (those declared with a distribution) by "
        "how much they move each outcome: deal probability, regulatory approval, "
        "Microsoft's post-AGI access, agreement time, each party's utility, AGI time.\n\n"
        "--method oat (default): each parameter swept over --levels values across its "
        "range, N runs a level (common seeds), through the Monte Carlo batch runner; "
        "shows the swing of the level means and the paired low-to-high effect with its "
        "95% interval. --method sobol: first-order and total Sobol indices with 95% "
        "intervals from a Saltelli design of N base samples (N x (params + 2) runs; "
        "needs pip install '.[sensitivity]'). See docs/what-if.md."
    ),
)
@scenario_argument
@click.option(
    "--params",
    default="",
    metavar="K1,K2,...",
    help="Parameters to analyse (dotted keys) [default: every ranged parameter].",
)
@click.option(
    "-n",
    "n",
    type=click.IntRange(min=2),
    default=None,
    help="Runs per level (oat, default 40) or base samples (sobol, default 64).",
)
@master_seed_option
@click.option(
    "--method",
    type=click.Choice(["oat", "sobol"]),
    default="oat",
    show_default=True,
    help="One at a time, or variance-based (Sobol).",
)
@click.option(
    "--levels",
    type=click.IntRange(min=2),
    default=5,
    show_default=True,
    help="Levels per parameter (oat).",
)
@set_option
@workers_option
@executor_options
@click.option(
    "--store",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Directory for the batch stores (oat-<param>.sqlite, sobol.sqlite).",
)
@click.option("--resume", is_flag=True, help="Continue the batch stores in --store.")
@click.option(
    "--out",
    type=file_path(),
    default=None,
    help="Also write the result as JSON (what 'negsim plot' draws as a tornado chart).",
)
@click.option(
    "--plot",
    "plot",
    type=file_path(),
    default=None,
    help="Also draw a tornado chart: .png, .svg or .pdf (needs pip install '.[plot]').",
)
@click.option(
    "--outcome",
    default=None,
    help="The outcome the tornado chart shows [default: agreement].",
)
@json_option
@flags_as(SensitivityOptions)
def command(opts: SensitivityOptions) -> None:
    from events.errors import InputError

    execution = execution_of(opts.workers, opts.executor, opts.address, as_json=opts.as_json)
    if opts.resume and opts.store is None:
        raise InputError("--resume needs --store")
    if opts.plot is not None:
        from sim.plots.style import format_of, require_matplotlib

        format_of(opts.plot)
        require_matplotlib()
    result = _analyse(opts, execution)
    if opts.outcome is not None and opts.outcome not in result.outcomes:
        raise InputError(f"--outcome {opts.outcome}: expected one of {', '.join(result.outcomes)}")
    data = result.to_data()
    _write(opts, result, data)
    if opts.as_json:
        click.echo(orjson.dumps(data).decode())
        return
    _print(result, opts.out, opts.plot)


def _analyse(opts: SensitivityOptions, execution: Any) -> Any:
    """The analysis the flags ask for; a library error names the flag it came from."""
    from sim.whatif.sensitivity import sensitivity

    with flag_errors(params="--params", method="--method", levels="--levels"):
        return sensitivity(
            opts.scenario,
            opts.params,
            n=opts.n,
            seed=opts.seed,
            method=opts.method,
            levels=opts.levels,
            overrides=opts.assignments,
            execution=execution,
            store=opts.store,
            resume=opts.resume,
        )


def _write(opts: SensitivityOptions, result: Any, data: dict[str, Any]) -> None:
    """The files asked for: the result as JSON (``--out``), the tornado chart (``--plot``)."""
    if opts.out is not None:
        from events.writer import write_log

        write_log(opts.out, orjson.dumps(data, option=orjson.OPT_INDENT_2) + b"\n")
    if opts.plot is not None:
        from sim.plots.style import save
        from sim.whatif.sensitivity import tornado_figure

        save(tornado_figure(result, opts.outcome), opts.plot)


def _number(value: float | None) -> str:
    if value is None:
        return "-"
    if value == 0:
        return "0"
    return f"{value:.3g}" if abs(value) < 1000 else f"{value:.0f}"


def _interval(value: float | None, low: float | None, high: float | None) -> str:
    if value is None:
        return "-"
    if low is None or high is None:
        return _number(value)
    return f"{_number(value)} [{_number(low)}, {_number(high)}]"


def _print(result: Any, out: Path | None, plot: Path | None) -> None:
    """A title, one table per measured outcome (parameters ranked), what the columns
    mean, and where the stores and files are."""
    from rich.console import Console
    from rich.text import Text

    oat = result.method == "oat"
    if oat:
        title = (
            f"{result.scenario}: one at a time, {result.levels} levels x {result.n} runs "
            f"per parameter ({result.runs} runs)"
        )
    else:
        title = f"{result.scenario}: Sobol indices, N={result.n} ({result.runs} runs)"
    console = Console(highlight=False)
    console.print(Text(title, style="bold"))
    # One table per outcome, without vertical rules: five columns fit in 80 (the width
    # of piped output), where one wide table wrapped every cell.
    for outcome in result.measured():
        console.print(_outcome_table(result, outcome, oat))
    if oat:
        console.print(
            "swing: range of the level means; effect: mean paired change from the lowest "
            "to the highest level (same seeds); ranked by swing; shares for yes/no outcomes."
        )
    else:
        console.print(
            "S1: share of the outcome's variance from the parameter alone; ST: including "
            "its interactions (seed noise counts in the variance, for no parameter); "
            "blocks: the bootstrap blocks behind the intervals."
        )
    for path in result.stores:
        console.print(Text(f"Store: {path}"))
    if out is not None:
        console.print(Text(f"Result: {out}"))
    if plot is not None:
        console.print(Text(f"Tornado chart: {plot}"))


def _outcome_table(result: Any, outcome: str, oat: bool) -> Any:
    """One outcome's parameters, ranked: the swing and paired effect (oat, with the
    level means under each row) or the Sobol indices (with the bootstrap blocks, in
    the heading when every row has the same number)."""
    from rich import box
    from rich.table import Table
    from rich.text import Text

    blocks = {effect.n for effect in result.ranked(outcome)}
    same_blocks = not oat and len(blocks) == 1
    heading = f"{outcome} ({min(blocks)} blocks)" if same_blocks else outcome
    table = Table(title=heading, title_justify="left", box=box.SIMPLE_HEAD)
    table.add_column("#", no_wrap=True)
    if oat:  # the levels line under each row may be longer than a name: fold it
        table.add_column("parameter", overflow="fold")
    else:
        table.add_column("parameter", no_wrap=True)
    if oat:
        table.add_column("swing", justify="right", no_wrap=True)
        table.add_column("effect [95% CI]", justify="right", no_wrap=True)
    else:
        table.add_column("ST [95% CI]", justify="right", no_wrap=True)
        table.add_column("S1 [95% CI]", justify="right", no_wrap=True)
        if not same_blocks:
            table.add_column("blocks", justify="right", no_wrap=True)
    for rank, effect in enumerate(result.ranked(outcome), start=1):
        cells = [Text(str(rank)), Text(effect.param)]
        if oat:
            cells += [
                Text(_number(effect.swing)),
                Text(_interval(effect.effect, effect.ci_low, effect.ci_high)),
            ]
            table.add_row(*cells)
            # the mean at each level, low to high, under its row
            means = " ".join(_number(level.mean) for level in effect.levels)
            table.add_row(Text(""), Text(f"levels: {means}", style="dim"), Text(""), Text(""))
            continue
        st = effect.st_interval or (None, None)
        s1 = effect.s1_interval or (None, None)
        cells += [Text(_interval(effect.st, *st)), Text(_interval(effect.s1, *s1))]
        if not same_blocks:
            cells.append(Text(str(effect.n)))
        table.add_row(*cells)
    return table
