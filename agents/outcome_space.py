"""The discrete outcome space a negotiation ranges over.

An ``OutcomeSpace`` is the Cartesian product of its issues' values, enumerated in
``itertools.product`` order (the first issue varies slowest). Strategies and the
engine talk about outcomes by their integer index in that enumeration; utilities are
evaluated for every outcome at once through ``value_indices``.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

import attrs
import numpy as np

from events.terms import IssueValue

_VALUE_TYPES = (bool, int, float, str)


def _issue_values(value: Iterable[IssueValue]) -> tuple[IssueValue, ...]:
    return tuple(value)


@attrs.frozen(slots=True)
class Issue:
    """One negotiated issue: a name and its discrete values, in the scenario's order.

    The order matters: "increasing"/"decreasing" value tables and ``value_indices``
    follow it.
    """

    name: str = attrs.field()
    values: tuple[IssueValue, ...] = attrs.field(converter=_issue_values)

    @name.validator
    def _check_name(self, _: attrs.Attribute[Any], name: str) -> None:
        if not isinstance(name, str) or not name:
            raise ValueError(f"issue name must be a non-empty string, got {name!r}")

    @values.validator
    def _check_values(self, _: attrs.Attribute[Any], values: tuple[IssueValue, ...]) -> None:
        if not values:
            raise ValueError(f"issue {self.name!r} must have at least one value")
        for value in values:
            if not isinstance(value, _VALUE_TYPES):
                raise ValueError(
                    f"issue {self.name!r}: values must be bool, int, float or str; "
                    f"got {value!r} ({type(value).__name__})"
                )
        # A set treats True == 1 and 1 == 1.0 as the same value, and so would every
        # lookup table keyed by value: such a pair is a duplicate here too.
        if len(set(values)) != len(values):
            seen: list[IssueValue] = []
            for value in values:
                if value in seen:
                    raise ValueError(f"issue {self.name!r}: duplicate value {value!r}")
                seen.append(value)

    @property
    def size(self) -> int:
        return len(self.values)


def _issues(value: Iterable[Issue]) -> tuple[Issue, ...]:
    return tuple(value)


@attrs.frozen(slots=True)
class OutcomeSpace:
    """All combinations of the issues' values, indexed 0 .. size - 1.

    Outcome ``i`` is ``list(itertools.product(*(issue.values for issue in issues)))[i]``.
    Equality, hashing and pickling depend on ``issues`` only; the index tables are
    derived once at construction (cheap: a few ms for 100,000 outcomes).
    """

    issues: tuple[Issue, ...] = attrs.field(converter=_issues)
    _positions: tuple[dict[IssueValue, int], ...] = attrs.field(init=False, eq=False, repr=False)
    _strides: tuple[int, ...] = attrs.field(init=False, eq=False, repr=False)
    _value_indices: np.ndarray = attrs.field(init=False, eq=False, repr=False)

    @issues.validator
    def _check_issues(self, _: attrs.Attribute[Any], issues: tuple[Issue, ...]) -> None:
        if not issues:
            raise ValueError("an outcome space needs at least one issue")
        names: set[str] = set()
        for issue in issues:
            if not isinstance(issue, Issue):
                raise ValueError(f"issues must be Issue objects, got {issue!r}")
            if issue.name in names:
                raise ValueError(f"duplicate issue name {issue.name!r}")
            names.add(issue.name)

    def __attrs_post_init__(self) -> None:
        shape = tuple(issue.size for issue in self.issues)
        strides = []
        stride = 1
        for n in reversed(shape):
            strides.append(stride)
            stride *= n
        indices = np.indices(shape, dtype=np.intp).reshape(len(shape), -1).T
        indices = np.ascontiguousarray(indices)
        indices.flags.writeable = False
        object.__setattr__(
            self,
            "_positions",
            tuple({value: j for j, value in enumerate(issue.values)} for issue in self.issues),
        )
        object.__setattr__(self, "_strides", tuple(reversed(strides)))
        object.__setattr__(self, "_value_indices", indices)

    @property
    def size(self) -> int:
        """The number of outcomes."""
        return math.prod(issue.size for issue in self.issues)

    @property
    def issue_names(self) -> tuple[str, ...]:
        return tuple(issue.name for issue in self.issues)

    @property
    def value_indices(self) -> np.ndarray:
        """Read-only ``(size, n_issues)`` int array: row ``i`` holds, per issue, the
        position of outcome ``i``'s value in that issue's ``values``."""
        return self._value_indices

    def _check_index(self, i: int) -> int:
        size = self._value_indices.shape[0]
        if not 0 <= i < size:
            raise IndexError(f"outcome index {i} out of range 0..{size - 1}")
        return int(i)

    def outcome(self, i: int) -> tuple[IssueValue, ...]:
        """The values of outcome ``i``, in issue order."""
        row = self._value_indices[self._check_index(i)]
        return tuple(issue.values[j] for issue, j in zip(self.issues, row.tolist(), strict=True))

    def as_dict(self, i: int) -> dict[str, IssueValue]:
        """Outcome ``i`` as ``{issue name: value}``, in issue order."""
        return dict(zip(self.issue_names, self.outcome(i), strict=True))

    def index(self, values: Iterable[IssueValue]) -> int:
        """The index of the outcome with these values (one per issue, in issue order)."""
        values = tuple(values)
        if len(values) != len(self.issues):
            raise ValueError(
                f"an outcome has {len(self.issues)} values (one per issue), got {len(values)}"
            )
        i = 0
        for issue, positions, stride, value in zip(
            self.issues, self._positions, self._strides, values, strict=True
        ):
            j = positions.get(value)
            if j is None:
                raise ValueError(
                    f"issue {issue.name!r} has no value {value!r}; valid: "
                    + ", ".join(repr(v) for v in issue.values)
                )
            i += j * stride
        return i
