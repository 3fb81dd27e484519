"""Parameter checking shared by the strategy classes.

Strategies are frozen attrs classes whose fields are their parameters; these helpers
turn a bad keyword argument into a ``ValueError`` naming the parameter and what was
expected.
"""

from __future__ import annotations

import math
from typing import cast

import attrs

from events.convert import is_int, is_number

ParamValue = float | int | str | bool


def check_real(
    value: object,
    name: str,
    *,
    low: float = -math.inf,
    high: float = math.inf,
    low_open: bool = False,
    high_open: bool = False,
) -> float:
    """``value`` as a ``float`` if it is a finite real number in the interval; else a
    ``ValueError`` naming ``name`` and the interval. Strategy modules call it from small
    named converters (attrs' mypy plugin types named converter functions only)."""
    expected = _describe(low, high, low_open, high_open)
    if not is_number(value):
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


def _describe(low: float, high: float, low_open: bool, high_open: bool) -> str:
    if math.isinf(high):
        return f"a finite number {'>' if low_open else '>='} {low:g}"
    lo = "(" if low_open else "["
    hi = ")" if high_open else "]"
    return f"a number in {lo}{low:g}, {high:g}{hi}"


def check_integer(value: object, name: str, *, low: int) -> int:
    """``value`` if it is an ``int`` >= ``low`` (bools and floats are refused)."""
    if not is_int(value) or value < low:
        raise ValueError(f"{name} must be an integer >= {low}, got {value!r}")
    return int(value)


class Parametrised:
    """Mixin for attrs strategy classes: ``params()`` from the attrs fields.

    Parameters whose value is None ("not set, use the view's") are left out, so
    ``type(s)(**s.params()) == s``.
    """

    __slots__ = ()

    def params(self) -> dict[str, ParamValue]:
        return {
            field.name: value
            for field in attrs.fields(cast("type[attrs.AttrsInstance]", type(self)))
            if (value := getattr(self, field.name)) is not None
        }


def check_choice(value: object, name: str, options: tuple[str, ...]) -> str:
    """``value`` if it is one of the strings ``options``; else a ``ValueError`` naming
    ``name`` and the options."""
    if not isinstance(value, str) or value not in options:
        expected = "one of " + ", ".join(repr(option) for option in options)
        raise ValueError(f"{name} must be {expected}, got {value!r}")
    return value


def check_flag(value: object, name: str) -> bool:
    """``value`` if it is a ``bool`` (numbers and strings are refused)."""
    if not isinstance(value, bool):
        raise ValueError(f"{name} must be true or false, got {value!r}")
    return value
