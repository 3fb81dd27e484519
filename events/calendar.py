"""Simulated time <-> calendar dates.

Simulated time ``t`` counts months since the scenario's start date (or abstract steps
when a scenario says ``time_unit = "step"``). A fractional month is the fraction of
that calendar month's days, so whole months land on the same day of the month.
"""

from __future__ import annotations

import calendar
import datetime as dt
import math
import re

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def months_between(start: dt.date, date: dt.date) -> float:
    """Months from ``start`` to ``date`` (may be negative), as simulated time."""
    whole = (date.year - start.year) * 12 + (date.month - start.month)
    anchor = _add_months(start, whole)
    if anchor > date:
        whole -= 1
        anchor = _add_months(start, whole)
    following = _add_months(start, whole + 1)
    fraction = (date - anchor).days / (following - anchor).days
    return whole + fraction


def date_at(start: dt.date, t: float) -> dt.date:
    """The calendar date simulated time ``t`` falls on (rounded down to a day)."""
    # A time computed from a date (months_between) may come back a hair below the
    # exact value in floating point; the epsilons keep such times on their own day.
    whole = math.floor(t + 1e-9)
    anchor = _add_months(start, whole)
    following = _add_months(start, whole + 1)
    fraction = max(0.0, t - whole)
    return anchor + dt.timedelta(days=int(fraction * (following - anchor).days + 1e-6))


def parse_date(text: str) -> dt.date:
    """Parse an ISO date ``YYYY-MM-DD``; ValueError with the expected form otherwise."""
    if not _ISO_DATE.match(text):
        raise ValueError(f"expected an ISO date YYYY-MM-DD, got {text!r}")
    return dt.date.fromisoformat(text)


def parse_time(text: str, start: dt.date) -> float:
    """A time given by a user: an ISO date, or a number of months since start."""
    text = text.strip()
    if _ISO_DATE.match(text):
        return months_between(start, parse_date(text))
    try:
        return float(text)
    except ValueError:
        raise ValueError(
            f"expected an ISO date YYYY-MM-DD or months since start, got {text!r}"
        ) from None


def _add_months(start: dt.date, months: int) -> dt.date:
    year, month0 = divmod(start.month - 1 + months, 12)
    year += start.year
    day = min(start.day, calendar.monthrange(year, month0 + 1)[1])
    return dt.date(year, month0 + 1, day)
