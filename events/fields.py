"""Typed event fields: the validators every event class uses, and the keyword codec
derived from attrs fields.

``verify`` means "replay will work": decoding an event runs these checks, so a log
whose ``data`` holds a string where a number belongs, a time of 1e308 or an unknown
key fails verification with a message naming the field, instead of crashing a later
``replay`` or ``plot``.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any, Final

import attrs

MAX_TIME: Final = 12 * 8000.0  # months: comfortably inside the calendar's years
MAX_SEQ: Final = 2**53


def text(_: object, attribute: attrs.Attribute[Any], value: object) -> None:
    """A string without NUL characters (a line's length is capped by the reader)."""
    if type(value) is not str or "\x00" in value:
        raise ValueError(f"{attribute.name} must be a string, got {_show(value)}")


def optional_text(_: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if value is not None:
        text(_, attribute, value)


def count(_: object, attribute: attrs.Attribute[Any], value: object) -> None:
    """An integer >= 0 (never a bool)."""
    if type(value) is not int or not 0 <= value <= MAX_SEQ:
        raise ValueError(f"{attribute.name} must be an integer >= 0, got {_show(value)}")


def optional_count(_: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if value is not None:
        count(_, attribute, value)


def flag(_: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if type(value) is not bool:
        raise ValueError(f"{attribute.name} must be true or false, got {_show(value)}")


def mapping(_: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if type(value) is not dict:
        raise ValueError(f"{attribute.name} must be an object, got {_show(value)}")


def member(choices: tuple[str, ...]) -> Any:
    def check(_: object, attribute: attrs.Attribute[Any], value: object) -> None:
        if value not in choices or type(value) is not str:
            raise ValueError(
                f"{attribute.name} must be one of {', '.join(choices)}, got {_show(value)}"
            )

    check.choices = choices  # type: ignore[attr-defined]  # read by events.typed_lines
    return check


def iso_date(_: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if type(value) is not str:
        raise ValueError(f"{attribute.name} must be a date YYYY-MM-DD, got {_show(value)}")
    try:
        date = dt.date.fromisoformat(value)
    except ValueError:
        raise ValueError(
            f"{attribute.name} must be a date YYYY-MM-DD, got {_show(value)}"
        ) from None
    if not 1 <= date.year <= 9000 or len(value) != 10:
        raise ValueError(f"{attribute.name} must be a date YYYY-MM-DD, got {_show(value)}")


def amount(value: object) -> float:
    """Converter: a finite number >= 0 (USD bn), as float."""
    number = finite(value)
    if number < 0:
        raise ValueError(f"expected a number >= 0, got {_show(value)}")
    return number


def finite(value: object) -> float:
    """Converter: a finite number as float (never a bool or a string)."""
    if type(value) not in (int, float):
        raise ValueError(f"expected a number, got {_show(value)}")
    number = float(value)  # type: ignore[arg-type]
    if not math.isfinite(number):
        raise ValueError(f"expected a finite number, got {_show(value)}")
    return number


def sim_time(value: object) -> float:
    """Converter: a simulated time within the calendar's range (months)."""
    number = finite(value)
    if not -MAX_TIME <= number <= MAX_TIME:
        raise ValueError(f"expected a time within +-{MAX_TIME:g}, got {_show(value)}")
    return number


def optional_sim_time(value: object) -> float | None:
    """Converter: None, or a simulated time (see ``sim_time``)."""
    return None if value is None else sim_time(value)


def names(value: object) -> tuple[str, ...]:
    """Converter: a list of non-empty strings, as a tuple."""
    if not isinstance(value, list | tuple) or not all(
        type(item) is str and item and "\x00" not in item for item in value
    ):
        raise ValueError(f"expected a list of names, got {_show(value)}")
    return tuple(value)


def _show(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def field_names(cls: type) -> tuple[str, ...]:
    return tuple(field.name for field in attrs.fields(cls) if not field.name.startswith("_"))


def from_keywords(cls: type, data: object) -> Any:
    """Build ``cls`` from its data form by keyword: every key must be a field, and every
    field without a default must be there. Wrong types raise ValueError via the
    fields' own converters and validators."""
    if type(data) is not dict:
        raise ValueError(f"data must be an object, got {_show(data)}")
    known = cls._FIELD_SET  # type: ignore[attr-defined]
    for key in data:
        if key not in known:
            raise ValueError(f"unknown field {key!r} (expected {', '.join(sorted(known))})")
    try:
        return cls(**data)
    except TypeError as exc:
        raise ValueError(f"missing or bad field: {exc}") from None


__all__ = [
    "amount",
    "count",
    "field_names",
    "finite",
    "flag",
    "from_keywords",
    "iso_date",
    "mapping",
    "member",
    "names",
    "optional_count",
    "optional_text",
    "sim_time",
    "text",
]
