"""``as_of``: a scenario as it stood on a date, for backtests (``negsim run --as-of``).

Drops the prelude entries dated after the date, so the simulation starts from what was
known then and simulates forward. Only each entry's ``at`` is read (and the scenario
rebuilt with ``attrs.evolve``), so any kind of prelude entry is handled alike.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import attrs

from events.calendar import months_between
from events.errors import InputError
from sim.scenario import Scenario


def as_of(scenario: Scenario, date: dt.date | str) -> Scenario:
    """``scenario`` without the prelude entries dated after ``date`` (kept: on or before)."""
    if isinstance(date, str):
        try:
            date = dt.date.fromisoformat(date)
        except ValueError:
            raise InputError(f"--as-of {date}: expected an ISO date YYYY-MM-DD") from None
    if scenario.time_unit != "month":
        raise InputError(
            f"--as-of: scenario {scenario.name!r} counts {scenario.time_unit}s, not dates"
        )
    cutoff = months_between(scenario.start, date) + 1e-9
    kept = tuple(entry for entry in scenario.prelude if entry.at <= cutoff)
    return attrs.evolve(scenario, prelude=kept)


def load_as_of(name: str, date: dt.date | str, assignments: Sequence[str] = ()) -> Scenario:
    """Scenario ``name`` as it stood on ``date``, *then* with the ``--set`` assignments:
    a variant may move what only the dropped history held back (the talks' opening,
    for one, may come before a dropped 2025 entry once that entry is gone)."""
    from sim.scenario import load_scenario

    scenario = as_of(load_scenario(name), date)
    return scenario.with_overrides(assignments=assignments) if assignments else scenario
