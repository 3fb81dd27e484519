"""Offers and agreements: the values of a negotiation's issues.

``Outcome`` is the one offer type of every domain: issue names with values, in the
scenario's issue order. In the partnership the scenario binds issues to clause
parameters (``sim.scenario.deal``); a generic negotiation has plain issues only.
"""

from __future__ import annotations

import math
from typing import Any, Final

import attrs
import orjson

IssueValue = bool | int | float | str
_set = object.__setattr__
_new = object.__new__
MAX_ISSUES: Final = 1000
_PLAIN: Final = frozenset((str, int, bool))  # float: checked to be finite


def finite_float(value: object) -> float:
    """A finite number as float (never a bool, a string, NaN or infinity)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"expected a number, got {value!r}")
    number = float(value)
    if not math.isfinite(number):
        raise ValueError(f"expected a finite number, got {value!r}")
    return number


def _issue_pairs(items: object) -> tuple[tuple[str, IssueValue], ...]:
    """Validated ``(name, value)`` pairs. Replay decodes one outcome per offer, so the
    usual shape (JSON lists of a name and a plain scalar) takes a fast path; anything
    else gets the careful checks that name what is wrong."""
    if isinstance(items, list | tuple) and len(items) <= MAX_ISSUES:
        pairs: list[tuple[str, IssueValue]] = []
        append = pairs.append
        for item in items:
            if type(item) is not list:
                return _checked_pairs(items)
            try:
                name, value = item
            except ValueError:  # not a pair
                return _checked_pairs(items)
            value_kind = type(value)
            if type(name) is not str or not name:
                return _checked_pairs(items)
            if value_kind in _PLAIN or (value_kind is float and value - value == 0.0):
                append((name, value))
            else:  # not finite, or not a plain scalar
                return _checked_pairs(items)
        return tuple(pairs)
    return _checked_pairs(items)


def _checked_pairs(items: object) -> tuple[tuple[str, IssueValue], ...]:
    if not isinstance(items, list | tuple) or len(items) > MAX_ISSUES:
        raise ValueError(f"issues must be a list of [name, value] pairs, got {items!r}")
    pairs: list[tuple[str, IssueValue]] = []
    for item in items:
        if not isinstance(item, list | tuple) or len(item) != 2:
            raise ValueError(f"an issue must be a [name, value] pair, got {item!r}")
        name, value = item
        if not isinstance(name, str) or not name:
            raise ValueError(f"an issue name must be a non-empty string, got {name!r}")
        if not isinstance(value, bool | int | float | str) or (
            isinstance(value, float) and not math.isfinite(value)
        ):
            raise ValueError(f"issue {name!r}: a value must be a boolean, number or string")
        pairs.append((name, value))
    return tuple(pairs)


@attrs.frozen(slots=True)
class Outcome:
    """An offer or agreement: ``(issue, value)`` pairs in the scenario's issue order."""

    values: tuple[tuple[str, IssueValue], ...] = attrs.field(converter=_issue_pairs)

    # Canonical JSON, made once: offers repeat, and encoding them is the engine's
    # hottest path. Not part of equality, hashing or the constructor.
    _json: bytes | None = attrs.field(init=False, default=None, eq=False, repr=False)

    def json_bytes(self) -> bytes:
        """Canonical JSON (sorted keys) of ``to_data()``, cached."""
        data = self._json
        if data is None:
            data = orjson.dumps(self.to_data(), option=orjson.OPT_SORT_KEYS)
            _set(self, "_json", data)
        return data

    def get(self, issue: str) -> IssueValue:
        for name, value in self.values:
            if name == issue:
                return value
        raise KeyError(issue)

    def as_dict(self) -> dict[str, IssueValue]:
        return dict(self.values)

    def to_data(self) -> dict[str, Any]:
        return {"issues": [list(pair) for pair in self.values]}

    @classmethod
    def from_data(cls, data: object) -> Outcome:
        if not isinstance(data, dict) or len(data) != 1 or "issues" not in data:
            raise ValueError(f"terms must be an object with only 'issues', got {data!r}")
        # The pairs are validated by _issue_pairs; building the frozen instance
        # directly skips attrs' __init__ (replay decodes one outcome per offer).
        outcome = _new(cls)
        _set(outcome, "values", _issue_pairs(data["issues"]))
        _set(outcome, "_json", None)
        return outcome


Offer = Outcome  # what a party proposes and accepts: an outcome, in every domain
EMPTY_OUTCOME: Final = Outcome(())
