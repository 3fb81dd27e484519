"""Simulated time <-> calendar dates.

Simulated time ``t`` counts months since the scenario's start date (or abstract steps
when a scenario says ``time_unit = "step"``). A fractional month is the fraction of
that calendar month's days, so whole months land on the same day of the month.

The calendar covers the years ``FIRST_YEAR`` to ``LAST_YEAR``, 1000-9998: Python's dates
stop at 9999, and a time is placed within its month by looking at the months around
it. A date or a time outside that range is a ``ValueError`` saying so, never an
overflow.
"""

from __future__ import annotations

import calendar
import datetime as dt
import functools
import math
import re

_ISO_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")

FIRST_YEAR = 1000
LAST_YEAR = 9998
FIRST_DATE = dt.date(FIRST_YEAR, 1, 1)
LAST_DATE = dt.date(LAST_YEAR, 12, 31)
RANGE_TEXT = f"a date in the years {FIRST_YEAR}-{LAST_YEAR}"


def in_calendar(date: dt.date) -> bool:
    return FIRST_DATE <= date <= LAST_DATE


def _check_date(date: dt.date) -> dt.date:
    if not in_calendar(date):
        raise ValueError(f"expected {RANGE_TEXT}, got {date.isoformat()}")
    return date


@functools.lru_cache(maxsize=64)
def time_range(start: dt.date) -> tuple[float, float]:
    """The simulated times, counted from ``start``, that fall on calendar dates.

    Cached per start date: ``date_at`` checks every time against it, and a run asks
    for dates hundreds of times from one start (an error is raised, never cached)."""
    _check_date(start)
    return months_between(start, FIRST_DATE), months_between(start, LAST_DATE)


def time_in_calendar(start: dt.date, t: float) -> bool:
    """Whether ``t`` (months since ``start``) is finite and falls on a calendar date."""
    if not math.isfinite(t):
        return False
    lo, hi = time_range(start)
    return lo <= t <= hi


def months_between(start: dt.date, date: dt.date) -> float:
    """Months from ``start`` to ``date`` (may be negative), as simulated time."""
    _check_date(start)
    _check_date(date)
    whole = (date.year - start.year) * 12 + (date.month - start.month)
    anchor = _add_months(start, whole)
    if anchor > date:
        whole -= 1
        anchor = _add_months(start, whole)
    following = _add_months(start, whole + 1)
    fraction = (date - anchor).days / (following - anchor).days
    return whole + fraction


def date_at(start: dt.date, t: float) -> dt.date:
    """The calendar date simulated time ``t`` falls on (rounded down to a day).

    ValueError if ``t`` is not finite or falls outside the calendar's years.
    """
    lo, hi = time_range(start)
    # A hair of slack: callers nudge a time up by 1e-9 to land on its own day.
    if not (math.isfinite(t) and lo - 1e-6 <= t <= hi + 1e-6):
        raise ValueError(
            f"time {t!r} months since {start.isoformat()} is outside the calendar "
            f"(years {FIRST_YEAR}-{LAST_YEAR})"
        )
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
    try:
        date = dt.date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"expected a valid date YYYY-MM-DD, got {text!r}") from None
    if not in_calendar(date):
        raise ValueError(f"expected {RANGE_TEXT}, got {text!r}")
    return date


def parse_time(text: str, start: dt.date) -> float:
    """A time given by a user: an ISO date, or a number of months since start."""
    text = text.strip()
    if _ISO_DATE.match(text):
        return months_between(start, parse_date(text))
    try:
        if not text.isascii():  # float() reads "١٢" (Arabic-Indic digits) as 12
            raise ValueError(text)
        t = float(text)
    except ValueError:
        raise ValueError(
            f"expected an ISO date YYYY-MM-DD or months since start, got {text!r}"
        ) from None
    if not time_in_calendar(start, t):
        raise ValueError(f"expected a time within the calendar ({RANGE_TEXT}), got {text!r}")
    return t


def _add_months(start: dt.date, months: int) -> dt.date:
    year, month0 = divmod(start.month - 1 + months, 12)
    year += start.year
    day = min(start.day, calendar.monthrange(year, month0 + 1)[1])
    return dt.date(year, month0 + 1, day)
