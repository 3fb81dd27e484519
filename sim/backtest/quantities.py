"""What an observation measures in one run: a summary column, a state field at a date,
or the date of the first event of a type after a date.

Quantities are written as text in an observations file:

- ``agreement_time``: a column of the run's summary row (:mod:`sim.run.summary`);
- ``state.<path>@WHEN``: a field of the contract state folded up to ``WHEN``
  (``events.replay.state_at(records, t).to_data()``), e.g.
  ``state.investment_total_bn@2025-07-01`` or ``state.rights.exclusivity.api@2026-01-01``;
- ``first:<EventType>@WHEN``: when the first event of that type at or after ``WHEN``
  happened (a date; simulated time in scenarios that count steps), or none.

``WHEN`` is an ISO date (mapped to simulated time through the log's start date and
:mod:`events.calendar`) or, for scenarios that count steps, a number of time units.

A state path is resolved against the state's actual keys, longest key first: right
names contain dots (``exclusivity.api``), so ``rights.exclusivity.api`` finds the key
``"exclusivity.api"`` inside ``rights`` rather than splitting on every dot.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from typing import Any, Final

import attrs

from events.calendar import date_at, months_between, parse_date

SUMMARY: Final = "summary"
STATE: Final = "state"
FIRST: Final = "first"

_WHEN = re.compile(r"^(?P<body>.+)@(?P<when>[^@]+)$")
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


class QuantityError(ValueError):
    """A quantity that cannot be read or resolved (the message says what was expected)."""


@attrs.frozen(slots=True)
class When:
    """A point in simulated time as written: an ISO date or a number of time units."""

    text: str
    date: dt.date | None
    units: float | None

    def time(self, start: dt.date, time_unit: str) -> float:
        """Simulated time of this point for a run starting at ``start``."""
        if self.date is not None:
            if time_unit != "month":
                raise QuantityError(
                    f"@{self.text}: the scenario counts {time_unit}s, not dates; "
                    f"give a number of {time_unit}s after @"
                )
            return months_between(start, self.date)
        assert self.units is not None
        return self.units


@attrs.frozen(slots=True)
class Quantity:
    """A parsed quantity: its kind, the column / state path / event type, and when."""

    text: str
    kind: str  # SUMMARY | STATE | FIRST
    target: str
    when: When | None = None


def parse_quantity(text: object) -> Quantity:
    """Read a quantity's text; :class:`QuantityError` says what was expected."""
    if not isinstance(text, str) or not text.strip():
        raise QuantityError(f"expected a quantity as text, got {text!r}")
    text = text.strip()
    if text.startswith("state.") or text.startswith("first:"):
        match = _WHEN.match(text)
        if match is None:
            raise QuantityError(
                f"{text!r}: expected '@YYYY-MM-DD' (or '@<time>') at the end, e.g. "
                "'state.investment_total_bn@2025-07-01' or 'first:ContractSigned@2025-07-01'"
            )
        when = _parse_when(match["when"])
        body = match["body"]
        if body.startswith("first:"):
            event_type = body[len("first:") :]
            if not _NAME.match(event_type):
                raise QuantityError(f"{text!r}: expected an event type name after 'first:'")
            from events.model import EVENT_TYPES

            if event_type not in EVENT_TYPES:
                known = ", ".join(sorted(EVENT_TYPES))
                raise QuantityError(f"{text!r}: no event type {event_type!r} (known: {known})")
            return Quantity(text, FIRST, event_type, when)
        path = body[len("state.") :]
        if not path or any(not part for part in path.split(".")):
            raise QuantityError(f"{text!r}: expected a state field path after 'state.'")
        return Quantity(text, STATE, path, when)
    if "@" in text:
        raise QuantityError(
            f"{text!r}: only 'state.<path>@WHEN' and 'first:<EventType>@WHEN' take a date"
        )
    if not _NAME.match(text):
        raise QuantityError(
            f"{text!r}: expected a summary column (e.g. agreement_time), "
            "'state.<path>@YYYY-MM-DD' or 'first:<EventType>@YYYY-MM-DD'"
        )
    return Quantity(text, SUMMARY, text)


def _parse_when(text: str) -> When:
    text = text.strip()
    try:
        return When(text, parse_date(text), None)
    except ValueError:
        pass
    try:
        return When(text, None, float(text))
    except ValueError:
        raise QuantityError(
            f"@{text}: expected an ISO date YYYY-MM-DD or a number of time units"
        ) from None


def resolve_path(data: Any, path: str) -> Any:
    """The value at dotted ``path`` inside nested dicts, matching the longest key first.

    ``resolve_path({"rights": {"exclusivity.api": True}}, "rights.exclusivity.api")`` is
    True. KeyError (with the keys available where it stopped) if nothing matches.
    """
    found, value = _resolve(data, path.split("."))
    if not found:
        raise KeyError(_missing(data, path.split(".")))
    return value


def _resolve(data: Any, parts: Sequence[str]) -> tuple[bool, Any]:
    if not parts:
        return True, data
    if not isinstance(data, Mapping):
        return False, None
    for cut in range(len(parts), 0, -1):
        key = ".".join(parts[:cut])
        if key in data:
            found, value = _resolve(data[key], parts[cut:])
            if found:
                return True, value
    return False, None


def _missing(data: Any, parts: Sequence[str]) -> str:
    """Where a path stops matching, and what keys were there."""
    here, walked = data, []
    while parts and isinstance(here, Mapping):
        for cut in range(len(parts), 0, -1):
            key = ".".join(parts[:cut])
            if key in here:
                here, parts = here[key], parts[cut:]
                walked.append(key)
                break
        else:
            keys = ", ".join(sorted(map(str, here))) or "none"
            prefix = ".".join(walked)
            where = f"state.{prefix}" if prefix else "the state"
            return f"{where} has no key {'.'.join(parts)!r} (keys: {keys})"
    prefix = ".".join(walked)
    return f"state.{prefix} is a {type(here).__name__}, not a table with {'.'.join(parts)!r}"


def first_time(records: Sequence[Any], event_type: str, t: float) -> float | None:
    """Simulated time of the first ``event_type`` event at or after ``t``, or None."""
    for record in records:
        if record.t >= t - 1e-9 and type(record.event).__name__ == event_type:
            return float(record.t)
    return None


def time_to_value(t: float | None, start: dt.date, time_unit: str) -> dt.date | float | None:
    """A simulated time as users observe it: a date in month scenarios, else the time."""
    if t is None:
        return None
    if time_unit == "month":
        return date_at(start, t + 1e-9)
    return t
