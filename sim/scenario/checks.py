"""The value checks scenario validation is built from: ranges, scalars, times,
distribution tables and contract clauses. Each failure raises one ``ScenarioError`` line
``"<source>: <key>: expected <what>, got <what>"``.

Every number a scenario holds has a documented range (``LIMITS``, and the table in
``docs/scenario-limits.md``), so that no value, however it is written, can make a run
overflow the calendar, the log's 53-bit integers or the machine's memory:

- dates lie in the calendar's years (``events.calendar``: 1000-9998);
- ``scenario.horizon`` is at most a century of months (``MONTHS_MAX``) or a million
  steps (``STEPS_MAX``), and every other time lies before it;
- durations (``negotiation.round``, review, ROFR window, verification delay) lie in
  the same bound; a round is at least ``ROUND_MIN``;
- rates and amounts have bounds of their own (``competitors.*.intensity`` <= 120 offers
  a year, amounts <= ``AMOUNT_BN_MAX``), and any integer in a scenario fits a log
  exactly (``|x| <= 2**53``).

``scenario.max_events`` bounds what a run may record; the engine stops a run that
goes over it and names the parameter that made it explode (``sim.engine.event_budget``).
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Mapping, Sequence
from typing import Any, Final, NoReturn

import attrs

from events.calendar import RANGE_TEXT, in_calendar, months_between
from events.clauses import Amendment, Clause, clause_from_data
from sim.scenario.distributions import DIST_KINDS, DIST_PARAMS, Distribution
from sim.scenario.errors import MISSING, ScenarioError, fail, number_text, show
from sim.scenario.schema import DEFAULT_MAX_EVENTS, Drawable

ISO_DATE: Final = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
NAME: Final = re.compile(r"^[A-Za-z0-9_-]+$")
NAME_TEXT: Final = 'a name of letters, digits, "_" or "-"'
FILE_STEM: Final = re.compile(r"[A-Za-z0-9._-]+")

MONTHS_MAX: Final = 1200.0  # a century
STEPS_MAX: Final = 1_000_000.0
ROUND_MIN: Final = 0.001  # a round of about 45 minutes, or a thousandth of a step
AMOUNT_BN_MAX: Final = 100_000.0  # USD 100 trillion
INTENSITY_MAX: Final = 120.0  # outside offers a year: one every three days
SAFE_INTEGER: Final = 2**53  # the largest integer a float (and so every JSON reader) holds
STEPS_N_MAX: Final = 1_000_000

MAX_EVENTS_LIMIT: Final = 10_000_000


# -- value ranges ------------------------------------------------------------------------


@attrs.frozen(slots=True)
class Range:
    """The valid values of a number: bounds (None = unbounded), each open or closed."""

    lo: float | None = None
    hi: float | None = None
    lo_open: bool = False
    hi_open: bool = False

    def __contains__(self, value: float) -> bool:
        if self.lo is not None and (value < self.lo or (self.lo_open and value == self.lo)):
            return False
        return not (
            self.hi is not None and (value > self.hi or (self.hi_open and value == self.hi))
        )

    @property
    def bounded(self) -> bool:
        return self.lo is not None and self.hi is not None

    def within(self, other: Range) -> Range:
        """The values in both ranges (the tighter bound on each side)."""
        lo, lo_open = self.lo, self.lo_open
        if other.lo is not None and (lo is None or other.lo > lo):
            lo, lo_open = other.lo, other.lo_open
        elif other.lo is not None and other.lo == lo:
            lo_open = lo_open or other.lo_open
        hi, hi_open = self.hi, self.hi_open
        if other.hi is not None and (hi is None or other.hi < hi):
            hi, hi_open = other.hi, other.hi_open
        elif other.hi is not None and other.hi == hi:
            hi_open = hi_open or other.hi_open
        return Range(lo, hi, lo_open, hi_open)

    def text(self) -> str:
        if self.lo is None and self.hi is None:
            return "a number"
        if self.hi is None:
            return f"a number {'>' if self.lo_open else '>='} {number_text(_req(self.lo))}"
        if self.lo is None:
            return f"a number {'<' if self.hi_open else '<='} {number_text(self.hi)}"
        return (
            f"a number in {'(' if self.lo_open else '['}{number_text(self.lo)}, "
            f"{number_text(self.hi)}{')' if self.hi_open else ']'}"
        )


def _req(value: float | None) -> float:
    assert value is not None
    return value


ANY: Final = Range()
FRACTION: Final = Range(0.0, 1.0)
NON_NEGATIVE: Final = Range(0.0)
POSITIVE: Final = Range(0.0, lo_open=True)
DISCOUNT: Final = Range(0.0, 1.0, lo_open=True)

# The documented range of each key (named tables as ``*``, array entries as ``[]``);
# "duration" keys are bounded by the time unit's maximum (see ``Checker.limit``).
LIMITS: Final[dict[str, Range]] = {
    "competitors.*.intensity": Range(0.0, INTENSITY_MAX),
    "rofr.max_match_bn": Range(0.0, AMOUNT_BN_MAX),
    "restructuring.funding_at_risk_bn": Range(0.0, AMOUNT_BN_MAX),
    "rofr.budget_bn": Range(0.0, AMOUNT_BN_MAX),
    "competitors.*.programme_bn": Range(0.0, AMOUNT_BN_MAX),
    "competitors.*.tranches[].value_bn": Range(0.0, AMOUNT_BN_MAX),
    "compute_need.revenue_bn": Range(0.0, AMOUNT_BN_MAX, lo_open=True),
    "compute_need.cap_bn": Range(0.0, AMOUNT_BN_MAX, lo_open=True),
    "compute_need.growth": Range(1.0, 10.0),
    "compute_need.per_revenue": Range(0.0, 100.0, lo_open=True),
    "alternatives.openai.funding_bn": Range(0.0, AMOUNT_BN_MAX),
    "alternatives.openai.funding_scale_bn": Range(0.0, AMOUNT_BN_MAX, lo_open=True),
    "outside_options.*.ramp_years": Range(0.0, 100.0, lo_open=True),
}
DURATIONS: Final = (
    "negotiation.round",
    "negotiation.reopen.cooldown",
    "parties.*.patience",
    "regulators.*.review_months",
    "regulators.*.complaint_delay",
    "rofr.window",
    "agi.verification_delay",
    "restructuring.reviewers.*.review_months",
    "outside_options.*.every",
)
_NAMED_TABLES: Final = ("parties", "regulators", "competitors", "outside_options")
_DIST_PARTS: Final = ("low", "high", "mode", "mean", "values[]")


def key_pattern(key: str) -> str:
    """``competitors.stargate.intensity.low`` -> ``competitors.*.intensity``: the key
    whose range applies (a distribution's bounds and values share their key's range)."""
    parts = re.sub(r"\[\d+\]", "[]", key).split(".")
    if parts[0] in _NAMED_TABLES and len(parts) > 1:
        parts[1] = "*"
    if parts[:2] == ["restructuring", "reviewers"] and len(parts) > 2:
        parts[2] = "*"
    if len(parts) > 1 and parts[-1] in _DIST_PARTS:
        parts.pop()
    return ".".join(parts)


def file_stem(name: str, what: str = "scenario.name") -> str:
    """``name`` if it is safe as (part of) a default file name; InputError otherwise.

    A name is not a path: ``../../x`` or ``/etc/x`` must not choose where a default
    output goes. Explicit ``--out``/``--store`` paths are the user's and unchecked.
    """
    if not FILE_STEM.fullmatch(name) or name in (".", ".."):
        raise fail(
            what,
            "",
            'a name of letters, digits, ".", "_" or "-" (not "." or "..") to name a '
            "default output file; or give the output path (--out, --store)",
            show(name),
        )
    return name


def join_key(key: str, name: str) -> str:
    return f"{key}.{name}" if key else name


def is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


# -- the checker -------------------------------------------------------------------------


class Checker:
    """Checks for the values of one raw document; errors name ``source`` and the key.

    Holds what later checks need: the domain, the time unit, the start date and the
    horizon (times are checked against them).
    """

    def __init__(self, source: str) -> None:
        self.source = source
        self.domain = "partnership"
        self.time_unit = "month"
        self.start = dt.date(2000, 1, 1)
        self.horizon = math.inf
        self.horizon_raw: object = MISSING
        self.opens = math.inf
        self.opens_raw: object = MISSING

    # -- documented ranges -----------------------------------------------------------------
    @property
    def unit_max(self) -> float:
        """The longest horizon or duration: a century of months, or STEPS_MAX steps."""
        return MONTHS_MAX if self.time_unit == "month" else STEPS_MAX

    def limit(self, key: str) -> Range | None:
        """The documented range of ``key`` (beyond what its type says), if it has one."""
        pattern = key_pattern(key)
        if pattern in DURATIONS:
            low = ROUND_MIN if pattern == "negotiation.round" else 0.0
            return Range(low, self.unit_max)
        return LIMITS.get(pattern)

    def limited(self, key: str, allowed: Range) -> Range:
        limit = self.limit(key)
        return allowed if limit is None else allowed.within(limit)

    def horizon_value(self, value: object) -> float:
        """``scenario.horizon``: after the start, within a century (or STEPS_MAX steps)."""
        key = "scenario.horizon"
        if isinstance(value, str) and ISO_DATE.match(value):
            value = self.date_value(value, key, self.time_text)
        self.horizon_raw = value
        horizon = self.time_value(value, key)
        if horizon <= 0:
            self.fail(key, f"a time after scenario.start ({self.start.isoformat()})", value)
        if horizon > self.unit_max:
            limit = (
                f"at most {MONTHS_MAX:g} months (a century) after scenario.start"
                if self.time_unit == "month"
                else f"at most {STEPS_MAX:g} steps"
            )
            self.fail(key, f"a time {limit}", value)
        self.horizon = horizon
        return horizon

    def max_events(self, table: Mapping[str, Any]) -> int:
        """``scenario.max_events``: the run's event budget."""
        if "max_events" not in table:
            return DEFAULT_MAX_EVENTS
        return self.integer(table, "scenario", "max_events", 1, MAX_EVENTS_LIMIT)

    def encodable(self, data: object, key: str = "") -> None:
        """Every integer in ``data`` fits a log exactly (orjson refuses > 64 bits, and
        JSON readers lose precision beyond 2**53)."""
        if isinstance(data, Mapping):
            for name, value in data.items():
                self.encodable(value, join_key(key, str(name)))
        elif isinstance(data, list | tuple):
            for index, value in enumerate(data):
                self.encodable(value, f"{key}[{index}]")
        elif isinstance(data, int) and not isinstance(data, bool) and abs(data) > SAFE_INTEGER:
            self.fail(key, "an integer within -2**53..2**53 (what a log can hold exactly)", data)

    # -- errors and scalars ----------------------------------------------------------------
    def fail(self, key: str, expected: str, got: object) -> NoReturn:
        raise fail(self.source, key, expected, show(got))

    def fail_text(self, key: str, expected: str, got: str) -> NoReturn:
        raise fail(self.source, key, expected, got)

    def table(self, value: object, key: str, allowed: Sequence[str]) -> dict[str, Any]:
        if not isinstance(value, Mapping):
            self.fail(key, "a table", value)
        unknown = sorted(set(value) - set(allowed))
        if unknown:
            where = f"a known key ({', '.join(sorted(allowed))})"
            self.fail(join_key(key, unknown[0]), where, unknown[0])
        return dict(value)

    def named_tables(self, value: object, key: str) -> dict[str, dict[str, Any]]:
        if value is MISSING:
            return {}
        if not isinstance(value, Mapping):
            self.fail(key, "a table of named tables", value)
        for name in sorted(value):
            if not NAME.match(name):
                self.fail(join_key(key, name), NAME_TEXT, name)
            if not isinstance(value[name], Mapping):
                self.fail(join_key(key, name), "a table", value[name])
        return {name: dict(value[name]) for name in sorted(value)}

    def string(
        self,
        table: Mapping[str, Any],
        key: str,
        name: str,
        default: object = MISSING,
        choices: Sequence[str] = (),
        *,
        nonempty: bool = False,
    ) -> str:
        value = table.get(name, MISSING)
        if value is MISSING and default is not MISSING:
            return str(default)
        if choices:
            if not isinstance(value, str) or value not in choices:
                self.fail(join_key(key, name), f"one of ({', '.join(choices)})", value)
        elif not isinstance(value, str) or (nonempty and not value):
            self.fail(join_key(key, name), "a non-empty string" if nonempty else "a string", value)
        return value

    def boolean(self, table: Mapping[str, Any], key: str, name: str, default: object) -> bool:
        value = table.get(name, MISSING)
        if value is MISSING and default is not MISSING:
            return bool(default)
        if not isinstance(value, bool):
            self.fail(join_key(key, name), "true or false", value)
        return value

    def number(
        self,
        table: Mapping[str, Any],
        key: str,
        name: str,
        allowed: Range,
        default: object = MISSING,
    ) -> float:
        value = table.get(name, MISSING)
        if value is MISSING and default is not MISSING:
            return float(default)  # type: ignore[arg-type]
        return self.number_value(value, join_key(key, name), allowed)

    def number_value(
        self, value: object, key: str, allowed: Range, type_text: str = "", range_text: str = ""
    ) -> float:
        limited = self.limited(key, allowed)
        if limited != allowed:
            type_text = type_text.replace(allowed.text(), limited.text())
            allowed = limited
        if not is_number(value) or not math.isfinite(value):  # type: ignore[arg-type]
            self.fail(key, type_text or range_text or allowed.text(), value)
        if value not in allowed:  # type: ignore[operator]
            self.fail(key, range_text or allowed.text(), value)
        return float(value)  # type: ignore[arg-type]

    def integer(
        self, table: Mapping[str, Any], key: str, name: str, minimum: int, maximum: int
    ) -> int:
        value = table.get(name, MISSING)
        if not isinstance(value, int) or isinstance(value, bool) or not minimum <= value <= maximum:
            self.fail(join_key(key, name), f"an integer in [{minimum}, {maximum}]", value)
        return value

    # -- times --------------------------------------------------------------------------------
    @property
    def time_text(self) -> str:
        if self.time_unit == "step":
            return "a number of steps since scenario.start"
        return "a date or a number of months since scenario.start"

    def date_value(self, value: object, key: str, expected: str) -> dt.date:
        if isinstance(value, str) and ISO_DATE.match(value):
            try:
                value = dt.date.fromisoformat(value)
            except ValueError:
                self.fail(key, "a valid date", value)
        if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
            if not in_calendar(value):
                self.fail(key, RANGE_TEXT, value)
            return value
        self.fail(key, expected, value)

    def time_value(self, value: object, key: str) -> float:
        """A time (date, ISO string or number of units) without a range check."""
        if isinstance(value, str | dt.date) and self.time_unit == "month":
            return months_between(self.start, self.date_value(value, key, self.time_text))
        if not is_number(value) or not math.isfinite(value):  # type: ignore[arg-type]
            self.fail(key, self.time_text, value)
        return float(value)  # type: ignore[arg-type]

    def check_time(self, t: float, key: str, raw: object) -> float:
        if t < 0:
            self.fail(key, f"a time on or after scenario.start ({self.start.isoformat()})", raw)
        if t >= self.horizon:
            self.fail(key, f"a time before scenario.horizon ({show(self.horizon_raw)})", raw)
        return t

    def time(
        self, table: Mapping[str, Any], key: str, name: str, default: object = MISSING
    ) -> float:
        value = table.get(name, MISSING)
        if value is MISSING and default is not MISSING:
            return float(default)  # type: ignore[arg-type]
        key = join_key(key, name)
        return self.check_time(self.time_value(value, key), key, value)

    # -- distributions ------------------------------------------------------------------------
    def drawable(
        self,
        table: Mapping[str, Any],
        key: str,
        name: str,
        allowed: Range | None,
        default: object = MISSING,
    ) -> Drawable:
        """A number (or a time, when ``allowed`` is None) or a distribution table."""
        value = table.get(name, MISSING)
        if value is MISSING and default is not MISSING:
            return float(default)  # type: ignore[arg-type]
        key = join_key(key, name)
        if isinstance(value, Mapping):
            return self.distribution(value, key, allowed)
        if allowed is not None:
            allowed = self.limited(key, allowed)
        if allowed is None:
            if value is MISSING or not isinstance(value, str | dt.date | int | float):
                self.fail(key, f"{self.time_text}, or a distribution table", value)
            return self.check_time(self.time_value(value, key), key, value)
        return self.number_value(
            value, key, allowed, type_text=f"{allowed.text()} or a distribution table"
        )

    def distribution(
        self,
        table: Mapping[str, Any],
        key: str,
        allowed: Range | None,
        *,
        keep_int: bool = False,
    ) -> Distribution:
        """A distribution table; ``allowed`` None means a time key (dates allowed).

        A normal distribution needs the clip bounds its key's type needs (``low`` for a
        number >= 0, both for a fraction); a bound it may leave out is the key's
        documented limit (``LIMITS``), so no draw can fall outside that either.
        """
        typed = allowed
        if allowed is not None:
            allowed = self.limited(key, allowed)
        kind = table.get("dist", MISSING)
        if not isinstance(kind, str) or kind not in DIST_KINDS:
            self.fail(join_key(key, "dist"), f"one of ({', '.join(DIST_KINDS)})", kind)
        required, optional = DIST_PARAMS[kind]
        table = self.table(table, key, ("dist", *required, *optional))

        def bound(name: str) -> float:
            return _req(self.dist_bound(table, key, allowed, name))

        if kind == "uniform":
            low, high = bound("low"), bound("high")
            if low > high:
                self.fail_text(key, "low <= high", _order(table, "low", "high"))
            return Distribution("uniform", low=low, high=high)
        if kind == "triangular":
            low, mode, high = bound("low"), bound("mode"), bound("high")
            if not low <= mode <= high:
                self.fail_text(key, "low <= mode <= high", _order(table, "low", "mode", "high"))
            return Distribution("triangular", low=low, mode=mode, high=high)
        if kind == "normal":
            return self.normal_distribution(table, key, allowed, typed)
        return self.choice_distribution(table, key, allowed, keep_int=keep_int)

    def dist_bound(
        self,
        table: Mapping[str, Any],
        key: str,
        allowed: Range | None,
        name: str,
        *,
        needed: bool = True,
    ) -> float | None:
        """A distribution parameter that is also a possible value (checked against the
        key's range); None for one not ``needed`` and not given."""
        value = table.get(name, MISSING)
        if value is MISSING and not needed:
            return None
        return self.support_value(value, join_key(key, name), allowed)

    def normal_distribution(
        self, table: Mapping[str, Any], key: str, allowed: Range | None, typed: Range | None
    ) -> Distribution:
        """A normal distribution, clipped: a key with a bounded range needs the clip
        bounds (or a draw could fall outside); a bound left out is the key's limit."""
        mean_raw = table.get("mean", MISSING)
        if allowed is None:
            mean = self.time_value(mean_raw, join_key(key, "mean"))
        else:
            mean = self.number_value(mean_raw, join_key(key, "mean"), ANY)
        sd = self.number(table, key, "sd", NON_NEGATIVE)
        bounded = typed is None or typed.bounded

        def clip(name: str, side_limit: float | None) -> float | None:
            # Needed where the key's range is bounded, or bounded on this side.
            needed = bounded or side_limit is not None
            return self.dist_bound(table, key, allowed, name, needed=needed)

        clip_low = clip("low", typed.lo if typed is not None else None)
        clip_high = clip("high", typed.hi if typed is not None else None)
        if allowed is not None and clip_low is None:
            clip_low = allowed.lo
        if allowed is not None and clip_high is None:
            clip_high = allowed.hi
        if clip_low is not None and clip_high is not None and clip_low > clip_high:
            self.fail_text(key, "low <= high", _order(table, "low", "high"))
        return Distribution("normal", low=clip_low, high=clip_high, mean=mean, sd=sd)

    def choice_distribution(
        self, table: Mapping[str, Any], key: str, allowed: Range | None, *, keep_int: bool
    ) -> Distribution:
        """A choice among values (each a possible value of the key), with optional
        weights: as many as values, each >= 0, with a positive sum."""
        values_raw = table.get("values", MISSING)
        if not isinstance(values_raw, list) or not values_raw:
            what = "dates or numbers" if allowed is None else "numbers"
            self.fail(join_key(key, "values"), f"a non-empty array of {what}", values_raw)
        values: list[int | float] = []
        for index, item in enumerate(values_raw):
            value = self.support_value(item, f"{key}.values[{index}]", allowed)
            values.append(item if keep_int and isinstance(item, int) and is_number(item) else value)
        weights_raw = table.get("weights", MISSING)
        weights: tuple[float, ...] | None = None
        if weights_raw is not MISSING:
            expected = f"an array of {len(values)} numbers >= 0"
            if (
                not isinstance(weights_raw, list)
                or len(weights_raw) != len(values)
                or not all(is_number(w) and math.isfinite(w) and w >= 0 for w in weights_raw)
            ):
                self.fail(join_key(key, "weights"), expected, weights_raw)
            if sum(weights_raw) <= 0:
                self.fail(join_key(key, "weights"), "weights with a positive sum", weights_raw)
            weights = tuple(float(w) for w in weights_raw)
        return Distribution("choice", values=tuple(values), weights=weights)

    def support_value(self, value: object, key: str, allowed: Range | None) -> float:
        if allowed is None:
            return self.check_time(self.time_value(value, key), key, value)
        return self.number_value(value, key, allowed)

    # -- clauses ------------------------------------------------------------------------------
    def clause(self, value: object, key: str) -> Clause:
        """One clause (a table with ``kind`` and its parameters)."""
        try:
            return clause_from_data(_plain(value), key)
        except ValueError as exc:
            raise ScenarioError(f"{self.source}: {exc}", source=self.source, key=key) from None

    def clauses(self, value: object, key: str) -> tuple[Clause, ...]:
        if not isinstance(value, list):
            self.fail(key, "an array of clause tables", value)
        return tuple(self.clause(item, f"{key}[{index}]") for index, item in enumerate(value))

    def amendment(self, value: object, key: str) -> Amendment:
        """A change to clauses: ``remove`` (right names), ``add`` (clauses), ``term_end``."""
        try:
            return Amendment.from_data(_plain(value), key)
        except ValueError as exc:
            raise ScenarioError(f"{self.source}: {exc}", source=self.source, key=key) from None


def _plain(value: object) -> object:
    """TOML dates inside a clause table become ISO text, as clauses expect them."""
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_plain(item) for item in value]
    return value


def _order(table: Mapping[str, Any], *names: str) -> str:
    return ", ".join(f"{name} = {show(table[name])}" for name in names)
