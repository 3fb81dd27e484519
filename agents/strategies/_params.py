"""Parameter checking shared by the strategy classes.

Strategies are frozen attrs classes whose fields are their parameters; these helpers
turn a bad keyword argument into a ``ValueError`` naming the parameter and what was
expected.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import attrs

ParamValue = float | int | str | bool


def real(
    name: str,
    *,
    low: float = -math.inf,
    high: float = math.inf,
    low_open: bool = False,
    high_open: bool = False,
    optional: bool = False,
) -> Callable[[Any], float | None]:
    """A converter: a finite real number in the given interval, as ``float``."""
    expected = _describe(low, high, low_open, high_open)

    def convert(value: Any) -> float | None:
        if value is None and optional:
            return None
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ValueError(f"{name} must be {expected}, got {value!r}")
        x = float(value)
        ok = (
            math.isfinite(x)
            and (x > low if low_open else x >= low)
            and (x < high if high_open else x <= high)
        )
        if not ok:
            raise ValueError(f"{name} must be {expected}, got {value!r}")
        return x

    return convert


def _describe(low: float, high: float, low_open: bool, high_open: bool) -> str:
    if math.isinf(high):
        return f"a finite number {'>' if low_open else '>='} {low:g}"
    lo = "(" if low_open else "["
    hi = ")" if high_open else "]"
    return f"a number in {lo}{low:g}, {high:g}{hi}"


def integer(name: str, *, low: int) -> Callable[[Any], int]:
    """A converter: an ``int`` >= ``low`` (bools and floats are refused)."""

    def convert(value: Any) -> int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValueError(f"{name} must be an integer >= {low}, got {value!r}")
        if value < low:
            raise ValueError(f"{name} must be an integer >= {low}, got {value!r}")
        return int(value)

    return convert


class Parametrised:
    """Mixin for attrs strategy classes: ``params()`` from the attrs fields.

    Parameters whose value is None ("not set, use the view's") are left out, so
    ``type(s)(**s.params()) == s``.
    """

    __slots__ = ()

    def params(self) -> dict[str, ParamValue]:
        return {
            field.name: value
            for field in attrs.fields(type(self))  # type: ignore[misc]
            if (value := getattr(self, field.name)) is not None
        }
