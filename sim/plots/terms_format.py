"""Short, plain renderings of issue values for figure labels and tables."""

from __future__ import annotations

from typing import Any, Final

ISSUE_LABELS: Final = {
    "term_end": "term end",
    "ip_expiry": "IP licence until",
    "ip_scope": "IP scope",
    "revenue_share": "revenue share",
    "cloud": "cloud",
    "equity": "MSFT equity",
    "investment_bn": "new investment",
}
_FRACTIONS: Final = frozenset(("revenue_share", "equity"))
_WORDS: Final = {
    "models+infrastructure": "models+infra",
    "rofr": "ROFR",
    "2032|agi_verified": "2032 or AGI verified",
    "agi_declared": "AGI declared",
    "agi_verified": "AGI verified",
}

MISSING: Final = "—"


def issue_label(issue: str) -> str:
    return ISSUE_LABELS.get(issue, issue.replace("_", " "))


def value_text(issue: str, value: Any) -> str:
    """``16%``, ``USD 10 bn``, ``yes``, ``models+infra``, ``2030``..."""
    if value is None:
        return MISSING
    if isinstance(value, bool):
        return "yes" if value else "no"
    if issue in _FRACTIONS and isinstance(value, int | float):
        return f"{value * 100:g}%"
    if issue == "investment_bn" and isinstance(value, int | float):
        return f"USD {value:g} bn"
    if isinstance(value, float):
        return f"{value:g}"
    return _WORDS.get(str(value), str(value))
