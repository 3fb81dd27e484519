"""The human summary ``negsim run`` prints: did a deal close, when, on what terms,
what the regulators ruled, when AGI came, and the contract around it."""

from __future__ import annotations

from pathlib import Path

from rich.console import Console
from rich.text import Text

from events.model import (
    FirstRefusalExercised,
    OfferMade,
    OutsideDealAccepted,
    OutsideOfferMade,
    RegulatorAsked,
    RulingIssued,
)
from events.state import ContractState
from sim.clause_text import amendment_text
from sim.cli.render_restructuring import restructuring_lines
from sim.cli.render_state import state_tables
from sim.run.result import RunResult


def _when(result: RunResult, t: float | None) -> str:
    if t is None:
        return "-"
    scenario = result.scenario
    if scenario.time_unit == "month":
        return f"{scenario.date_of(t).isoformat()} (t={t:.2f})"
    return f"step {t:g}"


def print_run_summary(result: RunResult, path: Path, console: Console | None = None) -> None:
    """Print the run's story, one section each: the deal, the rulings and requests,
    the outside offers and the money, the restructuring, the walk-away values, AGI,
    the utilities, then the contract's states and where the log is."""
    # Rich wraps long lines at word boundaries to the console's width (80 when piped).
    out = console or Console(highlight=False)
    out.print(
        f"[bold]{result.scenario.name}[/bold], seed {result.seed}: {len(result.records)} events"
    )
    _print_deal(out, result)
    _print_regulators(out, result)
    _print_outside(out, result)
    dated = result.scenario.start if result.scenario.time_unit == "month" else None
    for line in restructuring_lines(result.records, result.final, dated):
        out.print(Text(line))
    _print_alternatives(out, result)
    _print_agi(out, result)
    for key in result.scenario.negotiation.parties:
        # Labelled as the plots label theirs ("utility to X (undiscounted)"): the two differ.
        out.print(f"  utility to {key} (discounted): {result.summary[f'utility_{key}']:.3f}")
    _print_states(out, result)
    out.print(f"Log: {path}")
    out.print(f"Digest: {result.digest}")


def _print_deal(out: Console, result: RunResult) -> None:
    """The deal (when, after how many offers, on what terms, the regulators' verdict) or
    how the talks ended without one; for SAO talks, the NegMAS step they ended in."""
    summary = result.summary
    offers = sum(1 for r in result.records if type(r.event) is OfferMade)
    if summary["agreement"]:
        terms = ", ".join(
            f"{issue.name}={summary[f'terms_{issue.name}']}"
            for issue in result.scenario.negotiation.issues
        )
        out.print(f"Deal: agreed {_when(result, summary['agreement_time'])} after {offers} offers")
        out.print(f"  terms: {terms}")
        out.print(f"  regulator outcome: {summary['regulator_outcome']}")
    else:
        out.print(
            f"Deal: none ({result.final.talks_outcome or 'talks never ended'}, {offers} offers)"
        )
    if "step" in summary:  # SAO talks: where they ended, counted as NegMAS counts steps
        step = summary["step"]
        out.print(
            f"  NegMAS step: {step if step is not None else '- (talks never ended)'}"
            " (NegMAS's state.step: the step the talks ended in, counted from 1)"
        )


def _print_regulators(out: Console, result: RunResult) -> None:
    """Every ruling (its conditions spelt out) and every request to a regulator, in order."""
    for record in result.records:
        event = record.event
        if type(event) is RulingIssued:
            conditions = event.conditions
            extra = f" conditions: {amendment_text(conditions)}" if conditions else ""
            outcome = event.outcome.replace("_", " ")
            of = " (contract in force)" if event.in_force else ""
            out.print(f"  ruling {_when(result, record.t)}: {event.regulator} {outcome}{of}{extra}")
        elif type(event) is RegulatorAsked:
            out.print(
                f"  asked {_when(result, record.t)}: {event.by} asks {event.regulator}"
                f" to look at {event.contract_id}"
            )


def _print_outside(out: Console, result: RunResult) -> None:
    """With outside offers: how many, how many Microsoft matched and OpenAI took, and
    the money each side committed."""
    outside = sum(1 for r in result.records if type(r.event) is OutsideOfferMade)
    taken = sum(1 for r in result.records if type(r.event) is OutsideDealAccepted)
    matched = sum(1 for r in result.records if type(r.event) is FirstRefusalExercised)
    if not outside:
        return
    out.print(f"Outside offers: {outside} ({matched} matched under ROFR, {taken} taken by OpenAI)")
    final = result.final
    out.print(
        f"  money: OpenAI took USD {final.outside_compute_bn:.1f} bn outside;"
        f" Microsoft matched USD {final.rofr_matched_bn:.1f} bn"
    )


def _print_alternatives(out: Console, result: RunResult) -> None:
    """Each side's walk-away value at the end, where the scenario has alternatives."""
    summary = result.summary
    alternatives = [
        f"{spec.key} {summary[f'end.alternative_{spec.key}']:.2f}"
        for spec in result.scenario.alternatives
        if f"end.alternative_{spec.key}" in summary
    ]
    if alternatives:
        out.print(f"  walk-away values at the end: {', '.join(alternatives)}")


def _print_agi(out: Console, result: RunResult) -> None:
    """With an AGI milestone: when it was declared and verified, and which rights
    lapsed at it and which held after it."""
    if result.scenario.agi is None:
        return
    agi = result.around_agi
    if agi is None:
        out.print("AGI: not declared before the horizon")
        return
    verified = (
        f"verified {_when(result, agi.verified_at)}"
        if agi.verified_at is not None
        else "not verified"
    )
    out.print(f"AGI: declared {_when(result, agi.declared_at)}, {verified}")
    lapsed = [r for r, held in agi.before.rights.items() if held and not agi.after.holds(r)]
    kept = [r for r, held in agi.after.rights.items() if held]
    out.print(f"  rights lapsed at AGI: {', '.join(lapsed) or 'none'}")
    out.print(f"  rights kept after AGI: {', '.join(kept) or 'none'}")


def _print_states(out: Console, result: RunResult) -> None:
    """The contract's state at the end, and just before and after AGI when it came: side
    by side, or stacked where the console is too narrow (``state_tables``)."""
    columns: list[tuple[str, ContractState | None]] = [("end", result.final)]
    if result.around_agi is not None:
        columns = [
            ("before AGI", result.around_agi.before),
            ("after AGI", result.around_agi.after),
            ("end", result.final),
        ]
    start = result.scenario.start if result.scenario.time_unit == "month" else None
    for table in state_tables(columns, start, out.width):
        out.print(table)
