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
from events.terms import Outcome
from sim.clause_text import number, plain_value

MISSING = "—"


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
    rights = sorted({right for state in states if state is not None for right in state.rights})
    rows = _rows(start, _issues_of(states), _has_contract(states), rights)
    if any(state is not None and state.restructuring != "none" for state in states):
        rows[-1:-1] = _RESTRUCTURING_ROWS  # before "as of"
    for label, cell in rows:
        table.add_row(Text(label), *(Text(MISSING if s is None else cell(s)) for s in states))
    return table


def state_tables(
    title_to_state: list[tuple[str, ContractState | None]],
    start: dt.date | None,
    width: int,
    *,
    title: str | None = None,
) -> list[Table]:
    """``state_table``, if each of its columns can be as wide as its longest word within
    ``width`` columns; else one two-column table per state, stacked, so that no cell
    ever breaks a word (``models+infrastructure`` does not fit a quarter of 80 columns).
    """
    side_by_side = state_table(title_to_state, start, title=title)
    if len(title_to_state) <= 1 or _fits(title_to_state, start, width):
        return [side_by_side]
    return [
        state_table([(heading, state)], start, title=f"{title}: {heading}" if title else heading)
        for heading, state in title_to_state
    ]


def _fits(
    title_to_state: list[tuple[str, ContractState | None]], start: dt.date | None, width: int
) -> bool:
    """Whether every column of the side-by-side table gets its longest word."""
    states = [state for _, state in title_to_state]
    rights = sorted({right for state in states if state is not None for right in state.rights})
    rows = _rows(start, _issues_of(states), _has_contract(states), rights)
    if any(state is not None and state.restructuring != "none" for state in states):
        rows[-1:-1] = _RESTRUCTURING_ROWS
    label = max(len(name) for name, _ in rows)
    needed = label + 4  # the label column, its padding and borders
    for heading, state in title_to_state:
        words = heading.split()
        if state is not None:
            words += [word for _, cell in rows for word in cell(state).split()]
        needed += max((len(word) for word in words), default=1) + 3
    return needed <= width


def when(t: float, start: dt.date | None) -> str:
    """A simulated time as a user reads it: a calendar date, or ``t=...``."""
    if start is None:
        return f"t={number(t)}"
    return date_at(start, t).isoformat()


# --- rows -------------------------------------------------------------------------

Cell = Callable[[ContractState], str]


def _issues_of(states: list[ContractState | None]) -> tuple[str, ...]:
    """The issue names of the first outcome any state holds (in force or pending)."""
    for state in states:
        if state is None:
            continue
        for offer in (state.terms, state.pending_terms):
            if offer is not None and offer.values:
                return tuple(name for name, _ in offer.values)
    return ()


def _has_contract(states: list[ContractState | None]) -> bool:
    """Whether any state speaks of clauses or rights (the partnership, not a generic
    bargain): only then are the contract's rows shown."""
    return any(
        state is not None and (state.clauses or state.rights or state.investment_total_bn)
        for state in states
    )


def _rows(
    start: dt.date | None, issues: tuple[str, ...], contract: bool, rights: list[str]
) -> list[tuple[str, Cell]]:
    rows: list[tuple[str, Cell]] = [("status", lambda s: s.status)]
    for name in issues:
        rows.append((f"terms: {name}", _term_cell(name)))
    if contract:
        rows += [
            ("term end", lambda s: MISSING if s.term_end is None else str(s.term_end)),
            *((right, _right_cell(right)) for right in rights),
            ("investment total", lambda s: f"USD {number(s.investment_total_bn)} bn"),
            ("equity", lambda s: _amounts(s.equity, percent=True)),
            ("compute commitments", lambda s: _amounts(s.compute_commitments_bn)),
            ("outside compute", lambda s: f"USD {s.outside_compute_bn:.1f} bn"),
            ("AGI declared", lambda s: _agi(s, start)),
        ]
    rows += [
        ("talks", _talks),
        ("pending terms", lambda s: _offer(s.pending_terms)),
        ("reviews", _reviews),
        ("inquiries", _inquiries),
        ("outside deals", _outside),
        ("as of", lambda s: f"seq {s.seq}, {when(s.t, start)}"),
    ]
    return rows


# One word per cell (a status, an amount), so no 80-column table ever cuts one.
_RESTRUCTURING_ROWS: list[tuple[str, Cell]] = [
    ("restructuring", lambda s: s.restructuring),
    ("consent", lambda s: s.restructuring_consent if s.restructuring != "none" else MISSING),
    (
        "funding lost",
        lambda s: f"USD {number(s.funding_lost_bn)} bn" if s.funding_lost_bn else "none",
    ),
]


def _term_cell(name: str) -> Cell:
    def cell(state: ContractState) -> str:
        terms = state.terms
        if terms is None:
            return MISSING
        try:  # a generic outcome (not partnership terms) names its own issues
            return plain_value(name, terms.get(name))
        except KeyError:
            return MISSING

    return cell


def _amounts(amounts: dict[str, float], *, percent: bool = False) -> str:
    if not amounts:
        return MISSING
    if percent:
        return ", ".join(f"{k}: {number(v * 100)}%" for k, v in sorted(amounts.items()))
    # "openai_to_microsoft" as words, so a narrow cell wraps between them, not mid-word
    return ", ".join(
        f"{k.replace('_to_', ' to ')}: USD {number(v)} bn" for k, v in sorted(amounts.items())
    )


def _right_cell(right: str) -> Cell:
    def cell(state: ContractState) -> str:
        if right not in state.rights:
            return MISSING
        return "active" if state.rights[right] else "lapsed"

    return cell


def _agi(state: ContractState, start: dt.date | None) -> str:
    if not state.agi_declared:
        return "no"
    text = "yes" if state.agi_time is None else when(state.agi_time, start)
    return f"{text} (verified)" if state.agi_verified else f"{text} (not verified)"


def _talks(state: ContractState) -> str:
    if state.talks_outcome is None:
        return state.talks.replace("_", " ")
    return f"{state.talks.replace('_', ' ')} ({state.talks_outcome.replace('_', ' ')})"


def _offer(offer: Outcome | None) -> str:
    if offer is None:
        return MISSING
    values = ", ".join(f"{name}={plain_value(name, value)}" for name, value in offer.values)
    return values or MISSING


def _reviews(state: ContractState) -> str:
    if not state.reviews:
        return MISSING
    return ", ".join(
        f"{regulator}: {outcome.replace('_', ' ')}" for regulator, outcome in state.reviews
    )


def _inquiries(state: ContractState) -> str:
    """Regulators' looks at the contract in force, and who asked for them."""
    asked: dict[str, list[str]] = {}
    for party, regulator in state.complaints:
        asked.setdefault(regulator, []).append(party)
    if not state.in_force_reviews and not asked:
        return MISSING
    parts = []
    for regulator, outcome in state.in_force_reviews:
        by = asked.pop(regulator, [])
        text = f"{regulator}: {outcome.replace('_', ' ')}"
        parts.append(f"{text} (asked by {', '.join(dict.fromkeys(by))})" if by else text)
    parts += [
        f"{regulator}: asked by {', '.join(dict.fromkeys(by))}" for regulator, by in asked.items()
    ]
    return ", ".join(parts)


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


__all__ = ["state_table", "state_tables", "when"]
