"""Rich rendering of contract states, side by side, with calendar dates.

``state_table`` is what ``negsim replay`` prints (and ``negsim run`` reuses): one
column per state, one row per aspect of the contract. It only formats; the states
come from ``events.replay``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from rich.table import Table
from rich.text import Text

from events.calendar import date_at
from events.state import ContractState
from events.terms import TERMS_FIELDS, Outcome, Terms

MISSING = "—"

_FRACTION_FIELDS = frozenset(("revenue_share", "equity"))
_TERM_LABELS = {
    "term_end": "term end",
    "post_agi_access": "post-AGI access",
    "ip_scope": "IP scope",
    "revenue_share": "revenue share",
    "cloud": "cloud",
    "equity": "equity",
    "investment_bn": "investment",
}


def state_table(
    title_to_state: list[tuple[str, ContractState | None]],
    start: dt.date | None,
    *,
    title: str | None = None,
) -> Table:
    """A table comparing ``states`` side by side, one column per ``(title, state)``.

    ``start`` maps simulated time (months) to calendar dates; pass None for logs whose
    time unit is not a month, and times are shown as ``t=...``. A ``None`` state (e.g.
    "just before AGI" when AGI never happened) is a column of dashes.
    """
    # Every cell is a Text, never a markup string: names in a log ("[bold]", "[/]")
    # are data, and rich must not interpret them.
    table = Table(title=title, show_lines=False, header_style="bold")
    table.add_column("", style="bold", no_wrap=True)
    for heading, _ in title_to_state:
        table.add_column(Text(heading), overflow="fold")
    states = [state for _, state in title_to_state]
    for label, cell in _rows(start, _issues_of(states)):
        table.add_row(Text(label), *(Text(MISSING if s is None else cell(s)) for s in states))
    return table


def when(t: float, start: dt.date | None) -> str:
    """A simulated time as a user reads it: a calendar date, or ``t=...``."""
    if start is None:
        return f"t={_number(t)}"
    return date_at(start, t).isoformat()


# --- rows -------------------------------------------------------------------------

Cell = Callable[[ContractState], str]


def _issues_of(states: list[ContractState | None]) -> tuple[str, ...] | None:
    """The issues of a generic domain's outcomes, or None for the partnership's terms
    (also when no state holds any terms: the partnership rows are then shown empty)."""
    for state in states:
        if state is None:
            continue
        for offer in (state.terms, state.pending_terms):
            if isinstance(offer, Outcome):
                return tuple(name for name, _ in offer.values)
            if isinstance(offer, Terms):
                return None
    return None


def _rows(start: dt.date | None, issues: tuple[str, ...] | None) -> list[tuple[str, Cell]]:
    rows: list[tuple[str, Cell]] = [("status", lambda s: s.status)]
    for name in TERMS_FIELDS if issues is None else issues:
        rows.append((f"terms: {_TERM_LABELS.get(name, name)}", _term_cell(name)))
    if issues is None:  # the partnership's own aspects
        rows += [
            ("investment total", lambda s: f"USD {_number(s.investment_total_bn)} bn"),
            ("cloud", lambda s: s.cloud or MISSING),
            ("term end", lambda s: MISSING if s.term_end is None else str(s.term_end)),
            ("post-AGI access", lambda s: _yes_no(s.post_agi_access)),
            ("rights", _rights),
            ("AGI declared", lambda s: _agi(s, start)),
        ]
    rows += [
        ("talks", _talks),
        ("pending terms", lambda s: _offer(s.pending_terms)),
        ("reviews", _reviews),
        ("outside deals", _outside),
        ("as of", lambda s: f"seq {s.seq}, {when(s.t, start)}"),
    ]
    return rows


def _term_cell(name: str) -> Cell:
    def cell(state: ContractState) -> str:
        terms = state.terms
        if terms is None:
            return MISSING
        try:  # a generic outcome (not partnership terms) names its own issues
            return _value(name, terms.get(name))
        except KeyError:
            return MISSING

    return cell


def _value(name: str, value: object) -> str:
    if isinstance(value, bool):
        return _yes_no(value)
    if name in _FRACTION_FIELDS and isinstance(value, float):
        return f"{_number(value * 100)}%"
    if name == "investment_bn" and isinstance(value, float):
        return f"USD {_number(value)} bn"
    if isinstance(value, float):
        return _number(value)
    return str(value)


def _number(value: float) -> str:
    return f"{value:.6g}"


def _yes_no(value: bool) -> str:
    return "yes" if value else "no"


def _rights(state: ContractState) -> str:
    return ", ".join(
        f"{right.replace('_', ' ')}: {_yes_no(held)}"
        for right, held in sorted(state.rights.items())
    )


def _agi(state: ContractState, start: dt.date | None) -> str:
    if not state.agi_declared:
        return "no"
    text = "yes" if state.agi_time is None else when(state.agi_time, start)
    return f"{text} (verified)" if state.agi_verified else f"{text} (not verified)"


def _talks(state: ContractState) -> str:
    if state.talks_outcome is None:
        return state.talks.replace("_", " ")
    return f"{state.talks.replace('_', ' ')} ({state.talks_outcome.replace('_', ' ')})"


def _offer(offer: Terms | Outcome | None) -> str:
    if offer is None:
        return MISSING
    if isinstance(offer, Terms):
        return ", ".join(f"{name}={_value(name, offer.get(name))}" for name in TERMS_FIELDS)
    return ", ".join(f"{name}={_value(name, value)}" for name, value in offer.values) or MISSING


def _reviews(state: ContractState) -> str:
    if not state.reviews:
        return MISSING
    return ", ".join(
        f"{regulator}: {outcome.replace('_', ' ')}" for regulator, outcome in state.reviews
    )


def _outside(state: ContractState) -> str:
    counts: dict[str, int] = {}
    for competitor in state.outside_deals:
        counts[competitor] = counts.get(competitor, 0) + 1
    deals = (
        ", ".join(f"{name} x{n}" if n > 1 else name for name, n in sorted(counts.items()))
        if counts
        else "none"
    )
    if state.rofr_exercised:
        return f"{deals}; ROFR exercised {state.rofr_exercised}x"
    return deals


__all__ = ["state_table", "when"]
