"""``negsim backtest``: score a scenario's predictive distribution against observations."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

import attrs
import click

from sim.cli.cmd_mc import Interrupted
from sim.cli.options import (
    flags_as,
    json_option,
    scenario_argument,
    set_option,
    workers_option,
)


@attrs.frozen
class BacktestOptions:
    """``negsim backtest``'s flags, one field each (see the options below)."""

    scenario: str
    observed: Path
    n: int
    seed: int
    workers: int | None
    assignments: tuple[str, ...]
    as_of_date: str | None
    store: Path | None
    against: str | None
    out: Path | None
    as_json: bool


@click.command(
    "backtest",
    help=(
        "Score a scenario against what was observed (an observations TOML file): per "
        "observation the predictive distribution of N seeded runs, the observed value's "
        "percentile (mid-rank PIT) and a proper score (CRPS for numbers and dates in days, "
        "Brier and log score for categories), and the share of runs matching every "
        "observation with a 95% Wilson interval. --against scores a second scenario on the "
        "same seeds. See docs/backtest.md."
    ),
)
@scenario_argument
@click.option(
    "--observed",
    "observed",
    type=click.Path(dir_okay=False, path_type=Path),
    required=True,
    help="The observations file (TOML, [[observed]] tables).",
)
@click.option("-n", "n", type=click.IntRange(min=1), required=True, help="Runs.")
@click.option(
    "--seed", type=click.IntRange(min=0), default=0, show_default=True, help="Master seed S."
)
@workers_option
@set_option
@click.option(
    "--as-of",
    "as_of_date",
    default=None,
    metavar="YYYY-MM-DD",
    help=(
        "Drop the scenario's prelude entries after this date, then apply --set; "
        "--against is then taken as given."
    ),
)
@click.option(
    "--store",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Keep the runs in this batch store, or reuse (and complete) it if it holds this "
    "batch; --against uses <stem>-against<suffix> beside it [default: a temporary store].",
)
@click.option(
    "--against",
    default=None,
    metavar="SCENARIO|PATH",
    help="A second scenario, scored on the same seeds (skill = 1 - score / its score).",
)
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Also write the per-observation table: TABLE.parquet or TABLE.csv.",
)
@json_option
@flags_as(BacktestOptions)
def command(opts: BacktestOptions) -> None:
    from sim.backtest import backtest, load_observations, write_table
    from sim.table_file import check_out

    if opts.out is not None:
        check_out(opts.out)
    load_observations(opts.observed)  # a bad file fails before any run
    loaded, other = _scenarios(opts)
    show_progress = not opts.as_json and sys.stderr.isatty() and "CI" not in os.environ
    try:
        result = backtest(
            loaded,
            opts.observed,
            opts.n,
            seed=opts.seed,
            workers=opts.workers,
            store=opts.store,
            against=other,
            progress=show_progress,
        )
    except KeyboardInterrupt:
        raise interrupted(opts.store) from None
    if opts.out is not None:
        write_table(result, opts.out)
    if opts.as_json:
        import orjson

        data = result.to_data()
        data["out"] = str(opts.out) if opts.out is not None else None
        click.echo(orjson.dumps(data).decode())
        return
    print_report(result, opts.out)


def _scenarios(opts: BacktestOptions) -> tuple[Any, Any]:
    """(the scenario to score, the ``--against`` reference or None). With ``--as-of``
    the later history is dropped first, then ``--set`` applies, and the reference is
    taken as given (no ``--as-of`` and no ``--set``, which may only make sense once the
    later history is gone); without, both get the ``--set`` overrides."""
    from sim.backtest import load_as_of
    from sim.scenario import load_scenario

    if opts.as_of_date is not None:
        loaded = load_as_of(opts.scenario, opts.as_of_date, opts.assignments)
        other = load_scenario(opts.against) if opts.against is not None else None
        return loaded, other
    loaded = load_scenario(opts.scenario, opts.assignments)
    if opts.against is None:
        return loaded, None
    return loaded, load_scenario(opts.against, opts.assignments)


def _number(value: float | None, digits: int = 3) -> str:
    if value is None:
        return "-"
    if abs(value) >= 1000:
        return f"{value:,.0f}"
    return f"{value:.{digits}g}" if abs(value) >= 1 else f"{value:.{digits}f}"


def _predictive(report: Any) -> str:
    if report.shares is not None:
        top = sorted(report.shares.items(), key=lambda kv: (-kv[1], kv[0]))
        shown = [f"{key} {share:.0%}" for key, share in top[:3]]
        if len(top) > 3:
            shown.append(f"+{len(top) - 3} more")
        return ", ".join(shown)
    if report.quantiles is None:
        return "no run has it"
    q = report.quantiles

    def show(value: Any) -> str:
        return value if isinstance(value, str) else _number(value)

    text = f"{show(q['q05'])} [{show(q['q50'])}] {show(q['q95'])}"
    if report.defined < report.n:
        text += f" ({report.defined}/{report.n} runs)"
    return text


def print_report(result: Any, out: Path | None) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console()
    title = f"{result.scenario}: {result.n} runs (seed {result.seed}) against observations"
    table = Table(title=title, show_lines=False)
    table.add_column("observation", overflow="fold")
    table.add_column("observed", overflow="fold")
    table.add_column("predicted 5% [50%] 95%", overflow="fold")
    table.add_column("pctile", justify="right")
    table.add_column("score", justify="right")
    other = result.against
    if other is not None:
        table.add_column("vs", justify="right")
        table.add_column("skill", justify="right")
    skills = result.skill()
    for index, report in enumerate(result.evaluation.observed):
        score = _number(report.score)
        if report.score_name == "brier":
            score = f"B {score}"
        cells = [
            report.name,
            report.observed,
            _predictive(report),
            _number(report.percentile, 2) if report.percentile is not None else "-",
            score,
        ]
        if other is not None:
            cells += [
                _number(other.evaluation.observed[index].score),
                _number(skills[index], 2) if skills[index] is not None else "-",
            ]
        table.add_row(*cells)
    console.print(table)
    joint = result.evaluation.joint
    console.print(
        f"Runs matching every observation: {joint.matched}/{joint.n} = {joint.share:.3f} "
        f"(95% Wilson interval [{joint.low:.3f}, {joint.high:.3f}])."
    )
    if other is not None:
        j = other.evaluation.joint
        console.print(
            f"--against {other.scenario} (same seeds): {j.matched}/{j.n} = {j.share:.3f} "
            f"[{j.low:.3f}, {j.high:.3f}]; skill > 0 means {result.scenario} scores better."
        )
    console.print(
        "pctile: the observed value's percentile (mid-rank PIT); score: CRPS in the "
        "quantity's units (dates: days), B = Brier score of matching; lower is better."
    )
    if result.store:
        console.print(f"Runs in {result.store}.")
    if out is not None:
        console.print(f"Table in {out}.")


def interrupted(store: Path | None) -> Interrupted:
    """Exit 130, saying where the runs so far are kept and how to go on."""
    if store is None:
        return Interrupted(
            "interrupted (the runs were in a temporary store; pass --store to keep them)"
        )
    return Interrupted(
        f"interrupted; the runs so far are in {store}: rerun the same command to resume"
    )
