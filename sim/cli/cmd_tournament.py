"""``negsim tournament``: play every ordered pair of strategies against each other."""

from __future__ import annotations

from pathlib import Path

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
class TournamentOptions:
    """``negsim tournament``'s flags, one field each (see the options below)."""

    scenario: str
    strategies: str | None
    repetitions: int
    seed: int
    workers: int | None
    executor: str
    address: str | None
    out: Path | None
    assignments: tuple[str, ...]
    as_json: bool


@click.command(
    "tournament",
    help=(
        "Play every ordered pair of strategies (self-play included): A as the first "
        "negotiating party against B as the second, R seeded runs per pairing, and rank "
        "the strategies by mean utility, agreement rate, time to agreement and distance "
        "to the Pareto frontier, each with a 95% confidence interval.\n\n"
        "Every pairing runs the seeds S:0..S:R-1 (common random numbers), so the result "
        "depends on --seed only, never on --workers. Strategies play at their default "
        "parameters."
    ),
)
@scenario_argument
@click.option(
    "--strategies",
    default=None,
    metavar="A,B,...",
    help="Comma-separated strategy names [default: every registered strategy].",
)
@click.option(
    "--repetitions",
    "-r",
    type=click.IntRange(min=1),
    default=10,
    show_default=True,
    help="Seeded runs per pairing.",
)
@master_seed_option
@workers_option
@executor_options
@click.option(
    "--out",
    type=file_path(),
    default=None,
    help="Write one row per run (with its pairing): RESULTS.parquet or RESULTS.csv.",
)
@set_option
@json_option
@flags_as(TournamentOptions)
def command(opts: TournamentOptions) -> None:
    from agents.strategies import STRATEGY_NAMES
    from sim.lab import tournament
    from sim.table_file import check_out

    if opts.out is not None:
        check_out(opts.out)
    execution = execution_of(opts.workers, opts.executor, opts.address, as_json=opts.as_json)
    with flag_errors(strategies="--strategies", repetitions="--repetitions"):
        result = tournament(
            opts.scenario,
            opts.strategies if opts.strategies is not None else STRATEGY_NAMES,
            repetitions=opts.repetitions,
            seed=opts.seed,
            overrides=opts.assignments,
            execution=execution,
        )
    written = result.write(opts.out) if opts.out is not None else None
    if opts.as_json:
        report = result.as_dict()
        report["out"] = str(written) if written is not None else None
        click.echo(orjson.dumps(report, option=orjson.OPT_INDENT_2).decode())
        return
    from rich.console import Console

    console = Console()
    console.print(result.table())
    console.print(result.pairing_table())
    if written is not None:
        console.print(f"wrote {len(result.rows)} runs to {written}")
