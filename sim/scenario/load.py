"""Scenario files (TOML) -> validated :class:`~sim.scenario.schema.Scenario` objects.

Validation stops at the first problem and raises :class:`ScenarioError` with one line,
``"<source>: <dotted.key>: expected <what>, got <what>"``. Tables are checked in a
fixed order (scenario, negotiation, prelude, parties, regulators, competitors, rofr,
agi; keys of named tables sorted), so the same file always reports the same problem.
"""

from __future__ import annotations

import datetime as dt
import math
import os
import re
import tomllib
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Final, NoReturn

import attrs

from agents.strategies import STRATEGY_NAMES
from events.calendar import months_between
from events.terms import CLOUD_ARRANGEMENTS, IP_SCOPES, TERMS_FIELDS, IssueValue, Terms, TermsPatch
from sim.scenario.builtins import BUILTINS, builtin_text
from sim.scenario.distributions import DIST_KINDS, DIST_PARAMS, Distribution
from sim.scenario.errors import MISSING, ScenarioError, fail, number_text, show
from sim.scenario.overrides import apply_overrides, apply_set_values
from sim.scenario.schema import (
    AGI_KEYS,
    COMPETITOR_KEYS,
    COMPETITOR_KINDS,
    DOMAINS,
    ISSUE_KEYS,
    LAPSABLE_RIGHTS,
    LAPSE_ON,
    NEGOTIATION_KEYS,
    PARTNERSHIP_PARTIES,
    PARTY_KEYS,
    PRELUDE_KEYS,
    PROTOCOLS,
    REGULATOR_KEYS,
    ROFR_KEYS,
    SCENARIO_KEYS,
    TIME_UNITS,
    TOP_KEYS,
    AgiSpec,
    CompetitorSpec,
    Drawable,
    IssueSpec,
    NegotiationSpec,
    ParamValue,
    PartySpec,
    PreludeEntry,
    RegulatorSpec,
    RofrSpec,
    Scenario,
    value_key,
)

WEIGHT_TOLERANCE: Final = 1e-6

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_NAME = re.compile(r"^[A-Za-z0-9_-]+$")
_NAME_TEXT = 'a name of letters, digits, "_" or "-"'
_GENERIC = '(domain is "generic")'


def load_scenario(
    name_or_path: str | os.PathLike[str] = "msft-openai",
    overrides: Sequence[str] = (),
    *,
    set_values: Mapping[str, object] | None = None,
) -> Scenario:
    """Load a built-in scenario by name, or a TOML file by path, and validate it.

    ``overrides`` are ``"KEY=VALUE"`` strings (as ``negsim run --set``), then
    ``set_values`` ``{dotted_key: value}``; both are applied before validation.
    """
    text, source = read_scenario_text(name_or_path)
    raw = parse_toml(text, source)
    raw = apply_overrides(raw, overrides)
    if set_values:
        raw = apply_set_values(raw, set_values)
    return scenario_from_raw(raw, source=source)


def read_scenario_text(name_or_path: str | os.PathLike[str]) -> tuple[str, str]:
    """``(toml_text, source)``: a built-in (source ``builtin:<name>``) or a file."""
    if isinstance(name_or_path, str) and name_or_path in BUILTINS:
        return builtin_text(name_or_path), f"builtin:{name_or_path}"
    source = os.fspath(name_or_path)
    try:
        data = Path(source).read_bytes()
    except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
        raise ScenarioError(
            f"{source}: no such scenario file or built-in scenario "
            f"(built-ins: {', '.join(BUILTINS)})",
            source=source,
        ) from None
    except OSError as exc:
        raise fail(source, "", "a readable file", exc.strerror or type(exc).__name__) from None
    try:
        return data.decode("utf-8"), source
    except UnicodeDecodeError as exc:
        raise fail(source, "", "UTF-8 text", f"an undecodable byte at offset {exc.start}") from None


def parse_toml(text: str, source: str) -> dict[str, Any]:
    """Parse TOML text; a syntax error names the line tomllib reports."""
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        line = re.search(r"at line (\d+)", message)
        where = f"line {line.group(1)}" if line else ""
        raise fail(source, where, "valid TOML", message[:1].lower() + message[1:]) from None


def scenario_from_raw(raw: Mapping[str, Any], *, source: str) -> Scenario:
    """Validate a parsed TOML document (or ``Scenario.to_data()`` output)."""
    return _Loader(source).scenario(raw)


# -- value ranges ------------------------------------------------------------------------


@attrs.frozen(slots=True)
class _Range:
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


ANY: Final = _Range()
FRACTION: Final = _Range(0.0, 1.0)
NON_NEGATIVE: Final = _Range(0.0)
POSITIVE: Final = _Range(0.0, lo_open=True)
DISCOUNT: Final = _Range(0.0, 1.0, lo_open=True)

_TERM_TEXT: Final = {
    "term_end": "an integer year",
    "post_agi_access": "true or false",
    "ip_scope": f"one of ({', '.join(IP_SCOPES)})",
    "cloud": f"one of ({', '.join(CLOUD_ARRANGEMENTS)})",
}


def _join(key: str, name: str) -> str:
    return f"{key}.{name}" if key else name


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _kind(value: object) -> str:
    if isinstance(value, bool):
        return "boolean"
    return "string" if isinstance(value, str) else "number"


# -- the loader --------------------------------------------------------------------------


class _Loader:
    """One validation pass over one raw document (holds the start date and horizon)."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.domain = "partnership"
        self.time_unit = "month"
        self.start = dt.date(2000, 1, 1)
        self.horizon = math.inf
        self.horizon_raw: object = MISSING
        self.opens_raw: object = MISSING

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
            self.fail(_join(key, unknown[0]), where, unknown[0])
        return dict(value)

    def named_tables(self, value: object, key: str) -> dict[str, dict[str, Any]]:
        if value is MISSING:
            return {}
        if not isinstance(value, Mapping):
            self.fail(key, "a table of named tables", value)
        for name in sorted(value):
            if not _NAME.match(name):
                self.fail(_join(key, name), _NAME_TEXT, name)
            if not isinstance(value[name], Mapping):
                self.fail(_join(key, name), "a table", value[name])
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
                self.fail(_join(key, name), f"one of ({', '.join(choices)})", value)
        elif not isinstance(value, str) or (nonempty and not value):
            self.fail(_join(key, name), "a non-empty string" if nonempty else "a string", value)
        return value

    def boolean(self, table: Mapping[str, Any], key: str, name: str, default: object) -> bool:
        value = table.get(name, MISSING)
        if value is MISSING and default is not MISSING:
            return bool(default)
        if not isinstance(value, bool):
            self.fail(_join(key, name), "true or false", value)
        return value

    def number(
        self,
        table: Mapping[str, Any],
        key: str,
        name: str,
        allowed: _Range,
        default: object = MISSING,
    ) -> float:
        value = table.get(name, MISSING)
        if value is MISSING and default is not MISSING:
            return float(default)  # type: ignore[arg-type]
        return self.number_value(value, _join(key, name), allowed)

    def number_value(
        self, value: object, key: str, allowed: _Range, type_text: str = "", range_text: str = ""
    ) -> float:
        if not _is_number(value) or not math.isfinite(value):  # type: ignore[arg-type]
            self.fail(key, type_text or range_text or allowed.text(), value)
        if value not in allowed:  # type: ignore[operator]
            self.fail(key, range_text or allowed.text(), value)
        return float(value)  # type: ignore[arg-type]

    def integer(self, table: Mapping[str, Any], key: str, name: str, minimum: int) -> int | None:
        value = table.get(name, MISSING)
        if not isinstance(value, int) or isinstance(value, bool) or value < minimum:
            self.fail(_join(key, name), f"an integer >= {minimum}", value)
        return value

    # -- times --------------------------------------------------------------------------------
    @property
    def time_text(self) -> str:
        if self.time_unit == "step":
            return "a number of steps since scenario.start"
        return "a date or a number of months since scenario.start"

    def date_value(self, value: object, key: str, expected: str) -> dt.date:
        if isinstance(value, str) and _ISO_DATE.match(value):
            try:
                return dt.date.fromisoformat(value)
            except ValueError:
                self.fail(key, "a valid date", value)
        if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
            return value
        self.fail(key, expected, value)

    def time_value(self, value: object, key: str) -> float:
        """A time (date, ISO string or number of units) without a range check."""
        if isinstance(value, str | dt.date) and self.time_unit == "month":
            return months_between(self.start, self.date_value(value, key, self.time_text))
        if not _is_number(value) or not math.isfinite(value):  # type: ignore[arg-type]
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
        key = _join(key, name)
        return self.check_time(self.time_value(value, key), key, value)

    # -- distributions ------------------------------------------------------------------------
    def drawable(
        self,
        table: Mapping[str, Any],
        key: str,
        name: str,
        allowed: _Range | None,
        default: object = MISSING,
    ) -> Drawable:
        """A number (or a time, when ``allowed`` is None) or a distribution table."""
        value = table.get(name, MISSING)
        if value is MISSING and default is not MISSING:
            return float(default)  # type: ignore[arg-type]
        key = _join(key, name)
        if isinstance(value, Mapping):
            return self.distribution(value, key, allowed)
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
        allowed: _Range | None,
        *,
        keep_int: bool = False,
    ) -> Distribution:
        """A distribution table; ``allowed`` None means a time key (dates allowed)."""
        kind = table.get("dist", MISSING)
        if not isinstance(kind, str) or kind not in DIST_KINDS:
            self.fail(_join(key, "dist"), f"one of ({', '.join(DIST_KINDS)})", kind)
        required, optional = DIST_PARAMS[kind]
        table = self.table(table, key, ("dist", *required, *optional))

        def bound(name: str, *, needed: bool = True) -> float | None:
            """A parameter that is also a possible value (checked against the key's range)."""
            value = table.get(name, MISSING)
            if value is MISSING and not needed:
                return None
            return self.support_value(value, _join(key, name), allowed)

        if kind == "uniform":
            low, high = _req(bound("low")), _req(bound("high"))
            if low > high:
                self.fail_text(key, "low <= high", _order(table, "low", "high"))
            return Distribution("uniform", low=low, high=high)
        if kind == "triangular":
            low, mode, high = _req(bound("low")), _req(bound("mode")), _req(bound("high"))
            if not low <= mode <= high:
                self.fail_text(key, "low <= mode <= high", _order(table, "low", "mode", "high"))
            return Distribution("triangular", low=low, mode=mode, high=high)
        if kind == "normal":
            mean_raw = table.get("mean", MISSING)
            if allowed is None:
                mean = self.time_value(mean_raw, _join(key, "mean"))
            else:
                mean = self.number_value(mean_raw, _join(key, "mean"), ANY)
            sd = self.number(table, key, "sd", NON_NEGATIVE)
            # A key with a bounded range needs the clip bounds, or a draw could fall outside.
            bounded = allowed is None or allowed.bounded
            low = bound("low", needed=bounded or (allowed is not None and allowed.lo is not None))
            high = bound("high", needed=bounded or (allowed is not None and allowed.hi is not None))
            if low is not None and high is not None and low > high:
                self.fail_text(key, "low <= high", _order(table, "low", "high"))
            return Distribution("normal", low=low, high=high, mean=mean, sd=sd)
        # choice
        values_raw = table.get("values", MISSING)
        if not isinstance(values_raw, list) or not values_raw:
            what = "dates or numbers" if allowed is None else "numbers"
            self.fail(_join(key, "values"), f"a non-empty array of {what}", values_raw)
        values: list[int | float] = []
        for index, item in enumerate(values_raw):
            value = self.support_value(item, f"{key}.values[{index}]", allowed)
            values.append(
                item if keep_int and isinstance(item, int) and _is_number(item) else value
            )
        weights_raw = table.get("weights", MISSING)
        weights: tuple[float, ...] | None = None
        if weights_raw is not MISSING:
            expected = f"an array of {len(values)} numbers >= 0"
            if (
                not isinstance(weights_raw, list)
                or len(weights_raw) != len(values)
                or not all(_is_number(w) and math.isfinite(w) and w >= 0 for w in weights_raw)
            ):
                self.fail(_join(key, "weights"), expected, weights_raw)
            if sum(weights_raw) <= 0:
                self.fail(_join(key, "weights"), "weights with a positive sum", weights_raw)
            weights = tuple(float(w) for w in weights_raw)
        return Distribution("choice", values=tuple(values), weights=weights)

    def support_value(self, value: object, key: str, allowed: _Range | None) -> float:
        if allowed is None:
            return self.check_time(self.time_value(value, key), key, value)
        return self.number_value(value, key, allowed)

    # -- terms ---------------------------------------------------------------------------------
    def term_value(self, field: str, value: object, key: str) -> IssueValue:
        """One value of a Terms field, normalised as Terms stores it."""
        if field == "term_end":
            if not isinstance(value, int) or isinstance(value, bool):
                self.fail(key, _TERM_TEXT[field], value)
            return value
        if field == "post_agi_access":
            if not isinstance(value, bool):
                self.fail(key, _TERM_TEXT[field], value)
            return value
        if field in ("ip_scope", "cloud"):
            choices = IP_SCOPES if field == "ip_scope" else CLOUD_ARRANGEMENTS
            if not isinstance(value, str) or value not in choices:
                self.fail(key, _TERM_TEXT[field], value)
            return value
        allowed = NON_NEGATIVE if field == "investment_bn" else FRACTION
        return self.number_value(value, key, allowed)

    def terms(self, value: object, key: str) -> Terms:
        table = self.table(value, key, TERMS_FIELDS)
        fields = {
            field: self.term_value(field, table.get(field, MISSING), _join(key, field))
            for field in TERMS_FIELDS
        }
        return Terms(**fields)

    def patch(self, value: object, key: str) -> TermsPatch:
        table = self.table(value, key, TERMS_FIELDS)
        fields = {
            field: self.term_value(field, table[field], _join(key, field))
            for field in TERMS_FIELDS
            if field in table
        }
        return TermsPatch(**fields)

    # -- sections --------------------------------------------------------------------------------
    def scenario(self, raw: Mapping[str, Any]) -> Scenario:
        raw = self.table(raw, "", TOP_KEYS)
        head = self.table(raw.get("scenario", MISSING), "scenario", SCENARIO_KEYS)
        name = self.string(head, "scenario", "name", nonempty=True)
        description = self.string(head, "scenario", "description", "")
        self.domain = self.string(head, "scenario", "domain", "partnership", DOMAINS)
        self.time_unit = self.string(head, "scenario", "time_unit", "month", TIME_UNITS)
        self.start = self.date_value(
            head.get("start", MISSING), "scenario.start", "a date (YYYY-MM-DD)"
        )
        horizon_raw = head.get("horizon", MISSING)
        if isinstance(horizon_raw, str) and _ISO_DATE.match(horizon_raw):
            horizon_raw = self.date_value(horizon_raw, "scenario.horizon", self.time_text)
        self.horizon_raw = horizon_raw
        self.horizon = self.time_value(horizon_raw, "scenario.horizon")
        if self.horizon <= 0:
            expected = f"a time after scenario.start ({self.start.isoformat()})"
            self.fail("scenario.horizon", expected, horizon_raw)

        regulators_raw = raw.get("regulators", MISSING)
        negotiation = self.negotiation(raw.get("negotiation", MISSING), bool(regulators_raw))
        prelude = self.prelude(raw.get("prelude", MISSING))
        parties = self.parties(raw.get("parties", MISSING), negotiation)
        regulators = tuple(
            self.regulator(key, table)
            for key, table in self.named_tables(regulators_raw, "regulators").items()
        )
        competitors = self.competitors(raw.get("competitors", MISSING))
        rofr = self.rofr(raw.get("rofr", MISSING))
        agi = self.agi(raw.get("agi", MISSING))
        return Scenario(
            name=name,
            description=description,
            domain=self.domain,
            start=self.start,
            time_unit=self.time_unit,
            horizon=self.horizon,
            prelude=prelude,
            negotiation=negotiation,
            parties=parties,
            regulators=regulators,
            competitors=competitors,
            rofr=rofr,
            agi=agi,
        )

    def negotiation(self, value: object, has_regulators: bool) -> NegotiationSpec:
        key = "negotiation"
        table = self.table(value, key, NEGOTIATION_KEYS)
        protocol = self.string(table, key, "protocol", "alternating", PROTOCOLS)
        parties = self.negotiating_parties(table.get("parties", MISSING))
        alternating = protocol == "alternating"
        self.opens_raw = table.get("opens", MISSING if alternating else 0.0)
        opens = self.time(table, key, "opens", MISSING if alternating else 0.0)
        deadline = round_ = None
        if alternating or "deadline" in table:
            deadline = self.time(table, key, "deadline")
            if deadline <= opens:
                expected = f"a time after negotiation.opens ({show(self.opens_raw)})"
                self.fail("negotiation.deadline", expected, table["deadline"])
        if alternating or "round" in table:
            round_ = self.number(table, key, "round", POSITIVE)
        n_steps = None
        if not alternating or "n_steps" in table:
            n_steps = self.integer(table, key, "n_steps", 1)
        review = self.boolean(table, key, "review", has_regulators)
        issues = self.issues(table.get("issues", MISSING))
        fixed = self.fixed(table.get("fixed", {}), tuple(issue.name for issue in issues))
        return NegotiationSpec(
            protocol=protocol,
            parties=parties,
            opens=opens,
            deadline=deadline,
            round=round_,
            n_steps=n_steps,
            review=review,
            fixed=fixed,
            issues=issues,
        )

    def negotiating_parties(self, value: object) -> tuple[str, str]:
        key = "negotiation.parties"
        if (
            not isinstance(value, list)
            or len(value) != 2
            or not all(isinstance(item, str) for item in value)
        ):
            self.fail(key, "an array of two party keys", value)
        for item in value:
            if not _NAME.match(item):
                self.fail(key, 'party keys of letters, digits, "_" or "-"', value)
        if value[0] == value[1]:
            self.fail(key, "two different party keys", value)
        if self.domain == "partnership" and sorted(value) != list(PARTNERSHIP_PARTIES):
            self.fail(key, '"microsoft" and "openai" (domain is "partnership")', value)
        return value[0], value[1]

    def issues(self, value: object) -> tuple[IssueSpec, ...]:
        key = "negotiation.issues"
        if not isinstance(value, list) or not value:
            self.fail(key, "a non-empty array of tables", value)
        issues: list[IssueSpec] = []
        for index, item in enumerate(value):
            where = f"{key}[{index}]"
            table = self.table(item, where, ISSUE_KEYS)
            if self.domain == "partnership":
                name = self.string(table, where, "name", choices=TERMS_FIELDS)
            else:
                name = self.string(table, where, "name", nonempty=True)
                if not _NAME.match(name):
                    self.fail(f"{where}.name", _NAME_TEXT, name)
            if any(issue.name == name for issue in issues):
                self.fail(f"{where}.name", "a name no other issue has", name)
            issues.append(
                IssueSpec(name, self.issue_values(table.get("values", MISSING), where, name))
            )
        return tuple(issues)

    def issue_values(self, value: object, where: str, name: str) -> tuple[IssueValue, ...]:
        if not isinstance(value, list) or not value:
            self.fail(f"{where}.values", "a non-empty array", value)
        values: list[IssueValue] = []
        for index, item in enumerate(value):
            key = f"{where}.values[{index}]"
            if self.domain == "partnership":
                item = self.term_value(name, item, key)
            elif not isinstance(item, bool | int | float | str) or (
                isinstance(item, float) and not math.isfinite(item)
            ):
                self.fail(key, "a boolean, number or string", item)
            elif values and _kind(item) != _kind(values[0]):
                self.fail(key, f"a {_kind(values[0])} like the issue's first value", item)
            if any(_same_value(item, seen) for seen in values):
                self.fail(key, "a value not listed before", item)
            values.append(item)
        return tuple(values)

    def fixed(
        self, value: object, issue_names: tuple[str, ...]
    ) -> tuple[tuple[str, IssueValue], ...]:
        key = "negotiation.fixed"
        if self.domain == "generic":
            if value != {}:
                self.fail(key, f"an empty table {_GENERIC}", value)
            return ()
        table = self.table(value, key, TERMS_FIELDS)
        fixed: dict[str, IssueValue] = {}
        for field in TERMS_FIELDS:
            if field in table:
                if field in issue_names:
                    self.fail(_join(key, field), "a term that is not also an issue", table[field])
                fixed[field] = self.term_value(field, table[field], _join(key, field))
            elif field not in issue_names:
                self.fail(_join(key, field), "a value for this term (it is not an issue)", MISSING)
        return tuple(sorted(fixed.items()))

    def prelude(self, value: object) -> tuple[PreludeEntry, ...]:
        if value is MISSING or value == []:
            return ()
        if self.domain == "generic":
            self.fail("prelude", f"no prelude {_GENERIC}", value)
        if not isinstance(value, list):
            self.fail("prelude", "an array of tables", value)
        entries: list[PreludeEntry] = []
        for index, item in enumerate(value):
            where = f"prelude[{index}]"
            table = self.table(item, where, PRELUDE_KEYS)
            at = self.time(table, where, "at")
            if at >= self.opens_time:
                expected = f"a time before negotiation.opens ({show(self.opens_raw)})"
                self.fail(f"{where}.at", expected, table["at"])
            if entries and at < entries[-1].at:
                expected = f"a time no earlier than prelude[{index - 1}].at"
                self.fail(
                    f"{where}.at", f"{expected} ({show(value[index - 1]['at'])})", table["at"]
                )
            entry_id = self.string(table, where, "id", nonempty=True)
            if any(entry.id == entry_id for entry in entries):
                self.fail(f"{where}.id", "an id no other prelude entry has", entry_id)
            note = self.string(table, where, "note", "")
            if "terms" in table and "amend" in table:
                self.fail_text(where, "either terms or amend", "both")
            if "terms" in table or not entries:
                terms = self.terms(table.get("terms", MISSING), f"{where}.terms")
            elif "amend" in table:
                patch = self.patch(table["amend"], f"{where}.amend")
                money = patch.investment_bn or 0.0
                terms = attrs.evolve(entries[-1].terms.patched(patch), investment_bn=money)
            else:
                expected = "a table of changed terms (or terms, a full table)"
                self.fail(f"{where}.amend", expected, MISSING)
            entries.append(PreludeEntry(at, entry_id, terms, terms.investment_bn, note))
        return tuple(entries)

    @property
    def opens_time(self) -> float:
        if self.opens_raw is MISSING:  # pragma: no cover - negotiation is checked first
            return math.inf
        return self.time_value(self.opens_raw, "negotiation.opens")

    def parties(self, value: object, negotiation: NegotiationSpec) -> tuple[PartySpec, ...]:
        if value is MISSING:
            self.fail("parties", "a table of named tables", value)
        tables = self.named_tables(value, "parties")
        for key in negotiation.parties:
            if key not in tables:
                self.fail(f"parties.{key}", "a table (negotiation.parties lists it)", MISSING)
        for key in tables:
            if key not in negotiation.parties:
                expected = (
                    f"only the parties in negotiation.parties ({', '.join(negotiation.parties)})"
                )
                self.fail(f"parties.{key}", expected, key)
        return tuple(self.party(key, table, negotiation) for key, table in tables.items())

    def party(self, key: str, value: dict[str, Any], negotiation: NegotiationSpec) -> PartySpec:
        where = f"parties.{key}"
        table = self.table(value, where, PARTY_KEYS)
        name = self.string(table, where, "name", key, nonempty=True)
        strategy = self.string(table, where, "strategy", choices=STRATEGY_NAMES)
        reservation = self.drawable(table, where, "reservation", FRACTION, 0.0)
        discount = self.drawable(table, where, "discount", DISCOUNT, 1.0)
        params = self.params(table.get("params", {}), f"{where}.params")
        names = negotiation.issue_names
        weights_table = self.per_issue(table.get("weights", MISSING), f"{where}.weights", names)
        weights = {
            issue: self.number_value(
                weights_table.get(issue, MISSING),
                f"{where}.weights.{issue}",
                NON_NEGATIVE,
                range_text="a weight >= 0",
            )
            for issue in names
        }
        total = math.fsum(weights.values())
        if abs(total - 1.0) > WEIGHT_TOLERANCE:
            self.fail_text(
                f"{where}.weights", "weights summing to 1 (within 1e-06)", f"a sum of {total:.9g}"
            )
        values_table = self.per_issue(table.get("values", MISSING), f"{where}.values", names)
        tables = {
            issue.name: self.value_table(
                values_table.get(issue.name, MISSING), f"{where}.values.{issue.name}", issue
            )
            for issue in negotiation.issues
        }
        return PartySpec(
            key=key,
            name=name,
            strategy=strategy,
            params=params,
            reservation=reservation,
            discount=discount,
            weights=tuple(sorted(weights.items())),
            value_tables=tuple(sorted(tables.items())),
        )

    def per_issue(self, value: object, key: str, names: tuple[str, ...]) -> dict[str, Any]:
        if not isinstance(value, Mapping):
            self.fail(key, "a table with one entry per issue", value)
        for name in sorted(value):
            if name not in names:
                self.fail(_join(key, name), f"an issue ({', '.join(names)})", name)
        return dict(value)

    def params(self, value: object, key: str) -> tuple[tuple[str, ParamValue], ...]:
        if not isinstance(value, Mapping):
            self.fail(key, "a table of strategy parameters", value)
        params: list[tuple[str, ParamValue]] = []
        for name in sorted(value):
            item = value[name]
            where = _join(key, name)
            if not _NAME.match(name):
                self.fail(where, _NAME_TEXT, name)
            if isinstance(item, Mapping):
                params.append((name, self.distribution(item, where, ANY, keep_int=True)))
            elif isinstance(item, bool | str) or (_is_number(item) and math.isfinite(item)):
                params.append((name, item))
            else:
                self.fail(where, "a boolean, number, string or distribution table", item)
        return tuple(params)

    def value_table(
        self, value: object, key: str, issue: IssueSpec
    ) -> tuple[tuple[IssueValue, float], ...]:
        count = len(issue.values)
        if value in ("increasing", "decreasing"):
            if count == 1:
                ranks = [1.0]
            else:
                steps = range(count) if value == "increasing" else range(count - 1, -1, -1)
                ranks = [step / (count - 1) for step in steps]
            return tuple(zip(issue.values, ranks, strict=True))
        if not isinstance(value, Mapping):
            self.fail(key, '"increasing", "decreasing" or a table of utilities', value)
        utilities: dict[int, float] = {}
        for text, utility in sorted(_flatten(value).items()):
            where = _join(key, text)
            matches = [index for index, v in enumerate(issue.values) if _key_matches(text, v)]
            if not matches:
                listed = ", ".join(value_key(v) for v in issue.values)
                self.fail(where, f"a value of issue {issue.name} ({listed})", text)
            if matches[0] in utilities:
                second = f"a second one for {value_key(issue.values[matches[0]])}"
                self.fail_text(where, "one utility per value", second)
            utilities[matches[0]] = self.number_value(utility, where, FRACTION)
        for index, v in enumerate(issue.values):
            if index not in utilities:
                self.fail(_join(key, value_key(v)), FRACTION.text(), MISSING)
        return tuple((v, utilities[index]) for index, v in enumerate(issue.values))

    def regulator(self, key: str, value: dict[str, Any]) -> RegulatorSpec:
        where = f"regulators.{key}"
        table = self.table(value, where, REGULATOR_KEYS)
        name = self.string(table, where, "name", key, nonempty=True)
        strictness = self.drawable(table, where, "strictness", FRACTION)
        review_months = self.drawable(table, where, "review_months", POSITIVE)
        conditions_raw = table.get("conditions", {})
        if self.domain == "generic" and conditions_raw != {}:
            self.fail(f"{where}.conditions", f"an empty table {_GENERIC}", conditions_raw)
        conditions = self.patch(conditions_raw, f"{where}.conditions")
        return RegulatorSpec(key, name, strictness, review_months, conditions)

    def competitors(self, value: object) -> tuple[CompetitorSpec, ...]:
        if self.domain == "generic" and value not in (MISSING, {}):
            self.fail("competitors", f"no competitors {_GENERIC}", value)
        return tuple(
            self.competitor(key, table)
            for key, table in self.named_tables(value, "competitors").items()
        )

    def competitor(self, key: str, value: dict[str, Any]) -> CompetitorSpec:
        where = f"competitors.{key}"
        table = self.table(value, where, COMPETITOR_KEYS)
        name = self.string(table, where, "name", key, nonempty=True)
        intensity = self.drawable(table, where, "intensity", NON_NEGATIVE)
        first = self.time(table, where, "first", 0.0)
        bids = table.get("value_bn", MISSING)
        if (
            not isinstance(bids, list)
            or len(bids) != 2
            or not all(_is_number(b) and math.isfinite(b) for b in bids)
        ):
            self.fail(f"{where}.value_bn", "an array [low, high] of numbers (USD bn)", bids)
        if not 0 <= bids[0] <= bids[1]:
            self.fail(f"{where}.value_bn", "[low, high] with 0 <= low <= high", bids)
        boost = self.drawable(table, where, "boost", FRACTION, 0.0)
        kind = self.string(table, where, "kind", "cloud_capacity", COMPETITOR_KINDS)
        return CompetitorSpec(
            key=key,
            name=name,
            intensity=intensity,
            first=first,
            value_bn_low=float(bids[0]),
            value_bn_high=float(bids[1]),
            boost=boost,
            kind=kind,
        )

    def rofr(self, value: object) -> RofrSpec | None:
        if value is MISSING:
            return None
        if self.domain == "generic":
            self.fail("rofr", f"no rofr table {_GENERIC}", value)
        table = self.table(value, "rofr", ROFR_KEYS)
        window = self.number(table, "rofr", "window", POSITIVE)
        return RofrSpec(window, self.drawable(table, "rofr", "max_match_bn", NON_NEGATIVE))

    def agi(self, value: object) -> AgiSpec | None:
        if value is MISSING:
            return None
        key = "agi"
        table = self.table(value, key, AGI_KEYS)
        at = self.drawable(table, key, "at", None)
        verification = self.boolean(table, key, "verification", False)
        delay = self.number(table, key, "verification_delay", NON_NEGATIVE, 0.0)
        probability = self.number(table, key, "verification_probability", FRACTION, 1.0)
        lapses = self.lapses(table.get("lapses", MISSING))
        lapse_on = self.string(
            table, key, "lapse_on", "verified" if verification else "declared", LAPSE_ON
        )
        if lapse_on == "verified" and not verification:
            self.fail("agi.lapse_on", '"declared" (agi.verification is false)', lapse_on)
        return AgiSpec(at, verification, delay, probability, lapses, lapse_on)

    def lapses(self, value: object) -> tuple[str, ...]:
        key = "agi.lapses"
        if value is MISSING:
            return LAPSABLE_RIGHTS if self.domain == "partnership" else ()
        if self.domain == "generic" and value != []:
            self.fail(key, f"[] {_GENERIC}", value)
        if not isinstance(value, list):
            self.fail(key, f"an array of rights among ({', '.join(LAPSABLE_RIGHTS)})", value)
        for index, item in enumerate(value):
            if not isinstance(item, str) or item not in LAPSABLE_RIGHTS:
                self.fail(f"{key}[{index}]", f"one of ({', '.join(LAPSABLE_RIGHTS)})", item)
            if item in value[:index]:
                self.fail(f"{key}[{index}]", "a right not listed before", item)
        return tuple(sorted(value))


# -- helpers -------------------------------------------------------------------------------


def _order(table: Mapping[str, Any], *names: str) -> str:
    return ", ".join(f"{name} = {show(table[name])}" for name in names)


def _same_value(a: IssueValue, b: IssueValue) -> bool:
    return a == b and isinstance(a, bool) == isinstance(b, bool)


def _key_matches(text: str, value: IssueValue) -> bool:
    """Whether a value-table key names ``value``: ``str(value)``, or an equal number."""
    if isinstance(value, bool):
        return text == ("true" if value else "false")
    if isinstance(value, str):
        return text == value
    if text == str(value):
        return True
    try:
        return float(text) == value
    except ValueError:
        return False


def _flatten(table: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    """Undo TOML's dotted keys: ``{0.08 = 1.0}`` parses as ``{"0": {"08": 1.0}}``."""
    flat: dict[str, Any] = {}
    for key, value in table.items():
        name = f"{prefix}.{key}" if prefix else str(key)
        if isinstance(value, Mapping) and value:
            flat.update(_flatten(value, name))
        else:
            flat[name] = value
    return flat
