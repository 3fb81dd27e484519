"""``negsim tune``: search a strategy's parameters for one party."""

from __future__ import annotations

import shlex
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
class TuneOptions:
    """``negsim tune``'s flags, one field each (see the options below)."""

    scenario: str
    party: str
    strategy: str | None
    params: tuple[str, ...]
    objective: str | None
    minimize: bool
    method: str
    trials: int
    seeds: int
    seed: int
    opponents: tuple[str, ...]
    workers: int | None
    executor: str
    address: str | None
    out: Path | None
    assignments: tuple[str, ...]
    as_json: bool


@click.command(
    "tune",
    help=(
        "Search a strategy's parameters to maximise (or --minimize) a party's expected "
        "utility, or any numeric summary column, over a fixed set of seeds.\n\n"
        "Every trial runs the same seeds S:0..S:N-1 against every --opponent, so trials "
        "differ by their parameters, not their luck; the result depends on --seed only, "
        "never on --workers. The strategy at its default parameters is run too, as the "
        "baseline.\n\n"
        "--param NAME=LOW:HIGH is a range (NAME=LOW:HIGH:log for a log scale; integer "
        "parameters get integers), --param NAME=V1,V2,... a list of values. Grid search "
        "tries every combination (a range gives evenly spaced values); random search "
        "draws --trials choices; optuna uses Optuna's seeded TPE sampler (pip install '.[optuna]')."
    ),
)
@scenario_argument
@click.option("--party", required=True, help="The negotiating party whose strategy is tuned.")
@click.option("--strategy", default=None, help="The strategy to tune [default: the party's own].")
@click.option(
    "--param",
    "params",
    multiple=True,
    required=True,
    metavar="NAME=LOW:HIGH[:log]|NAME=V1,V2,...",
    help="A parameter and its search space (repeatable).",
)
@click.option(
    "--objective",
    default=None,
    metavar="COLUMN",
    help="Summary column to optimise [default: utility_<party>].",
)
@click.option("--minimize", is_flag=True, help="Minimise the objective instead.")
@click.option(
    "--method",
    type=click.Choice(["grid", "random", "optuna"]),
    default="grid",
    show_default=True,
    help="Search method.",
)
@click.option(
    "--trials",
    type=click.IntRange(min=1),
    default=20,
    show_default=True,
    help="Trials (random, optuna); grid points per range (grid).",
)
@click.option(
    "--seeds",
    type=click.IntRange(min=1),
    default=50,
    show_default=True,
    help="Seeded runs per trial (per opponent).",
)
@master_seed_option
@click.option(
    "--opponent",
    "opponents",
    multiple=True,
    metavar="A[,B,...]",
    help="Opponent strategies, at their defaults [default: the scenario's opponent].",
)
@workers_option
@executor_options
@click.option(
    "--out",
    type=file_path(),
    default=None,
    help="Write the best trial's runs: RUNS.parquet or RUNS.csv.",
)
@set_option
@json_option
@flags_as(TuneOptions)
def command(opts: TuneOptions) -> None:
    from sim.table_file import check_out, write_rows

    if opts.out is not None:
        check_out(opts.out)
    result = _tune(opts)
    written = write_rows(list(result.runs), opts.out) if opts.out is not None else None
    if opts.as_json:
        _print_json(result, written)
        return
    _print(opts, result, written)


def _tune(opts: TuneOptions) -> Any:
    """The tuning the flags ask for; a library error names the flag it came from."""
    from sim.lab import tune

    rivals = [name for text in opts.opponents for name in text.split(",") if name.strip()]
    execution = execution_of(opts.workers, opts.executor, opts.address, as_json=opts.as_json)
    with flag_errors(
        params="--param",
        opponents="--opponent",
        strategy="--strategy",
        party="--party",
        objective="--objective",
        method="--method",
        trials="--trials",
        seeds="--seeds",
    ):
        return tune(
            opts.scenario,
            party=opts.party,
            strategy=opts.strategy,
            params=opts.params,
            objective=opts.objective,
            direction="minimize" if opts.minimize else "maximize",
            method=opts.method,
            trials=opts.trials,
            seeds=opts.seeds,
            seed=opts.seed,
            opponents=rivals or None,
            overrides=opts.assignments,
            execution=execution,
        )


def _print_json(result: Any, written: Path | None) -> None:
    """The ``--json`` report: the result, each best run's objective, and the table file."""
    report: dict[str, Any] = result.as_dict()
    column = result.objective
    report["runs"] = [
        {"run": row["run"], "seed": row["seed"], "digest": row["digest"], column: row[column]}
        for row in result.runs
    ]
    report["out"] = str(written) if written is not None else None
    click.echo(orjson.dumps(report, option=orjson.OPT_INDENT_2).decode())


def _print(opts: TuneOptions, result: Any, written: Path | None) -> None:
    """The trials' table, the best against the default, and how to re-run its runs."""
    from rich.console import Console

    console = Console()
    console.print(result.table())
    best = result.best
    shown = ", ".join(f"{k}={v!r}" for k, v in best.params.items())
    gain = result.gain
    console.print(
        f"best: {result.strategy}({shown}): {result.objective} "
        f"{best.objective.format(4)} (95% CI, {best.objective.n} runs); "
        f"default {result.baseline.objective.format(4)}; "
        f"gain {gain.format(4)} paired over the same runs"
    )
    rerun = " ".join(f"--set {shlex.quote(a)}" for a in result.rerun_set())
    console.print(
        f"runs behind it: seeds {result.seed}:0..{result.seed}:{result.seeds - 1}"
        + (f" against each of {', '.join(result.opponents)}" if result.opponents else "")
        + f"; re-run the first with: negsim run {shlex.quote(opts.scenario)} "
        f"--seed {result.seed}:0 {rerun}"
    )
    if written is not None:
        console.print(f"wrote {len(result.runs)} runs to {written}")
