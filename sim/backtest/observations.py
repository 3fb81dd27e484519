"""An observations file: what was seen in the world, to score a scenario against.

TOML, one ``[[observed]]`` table per observation::

    [[observed]]
    name = "deal by mid-2025"              # a label
    quantity = "first:ContractSigned@2025-01-01"
    value = 2025-06-15                     # a number, a date, a string or a boolean
    tolerance = 30                         # optional: numbers (their units), dates (days)

    [[observed]]
    name = "price"
    quantity = "terms_price"
    value = 14
    values = [14, 16]                      # optional: accepted values (a category)

A run *matches* an observation when its quantity equals ``value``, lies within
``tolerance`` of it, or is one of ``values``. An observation is a *number* (a number
value without ``values``), a *date* (a date value), or a *category* (a string or a
boolean, or any value with ``values``). Errors name the file, the entry and the key.
"""

from __future__ import annotations

import datetime as dt
import math
import os
import tomllib
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Final

import attrs

from events.errors import InputError
from sim.backtest.quantities import Quantity, QuantityError, parse_quantity

NUMBER: Final = "number"
DATE: Final = "date"
CATEGORY: Final = "category"
KEYS: Final = ("name", "quantity", "value", "tolerance", "values")

Value = bool | int | float | str | dt.date


@attrs.frozen(slots=True)
class Observation:
    """One observed fact: a labelled quantity, its observed value and how close counts."""

    name: str
    quantity: Quantity
    value: Value
    kind: str  # NUMBER | DATE | CATEGORY
    tolerance: float = 0.0
    values: tuple[Value, ...] = ()

    # ------------------------------------------------------------------ run values

    def numeric(self, run_value: Any) -> float | None:
        """A run's value on this observation's number line (dates: days), or None."""
        if run_value is None:
            return None
        if self.kind == DATE:
            return float(as_date(run_value, self).toordinal())
        if isinstance(run_value, bool):
            return float(run_value)
        if isinstance(run_value, int | float):
            return None if math.isnan(run_value) else float(run_value)
        raise QuantityError(
            f"{self.quantity.text}: a run gave {run_value!r}, not a number like the observed "
            f"value {self.value!r}"
        )

    @property
    def observed_numeric(self) -> float:
        """The observed value on the number line (numbers and dates only)."""
        if self.kind == DATE:
            assert isinstance(self.value, dt.date)
            return float(self.value.toordinal())
        return float(self.value)  # type: ignore[arg-type]

    def category(self, run_value: Any) -> Any:
        """A value as a category comparable with the observed one (None kept): numbers
        as floats, 0/1 as booleans when the observation is a boolean, ISO text as dates
        when it is a date."""
        if run_value is None:
            return None
        if isinstance(self.value, bool) and isinstance(run_value, int | float):
            return bool(run_value)
        if isinstance(self.value, dt.date) and not isinstance(run_value, bool | int | float):
            return as_date(run_value, self)
        if isinstance(run_value, int | float) and not isinstance(run_value, bool):
            return float(run_value)
        return run_value

    def check(self, run_value: Any) -> None:
        """QuantityError if a run's value cannot be compared with the observed one."""
        if self.kind == CATEGORY:
            self.category(run_value)
        else:
            self.numeric(run_value)

    def matches(self, run_value: Any) -> bool:
        """Whether a run with this value matches the observation (None never does)."""
        if run_value is None:
            return False
        if self.kind == CATEGORY:
            got = self.category(run_value)
            accepted = (self.value, *self.values)
            return any(_same(got, self.category(v)) for v in accepted)
        x = self.numeric(run_value)
        return x is not None and abs(x - self.observed_numeric) <= self.tolerance + 1e-9


def _same(a: Any, b: Any) -> bool:
    if type(a) is not type(b):
        return False
    if isinstance(a, float):
        return bool(abs(a - b) <= 1e-9)
    return bool(a == b)


def as_date(value: Any, observation: Observation) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            pass
    raise QuantityError(
        f"{observation.quantity.text}: a run gave {value!r}, not a date like the observed "
        f"value {label(observation.value)}"
    )


def label(value: Any) -> str:
    """A category value as shown in tables and JSON: ``true``, ``none``, ``14``..."""
    if value is None:
        return "none"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


# ---------------------------------------------------------------------- reading a file


def load_observations(path: str | os.PathLike[str]) -> tuple[Observation, ...]:
    """Read and check an observations file; one-line :class:`InputError` on any problem."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError(f"{path}: no such observations file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: cannot read the observations file ({exc})") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"{path}: not valid TOML ({exc})") from None
    return observations_from_data(data, source=str(path))


def observations_from_data(
    data: Mapping[str, Any], *, source: str = "<observations>"
) -> tuple[Observation, ...]:
    """Check observation tables (as ``tomllib`` reads them) and build the values."""
    extra = sorted(set(data) - {"observed"})
    if extra:
        raise InputError(f"{source}: unknown top-level key {extra[0]!r}; expected [[observed]]")
    entries = data.get("observed")
    if not isinstance(entries, list) or not entries:
        raise InputError(f"{source}: expected at least one [[observed]] table")
    out: list[Observation] = []
    names: set[str] = set()
    for index, entry in enumerate(entries):
        where = f"{source}: observed[{index}]"
        if not isinstance(entry, Mapping):
            raise InputError(f"{where}: expected a table")
        observation = _entry(entry, where)
        if observation.name in names:
            raise InputError(f"{where}: key 'name': {observation.name!r} is used twice")
        names.add(observation.name)
        out.append(observation)
    return tuple(out)


def _entry(entry: Mapping[str, Any], where: str) -> Observation:
    unknown = sorted(set(entry) - set(KEYS))
    if unknown:
        raise InputError(f"{where}: unknown key {unknown[0]!r}; expected one of {', '.join(KEYS)}")
    if "name" not in entry:
        raise InputError(f"{where}: missing key 'name'")
    name = entry["name"]
    if not isinstance(name, str) or not name.strip():
        raise InputError(f"{where}: key 'name': expected a non-empty string, got {name!r}")
    where = f"{where} ({name})"
    for key in ("quantity", "value"):
        if key not in entry:
            raise InputError(f"{where}: missing key {key!r}")
    try:
        quantity = parse_quantity(entry["quantity"])
    except QuantityError as exc:
        raise InputError(f"{where}: key 'quantity': {exc}") from None
    value = _value(entry["value"], where, "value")
    values: tuple[Value, ...] = ()
    if "values" in entry:
        raw = entry["values"]
        if not isinstance(raw, list) or not raw:
            raise InputError(f"{where}: key 'values': expected a non-empty list of values")
        values = tuple(_value(v, where, "values") for v in raw)
    if values or isinstance(value, bool | str):
        kind = CATEGORY
    elif isinstance(value, dt.date):
        kind = DATE
    else:
        kind = NUMBER
    tolerance = 0.0
    if "tolerance" in entry:
        raw = entry["tolerance"]
        if kind == CATEGORY:
            raise InputError(
                f"{where}: key 'tolerance': only numbers and dates take a tolerance "
                "(list accepted categories in 'values')"
            )
        if isinstance(raw, bool) or not isinstance(raw, int | float) or not raw >= 0:
            raise InputError(f"{where}: key 'tolerance': expected a number >= 0, got {raw!r}")
        if math.isinf(raw):
            raise InputError(f"{where}: key 'tolerance': expected a finite number, got {raw!r}")
        tolerance = float(raw)
    return Observation(name.strip(), quantity, value, kind, tolerance, values)


def _value(raw: Any, where: str, key: str) -> Value:
    if isinstance(raw, dt.datetime | dt.time):
        raise InputError(f"{where}: key {key!r}: expected a date YYYY-MM-DD, not a time")
    if isinstance(raw, bool | int | str | dt.date):
        return raw
    if isinstance(raw, float):
        if not math.isfinite(raw):
            raise InputError(f"{where}: key {key!r}: expected a finite number, got {raw!r}")
        return raw
    raise InputError(
        f"{where}: key {key!r}: expected a number, a date, a string or a boolean, "
        f"got {type(raw).__name__}"
    )


def check_against(observations: Sequence[Observation], columns: Sequence[str], source: str) -> None:
    """Refuse summary-column quantities the scenario's runs do not have."""
    for index, observation in enumerate(observations):
        quantity = observation.quantity
        if quantity.kind == "summary" and quantity.target not in columns:
            known = ", ".join(columns)
            raise InputError(
                f"{source}: observed[{index}] ({observation.name}): key 'quantity': no summary "
                f"column {quantity.target!r} (columns: {known})"
            )
