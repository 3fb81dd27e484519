"""``negsim calibrate``: fit a scenario's uncertain parameters to observations."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

import attrs
import click

from sim.cli.cmd_backtest import interrupted
from sim.cli.options import (
    flags_as,
    json_option,
    scenario_argument,
    set_option,
    workers_option,
)


@attrs.frozen
class CalibrateOptions:
    """``negsim calibrate``'s flags, one field each (see the options below)."""

    scenario: str
    observed: Path
    params: str
    ranges: tuple[str, ...]
    n: int
    method: str
    generations: int
    quantile: float
    seed: int
    workers: int | None
    assignments: tuple[str, ...]
    store: Path | None
    out: Path | None
    write_scenario: Path | None
    as_json: bool


@click.command(
    "calibrate",
    help=(
        "Fit a scenario's uncertain parameters (distributions in the scenario, or ranges "
        "given with --param K=LOW:HIGH) to an observations file, likelihood-free: ABC "
        "rejection (--generations 1), ABC-SMC (--generations G > 1), or Optuna on the same "
        "distance. Prints the posterior (mean, sd, 90% interval), the acceptance rate and "
        "the effective sample size; --out writes the posterior sample, --write-scenario a "
        "scenario with the fitted distributions. See docs/backtest.md."
    ),
)
@scenario_argument
@click.option(
    "--observed",
    type=click.Path(dir_okay=False, path_type=Path),
    required=True,
    help="The observations file (TOML, [[observed]] tables).",
)
@click.option(
    "--params",
    "params",
    default="",
    metavar="K1,K2,...",
    help="Parameters to fit: dotted keys holding distributions in the scenario.",
)
@click.option(
    "--param",
    "ranges",
    multiple=True,
    metavar="K=LOW:HIGH",
    help="Fit K with a uniform prior on [LOW, HIGH] (repeatable).",
)
@click.option(
    "-n", "n", type=click.IntRange(min=2), required=True, help="Runs (per ABC generation)."
)
@click.option(
    "--method",
    type=click.Choice(["abc", "optuna"]),
    default="abc",
    show_default=True,
    help="ABC (rejection / SMC) or Optuna's TPE (needs negsim[optuna]).",
)
@click.option(
    "--generations",
    type=click.IntRange(min=1),
    default=1,
    show_default=True,
    help="ABC generations: 1 is rejection, more is ABC-SMC.",
)
@click.option(
    "--quantile",
    type=click.FloatRange(min=0, max=1, min_open=True),
    default=0.1,
    show_default=True,
    help="Share of runs kept (closest to the observations) per generation.",
)
@click.option(
    "--seed", type=click.IntRange(min=0), default=0, show_default=True, help="Master seed S."
)
@workers_option
@set_option
@click.option(
    "--store",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Keep every run in this batch store; rerunning the same command resumes from it "
    "[default: a temporary store].",
)
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Write the posterior sample: POSTERIOR.parquet or POSTERIOR.csv.",
)
@click.option(
    "--write-scenario",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Write a scenario TOML whose parameters are the fitted distributions.",
)
@json_option
@flags_as(CalibrateOptions)
def command(opts: CalibrateOptions) -> None:
    _check(opts)
    result = _calibrate(opts)
    if opts.out is not None:
        result.write_table(opts.out)
    if opts.write_scenario is not None:
        result.write_scenario(opts.write_scenario)
    if opts.as_json:
        import orjson

        data = result.to_data()
        data["out"] = str(opts.out) if opts.out is not None else None
        data["scenario_out"] = str(opts.write_scenario) if opts.write_scenario is not None else None
        click.echo(orjson.dumps(data).decode())
        return
    _print(result, opts.out, opts.write_scenario)


def _check(opts: CalibrateOptions) -> None:
    """Refuse what would fail only after the runs: an unwritable ``--out``, a flag the
    method ignores, a missing extra for ``--write-scenario``."""
    from events.errors import InputError
    from sim.table_file import check_out

    if opts.out is not None:
        check_out(opts.out)
    if opts.method == "optuna" and opts.generations != 1:
        raise InputError("--generations is for --method abc (Optuna runs n trials)")
    if opts.write_scenario is not None:
        try:
            import tomli_w  # noqa: F401
        except ImportError:
            raise InputError("--write-scenario needs tomli-w: install negsim[calibrate]") from None


def _calibrate(opts: CalibrateOptions) -> Any:
    """The calibration the flags ask for, its observations file read first (a bad file
    fails before any run); Ctrl-C says how to resume from the store."""
    from sim.backtest import calibrate, load_observations
    from sim.backtest.calibrate import parse_ranges

    keys = [key.strip() for key in opts.params.split(",") if key.strip()]
    parsed = parse_ranges(opts.ranges)
    load_observations(opts.observed)
    show_progress = not opts.as_json and sys.stderr.isatty() and "CI" not in os.environ
    try:
        return calibrate(
            opts.scenario,
            opts.observed,
            params=keys,
            n=opts.n,
            method=opts.method,
            ranges=parsed,
            generations=opts.generations,
            quantile=opts.quantile,
            seed=opts.seed,
            workers=opts.workers,
            store=opts.store,
            overrides=opts.assignments,
            progress=show_progress,
        )
    except KeyboardInterrupt:
        raise interrupted(opts.store) from None


def _print(result: Any, out: Path | None, written: Path | None) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console()
    summary = result.summary()
    table = Table(title=f"{result.scenario.name}: posterior ({result.method})")
    table.add_column("parameter", overflow="fold")
    table.add_column("prior", overflow="fold")
    for name in ("mean", "sd", "5%", "50%", "95%"):
        table.add_column(name, justify="right")
    for key, prior in zip(result.keys, result.prior.distributions, strict=True):
        s = summary[key]
        low, high = prior.support()
        shown = f"{prior.dist} [{low:.4g}, {high:.4g}]"
        table.add_row(
            key,
            shown,
            *(f"{s[name]:.4g}" for name in ("mean", "sd", "q05", "q50", "q95")),
        )
    console.print(table)
    steps = Table(title="generations")
    for name in ("gen", "runs", "kept", "acceptance", "epsilon", "ESS"):
        steps.add_column(name, justify="right")
    for g in result.generations:
        steps.add_row(
            str(g.index),
            str(g.simulated),
            str(g.accepted),
            f"{g.acceptance_rate:.3f}",
            f"{g.epsilon:.4g}",
            f"{g.ess:.1f}",
        )
    console.print(steps)
    if result.method == "optuna":
        console.print(
            "Optuna: the kept trials are a near-optimal region, not a Bayesian posterior; "
            "use --method abc for credible intervals."
        )
    if result.store:
        console.print(f"Runs in {result.store} (rerun the command to resume).")
    if out is not None:
        console.print(f"Posterior sample in {out}.")
    if written is not None:
        console.print(f"Fitted scenario in {written}.")
