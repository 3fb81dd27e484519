"""``negsim mc``: run a Monte Carlo batch into a crash-safe store, print its statistics."""

from __future__ import annotations

import shlex
from pathlib import Path
from typing import Any

import attrs
import click

from events.errors import NegsimError
from sim.batch.errors import WorkerLostError
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
from sim.diagnostics import get_logger
from sim.run.summary import ACCESS_AFTER_AGI

EXIT_INTERRUPTED = 130


class Interrupted(NegsimError):
    """Ctrl-C during a batch: what is stored stays, and how to resume."""

    exit_code = EXIT_INTERRUPTED


@attrs.frozen
class McOptions:
    """``negsim mc``'s flags, one field each (see the options below)."""

    scenario: str
    n: int
    seed: int
    assignments: tuple[str, ...]
    sweeps: tuple[str, ...]
    workers: int | None
    executor: str
    address: str | None
    store: Path | None
    out: Path | None
    resume: bool
    as_json: bool


@click.command(
    "mc",
    help=(
        "Run a Monte Carlo batch: N seeded runs (per sweep cell) into a batch store.\n\n"
        "Run i has seed S:i (re-run it alone with 'negsim run --seed S:i'), whatever N, "
        "the worker count or the executor. With --sweep, every grid cell (the cartesian "
        "product of the sweeps, in the order given) runs N runs with the same seeds S:0.."
        "S:N-1 (common random numbers: cells differ by their values, not their luck); "
        "run c*N+i is cell c's run i."
    ),
)
@scenario_argument
@click.option("-n", "n", type=click.IntRange(min=1), required=True, help="Runs (per sweep cell).")
@master_seed_option
@set_option
@click.option(
    "--sweep",
    "sweeps",
    multiple=True,
    metavar="K=V1,V2,...",
    help="Run every value of a scenario key (repeatable; the grid is their product).",
)
@workers_option
@executor_options
@click.option(
    "--store",
    type=file_path(),
    default=None,
    help="The batch store [default: runs/<scenario>-mc-s<seed>-n<N>[-<sweep digest>].sqlite].",
)
@click.option(
    "--out",
    type=file_path(),
    default=None,
    help="Also write the runs table: RESULTS.parquet or RESULTS.csv.",
)
@click.option(
    "--resume",
    is_flag=True,
    help="Continue the batch in the store: check it is this batch, skip its runs "
    "(a missing store is created); a larger -n extends it to the new N.",
)
@json_option
@flags_as(McOptions)
def command(opts: McOptions) -> None:
    execution = execution_of(opts.workers, opts.executor, opts.address, as_json=opts.as_json)
    if opts.out is not None:
        from sim.table_file import check_out

        check_out(opts.out)
    plan = _checked_plan(opts)
    path = opts.store or _default_store(plan)
    result = _run(opts, plan, path, execution)
    if opts.out is not None:
        result.write(opts.out)
        get_logger("negsim.mc").info("results_written", out=str(opts.out))
    estimates = _with_coherence(result, result.estimates())
    if opts.as_json:
        _print_json(opts, result, estimates, path)
        return
    dated = plan.scenario if plan.scenario.time_unit == "month" else None
    _print_table(result, estimates, plan.total, path, opts.out, dated)


def _checked_plan(opts: McOptions) -> Any:
    """The batch's plan: the scenario, the overrides and the sweep validated (errors
    name their flags) before any file is touched."""
    from sim.batch import make_plan

    with flag_errors():
        return make_plan(
            opts.scenario, opts.n, seed=opts.seed, overrides=opts.assignments, sweep=opts.sweeps
        )


def _default_store(plan: Any) -> Path:
    """The store path without ``--store``, named after the scenario, which must then be
    a name, not a path (it must not pick the directory)."""
    from sim.batch.runner import default_store_path
    from sim.scenario.checks import file_stem

    file_stem(plan.scenario.name)
    return default_store_path(plan)


def _run(opts: McOptions, plan: Any, path: Path, execution: Any) -> Any:
    """The batch, run into the store at ``path``. Ctrl-C and a lost worker keep what is
    stored, and their one-line errors say how many runs that is and how to resume."""
    from sim.batch import run_batch

    log = get_logger("negsim.mc")
    log.info(
        "batch_started",
        scenario=plan.scenario.name,
        runs=plan.total,
        seed=opts.seed,
        store=str(path),
        executor=opts.executor,
        workers=opts.workers,
        resume=opts.resume,
    )
    hint = _resume_command(opts, path)
    try:
        with flag_errors():
            result = run_batch(
                opts.scenario,
                opts.n,
                seed=opts.seed,
                overrides=opts.assignments,
                sweep=opts.sweeps,
                execution=execution,
                store=path,
                resume=opts.resume,
            )
    except KeyboardInterrupt:
        raise Interrupted(
            f"interrupted after {_stored(path)} of {plan.total} runs; resume with: {hint}"
        ) from None
    except WorkerLostError as exc:
        raise WorkerLostError(
            f"{exc.message}, after {_stored(path)} of {plan.total} runs were stored; "
            f"resume with: {hint}"
        ) from None
    log.info("batch_finished", runs_stored=len(result), store=str(path))
    return result


def _print_json(opts: McOptions, result: Any, estimates: list[Any], path: Path) -> None:
    """The ``--json`` report: where the runs are, how many, and every estimate."""
    import orjson

    report = {
        "store": str(path),
        "out": str(opts.out) if opts.out is not None else None,
        "n": opts.n,
        "runs_stored": len(result),
        "summary": [estimate.as_dict() for estimate in estimates],
    }
    click.echo(orjson.dumps(report, option=orjson.OPT_SERIALIZE_NUMPY).decode())


def _with_coherence(result: Any, estimates: list[Any]) -> list[Any]:
    """The batch estimates with each grid cell's offers and coherence means after the
    cell's own rows (``sim.run.coherence``)."""
    from sim.run.coherence import coherence_estimates

    extra = coherence_estimates(result.iter_rows(), result.columns, result.n, result.sweep_keys)
    if not extra:
        return estimates
    cells: dict[tuple[str, ...], list[Any]] = {}
    for estimate in [*estimates, *extra]:
        cells.setdefault(tuple(map(repr, estimate.group.values())), []).append(estimate)
    return [estimate for cell in cells.values() for estimate in cell]


def _stored(path: Path) -> int | str:
    from sim.batch.store import BatchStore

    if not path.exists():
        return 0
    try:
        with BatchStore.open(path) as store:
            return len(store)
    except (NegsimError, OSError):
        return "?"


def _resume_command(opts: McOptions, path: Path) -> str:
    """The command line that resumes this batch from the store at ``path``."""
    words = ["negsim", "mc", opts.scenario, "-n", str(opts.n), "--seed", str(opts.seed)]
    for assignment in opts.assignments:
        words += ["--set", assignment]
    for sweep in opts.sweeps:
        words += ["--sweep", sweep]
    if opts.executor != "process":
        words += ["--executor", opts.executor]
    if opts.address is not None:
        words += ["--address", opts.address]
    words += ["--store", str(path), "--resume"]
    return shlex.join(words)


def _number(value: float | None, proportion: bool) -> str:
    if value is None:
        return "-"
    return f"{value:.3f}" if proportion or abs(value) < 10 else f"{value:.2f}"


def _time_text(value: float | None, scenario: Any) -> str:
    """A mean time as the date it falls on (times count months since the start)."""
    if value is None:
        return "-"
    try:
        return str(scenario.date_of(value).isoformat())
    except ValueError:  # pragma: no cover - times of a validated run are on the calendar
        return f"t={value:.2f}"


def _print_table(
    result: Any,
    estimates: list[Any],
    total: int,
    path: Path,
    out: Path | None,
    dated: Any = None,
) -> None:
    """The human table; with ``dated`` (a month scenario) times are shown as dates."""
    from rich.console import Console
    from rich.table import Table

    sweep_keys = result.sweep_keys
    table = Table(title=f"{result.meta.get('scenario')}: {total} runs, 95% confidence intervals")
    for key in sweep_keys:
        table.add_column(key, style="magenta")
    table.add_column("outcome")
    table.add_column("value", justify="right")
    table.add_column("95% CI", justify="right")
    table.add_column("n", justify="right")
    previous: Any = None
    # An outcome no run measured (no regulator reviews a generic deal) is left out.
    measured = {e.outcome for e in estimates if e.n}
    for estimate in (e for e in estimates if e.outcome in measured):
        group = [str(estimate.group.get(key)) for key in sweep_keys]
        if previous is not None and group != previous:
            table.add_section()
        shown = group if group != previous else [""] * len(group)
        previous = group
        proportion = estimate.kind == "proportion"
        if dated is not None and not proportion and estimate.outcome.endswith("_time"):
            value = _time_text(estimate.value, dated)
            low, high = _time_text(estimate.ci_low, dated), _time_text(estimate.ci_high, dated)
            name = f"{estimate.outcome} (mean date)"
        else:
            value = _number(estimate.value, proportion)
            low, high = _number(estimate.ci_low, proportion), _number(estimate.ci_high, proportion)
            name = estimate.outcome + (" (share)" if proportion else " (mean)")
        interval = "-" if estimate.ci_low is None else f"[{low}, {high}]"
        table.add_row(*shown, name, value, interval, str(estimate.n))
    console = Console()
    console.print(table)
    where = f"{len(result)} runs in {path}" + (f"; table in {out}" if out else "")
    # Explain only the outcomes this scenario has (a generic one has no regulators or AGI).
    shares = ["agreement of all runs"]
    if "regulator_approved" in measured:
        shares.append("regulator_approved of reviewed deals")
    if ACCESS_AFTER_AGI in measured:
        shares.append(f"{ACCESS_AFTER_AGI} of runs where AGI came")
    if "agreement_after_agi" in measured:
        shares.append("agreement_after_agi of deals")
    if "restructuring_completed" in measured:
        shares.append("restructuring_completed/failed of all runs (else pending)")
    console.print(
        f"Shares: {', '.join(shares)} (Wilson intervals); means: Student t"
        + ("; times as the dates they fall on." if dated is not None else ".")
        + " Utilities are discounted to the agreement date (no deal: the reservation value)."
        + " Coherence: share of a party's successive offers that do not lower the other"
        + " party's true (scenario) utility."
    )
    console.print(f"Stored {where}.")
