"""Boundary converters: check a caller's value once, where it enters, and name the parameter.

Python's ``bool`` is an ``int`` (``True + True == 2``), so "an integer" at a boundary
means "an ``int`` that is not a ``bool``"; these helpers say it once for every package
(``events``, ``agents`` and ``sim`` all import them). Errors name the *parameter*
(``workers: expected a positive integer, got 0``); the CLI maps parameter names to its
flags (``--workers: ...``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeGuard

from events.errors import InputError


def is_int(value: object) -> TypeGuard[int]:
    """An ``int`` that is not a ``bool``."""
    return isinstance(value, int) and not isinstance(value, bool)


def is_number(value: object) -> TypeGuard[int | float]:
    """An ``int`` or ``float`` that is not a ``bool``."""
    return isinstance(value, int | float) and not isinstance(value, bool)


def _wanted(minimum: int) -> str:
    if minimum == 1:
        return "a positive integer"
    if minimum == 0:
        return "a non-negative integer"
    return f"an integer >= {minimum}"


def check_int(
    value: Any, name: str, minimum: int | None = None, error: type[Exception] = InputError
) -> int:
    """``value`` if it is an integer (not a bool) of at least ``minimum``; else ``error``
    with the message ``"NAME: expected ..., got VALUE"``."""
    if not is_int(value) or (minimum is not None and value < minimum):
        wanted = "an integer" if minimum is None else _wanted(minimum)
        raise error(f"{name}: expected {wanted}, got {value!r}")
    return value


def positive_int(name: str) -> Callable[[Any], int]:
    """An attrs converter: :func:`check_int` with ``minimum=1``."""
    return lambda value: check_int(value, name, 1)


def optional_positive_int(name: str) -> Callable[[Any], int | None]:
    """An attrs converter: ``None``, or :func:`check_int` with ``minimum=1``."""
    return lambda value: None if value is None else check_int(value, name, 1)


__all__ = ["check_int", "is_int", "is_number", "optional_positive_int", "positive_int"]
