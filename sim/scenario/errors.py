"""The one error a scenario problem raises, and how values are shown in it.

Every message is one line: ``"<source>: <dotted.key>: expected <what>, got <what>"``,
where source is the file path as given, ``builtin:<name>``, ``<data>`` (a scenario
rebuilt from a log), or ``--set <key>`` for a bad override.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from typing import Final

from events.errors import InputError


class _Missing:
    """The value of a key that is absent (shown as "nothing")."""

    _instance: _Missing | None = None

    def __new__(cls) -> _Missing:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "MISSING"

    def __bool__(self) -> bool:
        return False


MISSING: Final = _Missing()

_MAX_SHOWN = 80


class ScenarioError(InputError):
    """A scenario file, override or data dict is invalid. One line; exit code 2.

    ``source`` and ``key`` are the first two parts of the message (``key`` is empty
    for problems that are about the whole file, e.g. a TOML syntax error).
    """

    def __init__(self, message: str, *, source: str = "", key: str = "") -> None:
        super().__init__(" ".join(message.split()))
        self.source = source
        self.key = key


def fail(source: str, key: str, expected: str, got: str) -> ScenarioError:
    """Build (not raise) the standard error: ``raise fail(...)``."""
    where = f"{source}: {key}: " if key else f"{source}: "
    return ScenarioError(f"{where}expected {expected}, got {got}", source=source, key=key)


def show(value: object) -> str:
    """A value as a user wrote it in TOML: ``"text"``, ``true``, ``2019-01-01``, ``[1, 2]``."""
    if value is MISSING:
        return "nothing"
    text = _show(value)
    return text if len(text) <= _MAX_SHOWN else text[: _MAX_SHOWN - 3] + "..."


def _show(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        return repr(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_show(item) for item in value) + "]"
    if isinstance(value, dict):
        return "a table"
    return repr(value)


def number_text(value: float) -> str:
    """A bound as people write it: ``0`` and ``1`` rather than ``0.0`` and ``1.0``."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return repr(value) if isinstance(value, float) else str(value)
