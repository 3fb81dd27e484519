"""Simulated time on an x axis: calendar dates for month scenarios, steps otherwise.

Plotted data stay in simulated time (so a figure's arrays compare directly with a
log's ``t``); only the tick positions and labels are calendar-aware.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Final

from events.calendar import months_between
from sim.plots.style import month_label

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from sim.scenario import Scenario

# Months between ticks; the long ones only for logs that span centuries.
_STEPS: Final = (1, 2, 3, 6, 12, 24, 60, 120, 240, 600, 1200, 2400, 6000, 12000)


def uses_dates(scenario: Scenario) -> bool:
    return scenario.time_unit == "month"


def time_label(scenario: Scenario) -> str:
    return "date" if uses_dates(scenario) else f"simulated time ({scenario.time_unit}s)"


def date_ticks(start: dt.date, lo: float, hi: float, most: int = 9) -> list[tuple[float, str]]:
    """Tick positions (simulated time) and labels on calendar month boundaries.

    Ticks stay on the calendar: a window padded beyond its first or last year (a log
    may hold times up to the calendar's ends) gets no ticks out there.
    """
    from events.calendar import LAST_YEAR, time_range

    first_t, last_t = time_range(start)
    lo, hi = max(lo, first_t), min(hi, last_t)
    span = max(hi - lo, 1e-9)
    step = next((s for s in _STEPS if span / s <= most), _STEPS[-1])
    first = _month_index(start, lo)
    ticks = []
    index = first
    while True:
        year, month0 = divmod(index, 12)
        if year > LAST_YEAR:
            break
        if month0 % min(step, 12) == 0 and (step < 12 or year % (step // 12) == 0):
            t = months_between(start, dt.date(year, month0 + 1, 1))
            if t > hi:
                break
            if t >= lo:
                ticks.append((t, month_label(year, month0 + 1, with_month=step < 12)))
        index += 1
        if index - first > span + 24:  # a guard: past hi already
            break
    return ticks


def _month_index(start: dt.date, t: float) -> int:
    from events.calendar import date_at

    date = date_at(start, t)
    return date.year * 12 + date.month - 1


def set_time_axis(ax: Axes, scenario: Scenario, lo: float, hi: float) -> None:
    """Limit ``ax`` to ``[lo, hi]`` and label it with dates (months) or steps."""
    ax.set_xlim(lo, hi)
    if uses_dates(scenario):
        ticks = date_ticks(scenario.start, lo, hi)
        ax.set_xticks([t for t, _ in ticks], [label for _, label in ticks])
        ax.set_xticks([], minor=True)
