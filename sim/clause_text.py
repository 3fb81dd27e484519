"""Clauses and amendments as one line of plain text, for people to read.

Both the CLI's state tables (``sim.cli.render_state``) and the timeline figure
(``sim.plots.negotiation``) word a contract's clauses and a ruling's conditions the
same way, so the wording lives here, below both.
"""

from __future__ import annotations

from events.clauses import Amendment, Clause, clause_to_data


def number(value: float) -> str:
    """A float with six significant digits and no trailing zeros."""
    return f"{value:.6g}"


def yes_no(value: bool) -> str:
    return "yes" if value else "no"


def plain_value(name: str, value: object) -> str:
    """A parameter or issue value: booleans as yes/no, floats by :func:`number`."""
    if isinstance(value, bool):
        return yes_no(value)
    if isinstance(value, float):
        return number(value)
    return str(value)


def clause_text(clause: Clause) -> str:
    """One clause on one line: ``license(microsoft, models+infrastructure; until
    agi_declared)``."""
    data = clause_to_data(clause)
    kind = data.pop("kind")
    expiry = data.pop("expiry")
    parts = []
    for key, value in data.items():
        if value is None:
            continue
        if isinstance(value, list):
            value = "+".join(value)
        parts.append(str(value) if isinstance(value, str) else f"{key}={plain_value(key, value)}")
    until = "" if expiry == "term" else f"; until {expiry}"
    return f"{kind}({', '.join(parts)}{until})"


def amendment_text(amendment: Amendment) -> str:
    """An amendment's removals, additions and new term end, ``"; "``-separated."""
    parts = [f"remove {right}" for right in amendment.remove]
    parts += [f"add {clause_text(clause)}" for clause in amendment.add]
    if amendment.term_end is not None:
        parts.append(f"term end {amendment.term_end}")
    return "; ".join(parts) or "none"


__all__ = ["amendment_text", "clause_text", "number", "plain_value", "yes_no"]
