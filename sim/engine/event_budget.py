"""The event budget of a run: how many events it may record, and who to blame when over.

A scenario's numbers are range-checked (``sim.scenario.checks``), but some runaway
runs come from a *combination* (a long horizon and a short round, many competitors at
a high intensity): the budget ``scenario.max_events`` (default 100,000, at most
10,000,000) catches them all before memory does. The error names the parameter that
produced most of the events, so the user knows what to lower (or that
``scenario.max_events`` must be raised for a run that is meant to be that long).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any

from events.codec import Recorded
from events.errors import InputError
from events.model import OfferAccepted, OfferMade, OfferRejected, OutsideOptionImproved


class EventBudgetError(InputError):
    """A run recorded more events than ``scenario.max_events``. Exit code 2."""


def over_budget(scenario: Any, records: Sequence[Recorded]) -> EventBudgetError:
    """The error for a run whose ``records`` went over ``scenario.max_events``."""
    culprit, count = _culprit(scenario, records)
    t = records[-1].t if records else 0.0
    when = f"t={t:g}" if scenario.time_unit != "month" else scenario.date_of(t).isoformat()
    return EventBudgetError(
        f"the run went over its budget of {scenario.max_events} events "
        f"(scenario.max_events) by {when}: {count} of them came from {culprit}; "
        "change it, or raise scenario.max_events if the run is meant to be that long"
    )


def _culprit(scenario: Any, records: Sequence[Recorded]) -> tuple[str, int]:
    """The parameter behind most of the events, and how many events it made."""
    kinds: Counter[str] = Counter()
    for record in records:
        event = record.event
        kind = type(event)
        # An outside offer and what follows it (ROFR matched or waived, deal taken)
        # all name the competitor whose intensity made them.
        key = getattr(event, "competitor", None)
        if isinstance(key, str):
            found = [c for c in scenario.competitors if c.key == key]
            value = f"{found[0].intensity:g}" if found else "?"
            kinds[f"competitors.{key}.intensity = {value}"] += 1
        elif kind in (OfferMade, OfferRejected, OfferAccepted):
            kinds[_talks(scenario)] += 1
        elif isinstance(event, OutsideOptionImproved):  # an outside option's steps: `every`
            options = [o for o in scenario.outside_options if o.option == event.option]
            name = options[0].key if options else event.option
            every = f"{options[0].every:g}" if options else "?"
            kinds[f"outside_options.{name}.every = {every}"] += 1
        else:
            kinds[f"scenario.horizon = {scenario.horizon:g}"] += 1
    if not kinds:
        return f"scenario.horizon = {scenario.horizon:g}", 0
    return kinds.most_common(1)[0]


def _talks(scenario: Any) -> str:
    negotiation = scenario.negotiation
    if negotiation.round is not None:
        return f"negotiation.round = {negotiation.round:g}"
    return f"negotiation.n_steps = {negotiation.n_steps}"
