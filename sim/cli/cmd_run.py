"""``negsim run``: run one seeded simulation, write its log, print what happened."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click
import orjson

from sim.cli.options import file_path, json_option, scenario_argument, seed_type, set_option
from sim.diagnostics import get_logger


@click.command("run", help="Run one seeded simulation and print its summary.")
@scenario_argument
@click.option(
    "--seed",
    default="0",
    show_default=True,
    callback=lambda c, p, v: seed_type(v),
    help="Run seed: N, or S:I for run I of a batch with master seed S.",
)
@click.option(
    "--out",
    type=file_path(),
    default=None,
    help="Where to write the JSONL log [default: runs/<scenario>-<seed>.jsonl].",
)
@set_option
@click.option(
    "--as-of",
    "as_of_date",
    default=None,
    metavar="YYYY-MM-DD",
    help="Drop the prelude entries dated after this date, then apply --set (for backtests).",
)
@json_option
def command(
    scenario: str,
    seed: str,
    out: Path | None,
    assignments: tuple[str, ...],
    as_of_date: str | None,
    as_json: bool,
) -> None:
    from events.writer import write_log
    from sim.engine import simulate
    from sim.scenario import load_scenario

    if as_of_date is not None:  # the history as of that date first, then --set
        from sim.backtest import load_as_of

        loaded = load_as_of(scenario, as_of_date, assignments)
    else:
        loaded = load_scenario(scenario, assignments)
    if out is None:
        from sim.scenario.checks import file_stem

        file_stem(loaded.name)  # a name, not a path: "../../x" must not pick the directory
    result = simulate(loaded, seed)
    path = out or Path("runs") / f"{loaded.name}-{seed.replace(':', '_')}.jsonl"
    if path.parent != Path(""):
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            from events.errors import OutputError

            raise OutputError(f"{path.parent}: cannot create directory: {exc.strerror}") from None
    write_log(path, result.log_bytes())
    get_logger("negsim.run").info(
        "run_finished",
        scenario=loaded.name,
        seed=seed,
        events=len(result.records),
        digest=result.digest,
        log=str(path),
    )
    report = run_report(result, path)
    if as_json:
        click.echo(orjson.dumps(report, option=orjson.OPT_INDENT_2).decode())
    else:
        from sim.cli.render_run import print_run_summary

        print_run_summary(result, path)


def run_report(result: Any, path: Path) -> dict[str, Any]:
    """The ``--json`` object: what happened, where the log is, and the derived states."""
    summary = result.summary
    scenario = result.scenario
    agreement = None
    if summary["agreement"]:
        agreement = {
            "time": summary["agreement_time"],
            "date": summary["agreement_date"],
            "terms": {
                issue.name: summary[f"terms_{issue.name}"] for issue in scenario.negotiation.issues
            },
            "regulator_outcome": summary["regulator_outcome"],
        }
    report: dict[str, Any] = {
        "scenario": scenario.name,
        "seed": result.seed,
        "log": str(path),
        "digest": result.digest,
        "events": len(result.records),
        "agreement": agreement,
    }
    if scenario.agi is not None:  # a generic scenario has no milestone to report
        report["agi_time"] = summary["agi_time"]
        report["agi_date"] = summary["agi_date"]
    report["drawn"] = result.drawn
    report["summary"] = summary
    if scenario.agi is not None:
        report["before_agi"] = result.before_agi.to_data() if result.before_agi else None
        report["after_agi"] = result.after_agi.to_data() if result.after_agi else None
    report["final"] = result.final.to_data()
    return report
