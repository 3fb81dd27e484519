"""The restructuring as ``negsim run`` prints it: what was proposed, the consent, each
reviewer's ruling, the end, and the funding condition, one short line each.

Lines are plain text (names from a log are data, never markup), wrapped at word
boundaries to fit ``width`` columns, so no word is ever cut at the edge.
"""

from __future__ import annotations

import datetime as dt
import textwrap
from collections.abc import Sequence

from events.codec import Recorded
from events.model import (
    ConsentGiven,
    ConsentRefused,
    FundingConditionMissed,
    RestructuringEnded,
    RestructuringProposed,
    RestructuringReviewed,
)
from events.state import ContractState
from sim.cli.render_state import when

WIDTH = 80
_REASONS = {
    "consent_and_approvals": "consent given and every reviewer approved",
    "blocked": "a reviewer blocked it",
    "long_stop": "the long-stop date passed",
}


def restructuring_lines(
    records: Sequence[Recorded],
    final: ContractState,
    start: dt.date | None,
    width: int = WIDTH,
) -> list[str]:
    """The restructuring's story in lines of at most ``width`` characters (none if the
    log never proposed one)."""
    lines: list[str] = []
    missed = False
    funding: tuple[str, float] | None = None  # the proposal's (investor, deadline)
    for record in records:
        event, at = record.event, when(record.t, start)
        if isinstance(event, RestructuringProposed):
            if event.funding_investor is not None and event.funding_deadline is not None:
                funding = event.funding_investor, event.funding_deadline
            form = event.form.replace("_", " ")
            lines.append(f"Restructuring: {event.by} into a {form}, proposed {at}")
            if event.reviewers:
                lines.append(f"  reviewed by: {', '.join(event.reviewers)}")
        elif isinstance(event, ConsentGiven):
            lines.append(f"  consent of {event.by}: given {at} by signing {event.contract_id}")
        elif isinstance(event, ConsentRefused):
            lines.append(f"  consent of {event.by}: refused {at} (walked away from the talks)")
        elif isinstance(event, RestructuringReviewed):
            outcome = event.outcome.replace("_", " ")
            lines.append(f"  {event.reviewer}: {outcome} {at}")
        elif isinstance(event, RestructuringEnded):
            reason = _REASONS.get(event.reason, event.reason)
            lines.append(f"  outcome: {event.outcome} {at} ({reason})")
        elif isinstance(event, FundingConditionMissed):
            missed = True
            lines.append(
                f"  funding: {event.investor} withholds USD {event.amount_bn:g} bn"
                f" (not converted by {at})"
            )
    if not lines:
        return []
    if final.restructuring_pending:
        status = final.restructuring
        reviews = [k for k, outcome in final.restructuring_reviews if outcome == "open"]
        missing = []
        if final.restructuring_consent != "given":
            missing.append("consent")
        if reviews:
            missing.append(f"rulings of {', '.join(reviews)}")
        lines.append(
            f"  outcome: pending at the end of the run ({status}; awaiting {' and '.join(missing)})"
        )
    if funding is not None and not missed:
        investor, deadline = funding
        if final.restructuring == "completed":
            lines.append(f"  funding: converted before {investor}'s deadline, nothing withheld")
        else:
            lines.append(f"  funding: {investor}'s deadline ({when(deadline, start)}) not reached")
    return [
        wrapped
        for line in lines
        for wrapped in textwrap.wrap(
            line,
            width=width,
            subsequent_indent="      ",
            break_long_words=False,
            break_on_hyphens=False,
        )
    ]


__all__ = ["WIDTH", "restructuring_lines"]
