"""Scenario files (TOML) -> validated :class:`~sim.scenario.schema.Scenario` objects.

Validation stops at the first problem and raises :class:`ScenarioError` with one line,
``"<source>: <dotted.key>: expected <what>, got <what>"``. Tables are checked in a
fixed order (scenario, negotiation, prelude, parties, regulators, competitors, rofr,
agi, restructuring, compute_need, alternatives, outside_options; keys of named tables
sorted), so the same file always reports the same problem.
"""

from __future__ import annotations

import math
import os
import re
import tomllib
from collections.abc import Mapping, Sequence
from typing import Any, Final

from agents.strategies import STRATEGY_NAMES
from agents.utility import RAMPS, RampError, ramp
from events.calendar import FIRST_YEAR, LAST_YEAR
from events.clauses import CLAUSE_KINDS, Amendment, carried_forward, is_year, right_names
from events.files import read_at_most
from events.terms import IssueValue
from sim.scenario.builtins import BUILTINS, builtin_text
from sim.scenario.checks import (
    ANY,
    DISCOUNT,
    FRACTION,
    NAME,
    NAME_TEXT,
    NON_NEGATIVE,
    POSITIVE,
    STEPS_N_MAX,
    Checker,
    is_number,
    join_key,
)
from sim.scenario.deal import ClauseTemplate, DealTemplate, Include, IssueRef
from sim.scenario.distributions import Distribution
from sim.scenario.errors import MISSING, ScenarioError, fail, show
from sim.scenario.overrides import apply_overrides, apply_set_values
from sim.scenario.schema import (
    AGI_KEYS,
    ALTERNATIVE_KEYS,
    ALTERNATIVE_PARTIES,
    COMPETITOR_KEYS,
    COMPETITOR_KINDS,
    COMPETITOR_SCHEDULES,
    COMPUTE_NEED_KEYS,
    DOMAINS,
    ISSUE_KEYS,
    NEGOTIATION_KEYS,
    OUTSIDE_OPTION_KEYS,
    PARTNERSHIP_PARTIES,
    PARTY_KEYS,
    PRELUDE_KEYS,
    PRELUDE_REVIEW_KEYS,
    PRELUDE_RULING_KEYS,
    PRELUDE_RULING_OUTCOMES,
    PROTOCOLS,
    REGULATOR_KEYS,
    REGULATOR_POWERS,
    REOPEN_KEYS,
    RESTRUCTURING_KEYS,
    REVIEWER_KEYS,
    ROFR_KEYS,
    SCENARIO_KEYS,
    TIME_UNITS,
    TOP_KEYS,
    TRANCHE_KEYS,
    VALUATIONS,
    AgiSpec,
    AlternativeSpec,
    CompetitorSpec,
    ComputeNeedSpec,
    IssueSpec,
    NegotiationSpec,
    OutsideOptionSpec,
    ParamValue,
    PartySpec,
    PreludeEntry,
    PreludeReview,
    PreludeRuling,
    RegulatorSpec,
    ReopenSpec,
    RestructuringSpec,
    ReviewerSpec,
    RofrSpec,
    Scenario,
    TrancheSpec,
    value_key,
)

WEIGHT_TOLERANCE: Final = 1e-6
MAX_SCENARIO_BYTES: Final = 16 * 1024 * 1024

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
        data = read_at_most(source, MAX_SCENARIO_BYTES)  # /dev/zero must not fill memory
    except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
        raise ScenarioError(
            f"{source}: no such scenario file or built-in scenario "
            f"(built-ins: {', '.join(BUILTINS)})",
            source=source,
        ) from None
    except OSError as exc:
        raise fail(source, "", "a readable file", exc.strerror or type(exc).__name__) from None
    if len(data) > MAX_SCENARIO_BYTES:
        raise fail(source, "", "a scenario file of at most 16 MiB", "more")
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


class _Loader(Checker):
    """One validation pass over one raw document, table by table."""

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
        self.horizon_value(head.get("horizon", MISSING))
        max_events = self.max_events(head)

        regulators_raw = raw.get("regulators", MISSING)
        negotiation = self.negotiation(raw.get("negotiation", MISSING), bool(regulators_raw))
        regulator_keys = (
            tuple(sorted(regulators_raw)) if isinstance(regulators_raw, Mapping) else ()
        )
        prelude = self.prelude(raw.get("prelude", MISSING), regulator_keys)
        parties = self.parties(raw.get("parties", MISSING), negotiation)
        if (
            negotiation.protocol == "alternating"
            and negotiation.deadline is None
            and any(party.patience is None for party in parties)
        ):
            # Without a deadline only the parties' own clocks bound the talks.
            self.time(raw["negotiation"], "negotiation", "deadline")  # fails: names the key
        regulators = tuple(
            self.regulator(key, table, negotiation)
            for key, table in self.named_tables(regulators_raw, "regulators").items()
        )
        competitors = self.competitors(raw.get("competitors", MISSING), negotiation.parties)
        rofr = self.rofr(raw.get("rofr", MISSING))
        agi = self.agi(raw.get("agi", MISSING), negotiation.parties)
        restructuring = self.restructuring(raw.get("restructuring", MISSING), negotiation)
        compute_need = self.compute_need(raw.get("compute_need", MISSING))
        for competitor in competitors:
            if competitor.schedule == "need" and compute_need is None:
                self.fail(
                    f"competitors.{competitor.key}.schedule",
                    'a [compute_need] table for schedule = "need" (or schedule = "poisson")',
                    "need",
                )
        alternatives = self.alternatives(raw.get("alternatives", MISSING))
        outside_options = self.outside_options(raw.get("outside_options", MISSING))
        scenario = Scenario(
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
            max_events=max_events,
            restructuring=restructuring,
            compute_need=compute_need,
            alternatives=alternatives,
            outside_options=outside_options,
        )
        self.encodable(scenario.to_data())
        return scenario

    def negotiation(self, value: object, has_regulators: bool) -> NegotiationSpec:
        key = "negotiation"
        table = self.table(value, key, NEGOTIATION_KEYS)
        protocol = self.string(table, key, "protocol", "alternating", PROTOCOLS)
        parties = self.negotiating_parties(table.get("parties", MISSING))
        alternating = protocol == "alternating"
        self.opens_raw = table.get("opens", MISSING if alternating else 0.0)
        opens = self.time(table, key, "opens", MISSING if alternating else 0.0)
        self.opens = opens
        deadline = round_ = None
        # Alternating talks may leave the deadline out when every party has its own
        # patience (checked once the parties are read): then only the world ends them.
        if "deadline" in table:
            deadline = self.time(table, key, "deadline")
            if deadline <= opens:
                expected = f"a time after negotiation.opens ({show(self.opens_raw)})"
                self.fail("negotiation.deadline", expected, table["deadline"])
        if alternating or "round" in table:
            round_ = self.number(table, key, "round", POSITIVE)
        n_steps = None
        if not alternating or "n_steps" in table:
            n_steps = self.integer(table, key, "n_steps", 1, STEPS_N_MAX)
            if not alternating:
                self.steps_within_horizon(n_steps, opens)
        review = self.boolean(table, key, "review", has_regulators)
        issues = self.issues(table.get("issues", MISSING))
        deal = self.deal(table.get("deal", MISSING), issues)
        valuation = self.string(table, key, "valuation", "static", VALUATIONS)
        if valuation == "world" and (not alternating or deal is None):
            expected = (
                'valuation = "world" only with protocol "alternating" and a [negotiation.deal]'
            )
            self.fail(f"{key}.valuation", expected, valuation)
        fallback = self.fallback(table.get("fallback", MISSING), issues)
        reopen = self.reopen(table.get("reopen", MISSING), alternating)
        return NegotiationSpec(
            protocol=protocol,
            parties=parties,
            opens=opens,
            deadline=deadline,
            round=round_,
            n_steps=n_steps,
            review=review,
            issues=issues,
            deal=deal,
            valuation=valuation,
            fallback=fallback,
            reopen=reopen,
        )

    def fallback(
        self, value: object, issues: tuple[IssueSpec, ...]
    ) -> tuple[tuple[str, IssueValue], ...] | None:
        """The bundle the contract in force amounts to: one value of every issue."""
        if value is MISSING:
            return None
        key = "negotiation.fallback"
        names = tuple(issue.name for issue in issues)
        table = self.per_issue(value, key, names)
        bundle = []
        for issue in issues:
            item = table.get(issue.name, MISSING)
            if not any(
                item == v and isinstance(item, bool) == isinstance(v, bool) for v in issue.values
            ):
                choices = ", ".join(show(v) for v in issue.values)
                self.fail(join_key(key, issue.name), f"one of the issue's values ({choices})", item)
            bundle.append((issue.name, item))
        return tuple(bundle)

    def reopen(self, value: object, alternating: bool) -> ReopenSpec | None:
        if value is MISSING:
            return None
        key = "negotiation.reopen"
        if not alternating:
            self.fail(key, 'no reopening with protocol "sao" (NegMAS talks run once)', value)
        table = self.table(value, key, REOPEN_KEYS)
        cooldown = self.number(table, key, "cooldown", NON_NEGATIVE, 3.0)
        max_rounds = 10
        if "max_rounds" in table:
            max_rounds = self.integer(table, key, "max_rounds", 1, 1000)
        return ReopenSpec(cooldown, max_rounds)

    def steps_within_horizon(self, n_steps: int, opens: float) -> None:
        """SAO talks run steps ``[opens, opens + n_steps)``: all of them must fit before
        ``scenario.horizon``, or the run would stop mid-talks with no outcome."""
        if opens + n_steps <= self.horizon:
            return
        room = math.floor(self.horizon - opens)
        since = f" from negotiation.opens ({show(self.opens_raw)})" if opens else ""
        horizon = show(self.horizon_raw)
        expected = (
            f"at most {room} steps (the steps{since} must end by scenario.horizon, {horizon})"
        )
        self.fail("negotiation.n_steps", expected, n_steps)

    def negotiating_parties(self, value: object) -> tuple[str, str]:
        key = "negotiation.parties"
        if (
            not isinstance(value, list)
            or len(value) != 2
            or not all(isinstance(item, str) for item in value)
        ):
            self.fail(key, "an array of two party keys", value)
        for item in value:
            if not NAME.match(item):
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
            name = self.string(table, where, "name", nonempty=True)
            if not NAME.match(name):
                self.fail(f"{where}.name", NAME_TEXT, name)
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
            if not isinstance(item, bool | int | float | str) or (
                isinstance(item, float) and not math.isfinite(item)
            ):
                self.fail(key, "a boolean, number or string", item)
            elif values and _kind(item) != _kind(values[0]):
                self.fail(key, f"a {_kind(values[0])} like the issue's first value", item)
            if any(_same_value(item, seen) for seen in values):
                self.fail(key, "a value not listed before", item)
            values.append(item)
        return tuple(values)

    def deal(self, value: object, issues: tuple[IssueSpec, ...]) -> DealTemplate | None:
        """``[negotiation.deal]``: the clauses an agreement puts in force, bound to issues."""
        key = "negotiation.deal"
        if value is MISSING:
            if self.domain == "partnership":
                self.fail(key, 'a table of the deal\'s clauses (domain is "partnership")', value)
            return None
        if self.domain == "generic":
            self.fail(key, f"no deal {_GENERIC}", value)
        table = self.table(value, key, ("clauses", "term_end"))
        items = table.get("clauses", MISSING)
        if not isinstance(items, list) or not items:
            self.fail(f"{key}.clauses", "a non-empty array of clause tables", items)
        by_name = {issue.name: issue for issue in issues}
        templates = tuple(
            self.clause_template(item, f"{key}.clauses[{index}]", by_name)
            for index, item in enumerate(items)
        )
        term_end: int | IssueRef | None = None
        if "term_end" in table:
            raw = table["term_end"]
            if isinstance(raw, Mapping):
                term_end = self.issue_ref(raw, f"{key}.term_end", by_name)
                for value_ in by_name[term_end.issue].values:
                    if not is_year(value_):
                        self.fail(f"{key}.term_end", "an issue whose values are years", value_)
            elif is_year(raw):
                term_end = raw
            else:
                self.fail(f"{key}.term_end", "a year or { issue = NAME }", raw)
        used = {name for template in templates for name in template.issues()}
        if isinstance(term_end, IssueRef):
            used.add(term_end.issue)
        for issue in issues:
            if issue.name not in used:
                self.fail(f"{key}", f"a clause parameter bound to issue {issue.name}", "none")
        first = {issue.name: issue.values[0] for issue in issues}
        for index, template in enumerate(templates):
            self.check_template(template, f"{key}.clauses[{index}]", issues, first)
        governs: set[str] = set()
        for index, template in enumerate(templates):
            for values in _bindings(template, by_name):
                try:
                    clause = template.bind(values)
                except ValueError as exc:
                    where = f"{key}.clauses[{index}]"
                    self.fail_text(
                        where, f"a valid {template.kind} clause for every agreement", _reason(exc)
                    )
                if clause is not None:
                    governs.update(clause.rights())
        return DealTemplate(templates, term_end, tuple(sorted(governs)))

    def check_template(
        self,
        template: ClauseTemplate,
        key: str,
        issues: tuple[IssueSpec, ...],
        first: dict[str, IssueValue],
    ) -> None:
        """Name the culprit of a clause that cannot be made: a literal parameter (with
        every issue at its first value), else each value of each issue it binds."""
        include = template.include
        if include is not None and include.values is not None:
            spec = next(issue for issue in issues if issue.name == include.issue)
            for index, value in enumerate(include.values):
                if not any(_same_value(value, v) for v in spec.values):
                    listed = ", ".join(value_key(v) for v in spec.values)
                    self.fail(
                        f"{key}.include.in[{index}]",
                        f"a value of issue {spec.name} ({listed})",
                        value,
                    )
        always = {**first}
        if include is not None:
            always[include.issue] = include.values[0] if include.values else True
        bound = {name for name, value in template.params if isinstance(value, IssueRef)}
        try:
            template.bind(always)
        except ValueError as exc:
            if not bound:
                self.fail_text(key, f"a valid {template.kind} clause", _detail(exc))
        for position, issue in enumerate(issues):
            if not any(
                isinstance(v, IssueRef) and v.issue == issue.name for _, v in template.params
            ):
                continue
            for index, value in enumerate(issue.values):
                try:
                    template.bind({**always, issue.name: value})
                except ValueError as exc:
                    param = next(
                        n
                        for n, v in template.params
                        if isinstance(v, IssueRef) and v.issue == issue.name
                    )
                    self.fail(
                        f"negotiation.issues[{position}].values[{index}]",
                        f"a value for {param} of the deal's {template.kind} clause "
                        f"({_reason(exc)})",
                        value,
                    )

    def issue_ref(
        self, value: Mapping[str, Any], key: str, issues: Mapping[str, IssueSpec]
    ) -> IssueRef:
        table = self.table(value, key, ("issue",))
        name = self.string(table, key, "issue", choices=tuple(issues))
        return IssueRef(name)

    def clause_template(
        self, value: object, key: str, issues: Mapping[str, IssueSpec]
    ) -> ClauseTemplate:
        if not isinstance(value, Mapping):
            self.fail(key, "a clause table", value)
        kind = value.get("kind", MISSING)
        if kind not in CLAUSE_KINDS:
            self.fail(f"{key}.kind", f"a clause kind ({', '.join(CLAUSE_KINDS)})", kind)
        params: list[tuple[str, Any]] = []
        include = None
        for name in sorted(value):
            if name == "kind":
                continue
            item = value[name]
            if name == "include":
                table = self.table(item, f"{key}.include", ("issue", "in"))
                issue = self.string(table, f"{key}.include", "issue", choices=tuple(issues))
                members = table.get("in")
                if members is None:
                    if not all(isinstance(v, bool) for v in issues[issue].values):
                        self.fail(
                            f"{key}.include.in",
                            "the values that include it (issue is not boolean)",
                            MISSING,
                        )
                    include = Include(issue)
                else:
                    if not isinstance(members, list) or not members:
                        self.fail(
                            f"{key}.include.in", "a non-empty array of the issue's values", members
                        )
                    include = Include(issue, tuple(members))
            elif isinstance(item, Mapping):
                params.append((name, self.issue_ref(item, join_key(key, name), issues)))
            else:
                params.append((name, item))
        return ClauseTemplate(str(kind), tuple(params), include)

    def prelude(self, value: object, regulators: tuple[str, ...]) -> tuple[PreludeEntry, ...]:
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
            if at >= self.opens:
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
            if "review" in table or "ruling" in table:
                entries.append(
                    self.regulator_act(table, where, at, entry_id, note, entries, value, regulators)
                )
                continue
            term_end = table.get("term_end", entries[-1].term_end if entries else None)
            if term_end is not None and not is_year(term_end):
                self.fail(
                    f"{where}.term_end",
                    f"a year in [{FIRST_YEAR}, {LAST_YEAR}] (the contract runs through it)",
                    term_end,
                )
            # The contract before the amendment: this entry's own clauses, else what
            # the previous entry carries forward.
            if "clauses" in table or not entries:
                clauses = self.clauses(table.get("clauses", MISSING), f"{where}.clauses")
            elif "amend" in table:
                clauses = carried_forward(entries[-1].clauses)
            else:
                expected = "a table with remove/add (or clauses, a full list)"
                self.fail(f"{where}.amend", expected, MISSING)
            if "amend" in table:
                amendment = self.amendment(table["amend"], f"{where}.amend")
                granted = right_names(clauses)
                for right in amendment.remove:
                    if right not in granted:  # a typo would silently remove nothing
                        listed = ", ".join(granted) or "none"
                        self.fail(
                            f"{where}.amend.remove", f"rights the contract grants ({listed})", right
                        )
                clauses = amendment.apply(clauses)
                if amendment.term_end is not None:
                    term_end = amendment.term_end
            entries.append(
                PreludeEntry(at, entry_id, clauses, term_end, note, contract_id=entry_id)
            )
        return tuple(entries)

    def regulator_act(
        self,
        table: dict[str, Any],
        where: str,
        at: float,
        entry_id: str,
        note: str,
        entries: list[PreludeEntry],
        raw_entries: list[Any],
        regulators: tuple[str, ...],
    ) -> PreludeEntry:
        """A prelude entry with ``review`` or ``ruling``: a regulator's act on the
        contract in force (the entry before's), recorded as ``ReviewOpened`` or
        ``RulingIssued`` with ``in_force``."""
        act = "review" if "review" in table else "ruling"
        for other in ("review", "ruling", "clauses", "amend", "term_end"):
            if other != act and other in table:
                self.fail(
                    f"{where}.{other}",
                    f"no {other} in an entry with {act} (one act per prelude entry)",
                    table[other],
                )
        if not entries:
            self.fail(f"{where}.{act}", "a contract in force (an earlier prelude entry)", MISSING)
        before = entries[-1]
        key = f"{where}.{act}"
        spec = self.table(
            table[act], key, PRELUDE_REVIEW_KEYS if act == "review" else PRELUDE_RULING_KEYS
        )
        if not regulators:
            self.fail(
                f"{key}.regulator",
                "a regulator of [regulators] (there are none)",
                spec.get("regulator", MISSING),
            )
        regulator = self.string(spec, key, "regulator", choices=regulators)
        opened = _open_review(entries, regulator)
        if act == "review":
            if opened is not None:
                self.fail(
                    f"{key}.regulator",
                    f"a regulator without a review open (prelude entry {opened.id} opened one)",
                    regulator,
                )
            due = self.review_due(spec, key, where, at, regulator, raw_entries, len(entries))
            return PreludeEntry(
                at,
                entry_id,
                before.clauses,
                before.term_end,
                note,
                review=PreludeReview(regulator, due),
                contract_id=before.contract_id,
            )
        if opened is None:
            self.fail(
                f"{key}.regulator",
                "a regulator whose review an earlier prelude entry opened",
                regulator,
            )
        outcome = self.string(spec, key, "outcome", choices=PRELUDE_RULING_OUTCOMES)
        conditions = self.ruling_conditions(spec, key, outcome, before)
        clauses = conditions.apply(before.clauses) if conditions else before.clauses
        return PreludeEntry(
            at,
            entry_id,
            clauses,
            before.term_end,
            note,
            ruling=PreludeRuling(regulator, outcome, conditions),
            contract_id=before.contract_id,
        )

    def review_due(
        self,
        spec: dict[str, Any],
        key: str,
        where: str,
        at: float,
        regulator: str,
        raw_entries: list[Any],
        index: int,
    ) -> float:
        """When a prelude review is due: its ``due``, else the time of the regulator's
        ruling in a later entry (history says when it ruled), never before ``at``."""
        if "due" in spec:
            due = self.time(spec, key, "due")
        else:
            ruled = _ruling_time(raw_entries, index, regulator, self)
            if ruled is None:
                self.fail(
                    f"{key}.due",
                    f"a time (no later prelude entry has {regulator}'s ruling)",
                    MISSING,
                )
            due = ruled
        if due < at:
            self.fail(f"{key}.due", f"a time no earlier than {where}.at", spec["due"])
        return due

    def ruling_conditions(
        self, spec: dict[str, Any], key: str, outcome: str, before: PreludeEntry
    ) -> Amendment:
        """A prelude ruling's conditions: present exactly when it approves with
        conditions, never moving the term's end, removing only rights the contract in
        force grants."""
        conditions = self.amendment(spec.get("conditions", {}), f"{key}.conditions")
        if outcome == "approved_with_conditions" and not conditions:
            self.fail(f"{key}.conditions", "the conditions imposed (remove/add)", MISSING)
        if outcome != "approved_with_conditions" and conditions:
            self.fail(
                f"{key}.conditions",
                "no conditions (outcome is not approved_with_conditions)",
                spec["conditions"],
            )
        if conditions.term_end is not None:
            self.fail(
                f"{key}.conditions.term_end",
                "no term_end (a ruling on the contract in force never moves its end)",
                conditions.term_end,
            )
        granted = right_names(before.clauses)
        for right in conditions.remove:
            if right not in granted:
                listed = ", ".join(granted) or "none"
                self.fail(
                    f"{key}.conditions.remove", f"rights the contract grants ({listed})", right
                )
        return conditions

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
        patience = (
            self.drawable(table, where, "patience", POSITIVE) if "patience" in table else None
        )
        deadline = self.time(table, where, "deadline") if "deadline" in table else None
        if deadline is not None and deadline <= negotiation.opens:
            expected = f"a time after negotiation.opens ({show(self.opens_raw)})"
            self.fail(f"{where}.deadline", expected, table["deadline"])
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
            patience=patience,
            deadline=deadline,
        )

    def per_issue(self, value: object, key: str, names: tuple[str, ...]) -> dict[str, Any]:
        if not isinstance(value, Mapping):
            self.fail(key, "a table with one entry per issue", value)
        for name in sorted(value):
            if name not in names:
                self.fail(join_key(key, name), f"an issue ({', '.join(names)})", name)
        return dict(value)

    def params(self, value: object, key: str) -> tuple[tuple[str, ParamValue], ...]:
        if not isinstance(value, Mapping):
            self.fail(key, "a table of strategy parameters", value)
        params: list[tuple[str, ParamValue]] = []
        for name in sorted(value):
            item = value[name]
            where = join_key(key, name)
            if not NAME.match(name):
                self.fail(where, NAME_TEXT, name)
            if isinstance(item, Mapping):
                params.append((name, self.distribution(item, where, ANY, keep_int=True)))
            elif isinstance(item, bool | str) or (is_number(item) and math.isfinite(item)):
                params.append((name, item))
            else:
                self.fail(where, "a boolean, number, string or distribution table", item)
        return tuple(params)

    def value_table(
        self, value: object, key: str, issue: IssueSpec
    ) -> tuple[tuple[IssueValue, float], ...]:
        if value in RAMPS:
            # One rule for ramps, the utility model's (agents.utility.ramp: v / max).
            try:
                ramped = ramp(issue.name, issue.values, value)
            except RampError as exc:
                expected = (
                    f"{show(value + '-by-rank')} or a table of utilities ({show(value)} "
                    "scores value / largest value and needs numbers >= 0 with a largest "
                    f"> 0; issue {issue.name} has {show(exc.value)} {exc.problem})"
                )
                self.fail(key, expected, value)
            return tuple(zip(issue.values, ramped, strict=True))
        if not isinstance(value, Mapping):
            self.fail(
                key, f"{', '.join(show(name) for name in RAMPS)} or a table of utilities", value
            )
        utilities: dict[int, float] = {}
        for text, utility in sorted(_flatten(value).items()):
            where = join_key(key, text)
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
                self.fail(join_key(key, value_key(v)), FRACTION.text(), MISSING)
        return tuple((v, utilities[index]) for index, v in enumerate(issue.values))

    def regulator(
        self, key: str, value: dict[str, Any], negotiation: NegotiationSpec
    ) -> RegulatorSpec:
        where = f"regulators.{key}"
        table = self.table(value, where, REGULATOR_KEYS)
        name = self.string(table, where, "name", key, nonempty=True)
        strictness = self.drawable(table, where, "strictness", FRACTION)
        review_months = self.drawable(table, where, "review_months", POSITIVE)
        conditions_raw = table.get("conditions", {})
        if self.domain == "generic" and conditions_raw != {}:
            self.fail(f"{where}.conditions", f"an empty table {_GENERIC}", conditions_raw)
        conditions = self.amendment(conditions_raw, f"{where}.conditions")
        powers = self.string(table, where, "powers", "merger_control", REGULATOR_POWERS)
        threshold = self.number(table, where, "control_threshold", FRACTION, 0.0)
        complaints_from = self.complaints_from(table, where, negotiation.parties)
        probability: Any = 0.0
        delay: Any = 0.0
        if complaints_from:
            probability = self.drawable(table, where, "complaint_probability", FRACTION)
            delay = self.drawable(table, where, "complaint_delay", NON_NEGATIVE, 0.0)
        else:
            for unused in ("complaint_probability", "complaint_delay"):
                if unused in table:
                    self.fail(
                        f"{where}.{unused}",
                        "no value (complaints_from names no party)",
                        table[unused],
                    )
        return RegulatorSpec(
            key,
            name,
            strictness,
            review_months,
            conditions,
            powers,
            float(threshold),
            complaints_from,
            probability,
            delay,
        )

    def complaints_from(
        self, table: Mapping[str, Any], where: str, parties: tuple[str, ...]
    ) -> tuple[str, ...]:
        """The negotiating parties that may ask this regulator to look (none by default)."""
        value = table.get("complaints_from", [])
        key = f"{where}.complaints_from"
        if not isinstance(value, list):
            self.fail(key, f"an array of party keys ({', '.join(parties)})", value)
        for index, item in enumerate(value):
            if item not in parties:
                self.fail(f"{key}[{index}]", f"a negotiating party ({', '.join(parties)})", item)
            if item in value[:index]:
                self.fail(f"{key}[{index}]", "a party not listed before", item)
        return tuple(value)

    def competitors(
        self, value: object, parties: tuple[str, ...]
    ) -> tuple[CompetitorSpec, ...]:
        if self.domain == "generic" and value not in (MISSING, {}):
            self.fail("competitors", f"no competitors {_GENERIC}", value)
        return tuple(
            self.competitor(key, table, parties)
            for key, table in self.named_tables(value, "competitors").items()
        )

    def party_ref(
        self, table: Mapping[str, Any], where: str, name: str, parties: tuple[str, ...]
    ) -> str | None:
        """An optional key naming one of the negotiating ``parties`` (None if absent)."""
        if name not in table:
            return None
        value = table[name]
        if value not in parties:
            self.fail(f"{where}.{name}", f"a negotiating party ({', '.join(parties)})", value)
        return str(value)

    def competitor(
        self, key: str, value: dict[str, Any], parties: tuple[str, ...]
    ) -> CompetitorSpec:
        where = f"competitors.{key}"
        table = self.table(value, where, COMPETITOR_KEYS)
        name = self.string(table, where, "name", key, nonempty=True)
        intensity = self.drawable(table, where, "intensity", NON_NEGATIVE)
        first = self.time(table, where, "first", 0.0)
        bids = table.get("value_bn", MISSING)
        if (
            not isinstance(bids, list)
            or len(bids) != 2
            or not all(is_number(b) and math.isfinite(b) for b in bids)
        ):
            self.fail(f"{where}.value_bn", "an array [low, high] of numbers (USD bn)", bids)
        if not 0 <= bids[0] <= bids[1]:
            self.fail(f"{where}.value_bn", "[low, high] with 0 <= low <= high", bids)
        boost = self.drawable(table, where, "boost", FRACTION, 0.0)
        kind = self.string(table, where, "kind", "cloud_capacity", COMPETITOR_KINDS)
        schedule = self.string(table, where, "schedule", "poisson", COMPETITOR_SCHEDULES)
        tranches = self.tranches(table.get("tranches", MISSING), f"{where}.tranches")
        programme = None
        if "programme_bn" in table:
            programme = self.drawable(table, where, "programme_bn", NON_NEGATIVE)
        until = self.time(table, where, "until") if "until" in table else None
        return CompetitorSpec(
            key=key,
            name=name,
            intensity=intensity,
            first=first,
            value_bn_low=float(bids[0]),
            value_bn_high=float(bids[1]),
            boost=boost,
            kind=kind,
            schedule=schedule,
            tranches=tranches,
            programme_bn=programme,
            until=until,
            to=self.party_ref(table, where, "to", parties),
        )

    def tranches(self, value: object, key: str) -> tuple[TrancheSpec, ...]:
        """Dated offers, in the order of their times (the file's order among equals)."""
        if value is MISSING:
            return ()
        if not isinstance(value, list):
            self.fail(key, "an array of tables { at, value_bn, taken, note }", value)
        tranches = []
        for index, item in enumerate(value):
            where = f"{key}[{index}]"
            table = self.table(item, where, TRANCHE_KEYS)
            at = self.time(table, where, "at")
            amount = None
            if "value_bn" in table:
                amount = self.number(table, where, "value_bn", NON_NEGATIVE)
            taken = self.boolean(table, where, "taken", False)
            note = self.string(table, where, "note", "")
            tranches.append(TrancheSpec(at, amount, taken, note))
        return tuple(sorted(tranches, key=lambda tranche: tranche.at))

    def rofr(self, value: object) -> RofrSpec | None:
        if value is MISSING:
            return None
        if self.domain == "generic":
            self.fail("rofr", f"no rofr table {_GENERIC}", value)
        table = self.table(value, "rofr", ROFR_KEYS)
        window = self.number(table, "rofr", "window", POSITIVE)
        budget = None
        if "budget_bn" in table:
            budget = self.drawable(table, "rofr", "budget_bn", NON_NEGATIVE)
        walk = None
        if "walk_alternative" in table:
            walk = self.drawable(table, "rofr", "walk_alternative", FRACTION)
        return RofrSpec(
            window,
            self.drawable(table, "rofr", "max_match_bn", NON_NEGATIVE),
            budget_bn=budget,
            needs_license=self.boolean(table, "rofr", "needs_license", False),
            walk_alternative=walk,
        )

    def compute_need(self, value: object) -> ComputeNeedSpec | None:
        key = "compute_need"
        if value is MISSING:
            return None
        if self.domain == "generic":
            self.fail(key, f"no compute_need table {_GENERIC}", value)
        table = self.table(value, key, COMPUTE_NEED_KEYS)
        at = self.time(table, key, "at")
        until = self.time(table, key, "until")
        if until < at:
            self.fail(f"{key}.until", f"a time no earlier than {key}.at", table["until"])
        return ComputeNeedSpec(
            at=at,
            revenue_bn=self.drawable(table, key, "revenue_bn", POSITIVE),
            growth=self.drawable(table, key, "growth", NON_NEGATIVE),
            per_revenue=self.drawable(table, key, "per_revenue", POSITIVE),
            until=until,
            cap_bn=self.drawable(table, key, "cap_bn", POSITIVE),
        )

    def alternatives(self, value: object) -> tuple[AlternativeSpec, ...]:
        if value is MISSING:
            return ()
        if self.domain == "generic":
            self.fail("alternatives", f"no alternatives table {_GENERIC}", value)
        tables = self.named_tables(value, "alternatives")
        specs = []
        for party, raw in tables.items():
            where = f"alternatives.{party}"
            if party not in ALTERNATIVE_PARTIES:
                self.fail(where, f"one of ({', '.join(ALTERNATIVE_PARTIES)})", party)
            names = ALTERNATIVE_KEYS[party]
            table = self.table(raw, where, names)
            params = []
            for name in sorted(names):
                allowed = FRACTION if name in ("floor",) or name.endswith("_weight") else POSITIVE
                if name == "funding_bn":
                    allowed = NON_NEGATIVE
                params.append((name, self.drawable(table, where, name, allowed)))
            upper = sum(
                _bounds(value)[1]
                for name, value in params
                if name == "floor" or name.endswith("_weight")
            )
            if upper > 1.0 + 1e-9:
                self.fail_text(
                    where,
                    "floor and weights whose sum (at their largest) is at most 1",
                    f"a sum of {upper:g}",
                )
            specs.append(AlternativeSpec(party, tuple(params)))
        return tuple(specs)

    def outside_options(self, value: object) -> tuple[OutsideOptionSpec, ...]:
        if self.domain == "generic" and value not in (MISSING, {}):
            self.fail("outside_options", f"no outside options {_GENERIC}", value)
        specs = []
        for key, raw in self.named_tables(value, "outside_options").items():
            where = f"outside_options.{key}"
            table = self.table(raw, where, OUTSIDE_OPTION_KEYS)
            party = self.string(table, where, "party", choices=PARTNERSHIP_PARTIES)
            option = self.string(table, where, "option", key, nonempty=True)
            if not NAME.match(option):
                self.fail(f"{where}.option", NAME_TEXT, option)
            initial = self.drawable(table, where, "initial", FRACTION)
            ceiling = self.drawable(table, where, "ceiling", FRACTION)
            low_ceiling, high_initial = _bounds(ceiling)[0], _bounds(initial)[1]
            if low_ceiling < high_initial:
                self.fail_text(
                    f"{where}.ceiling",
                    f"a ceiling no lower than {where}.initial (at their extremes)",
                    f"{low_ceiling:g} < {high_initial:g}",
                )
            specs.append(
                OutsideOptionSpec(
                    key=key,
                    party=party,
                    option=option,
                    name=self.string(table, where, "name", key, nonempty=True),
                    since=self.time(table, where, "since"),
                    initial=initial,
                    ceiling=ceiling,
                    ramp_years=self.drawable(table, where, "ramp_years", POSITIVE),
                    every=self.number(table, where, "every", POSITIVE),
                )
            )
        return tuple(specs)

    def agi(self, value: object, parties: tuple[str, ...]) -> AgiSpec | None:
        if value is MISSING:
            return None
        key = "agi"
        table = self.table(value, key, AGI_KEYS)
        at = self.drawable(table, key, "at", None)
        verification = self.boolean(table, key, "verification", False)
        delay = self.number(table, key, "verification_delay", NON_NEGATIVE, 0.0)
        probability = self.number(table, key, "verification_probability", FRACTION, 1.0)
        # The parties' belief about the date (never drawn: resolving `at` for a run, or
        # sweeping it, leaves what the parties expect alone). None: they expect no AGI.
        belief = self.drawable(table, key, "belief", None) if "belief" in table else None
        declared_by = self.party_ref(table, key, "declared_by", parties)
        return AgiSpec(at, verification, delay, probability, belief, declared_by)

    def restructuring(
        self, value: object, negotiation: NegotiationSpec
    ) -> RestructuringSpec | None:
        """``[restructuring]``: a party's conversion, its consent, reviewers and funding
        condition (``agents.restructuring``)."""
        if value is MISSING:
            return None
        key = "restructuring"
        if self.domain == "generic":
            self.fail(key, f"no restructuring {_GENERIC}", value)
        table = self.table(value, key, RESTRUCTURING_KEYS)
        parties = negotiation.parties
        by = self.string(table, key, "by", choices=parties)
        others = tuple(party for party in parties if party != by)
        consent_from = self.string(table, key, "consent_from", choices=others)
        form = self.string(table, key, "form", "public_benefit_corporation", nonempty=True)
        if not NAME.match(form):
            self.fail(f"{key}.form", NAME_TEXT, form)
        proposed = self.time(table, key, "proposed")
        reviewers = tuple(
            self.reviewer(name, item)
            for name, item in self.named_tables(
                table.get("reviewers", {}), f"{key}.reviewers"
            ).items()
        )
        long_stop = None
        if "long_stop" in table:
            long_stop = self.drawable(table, key, "long_stop", None)
            low = long_stop.support()[0] if isinstance(long_stop, Distribution) else long_stop
            if low <= proposed:
                expected = f"a time after restructuring.proposed ({show(table['proposed'])})"
                self.fail(f"{key}.long_stop", expected, table["long_stop"])
        funding = [name for name in FUNDING_KEYS if name in table]
        if not funding:
            return RestructuringSpec(by, form, proposed, consent_from, reviewers, long_stop)
        for name in FUNDING_KEYS:  # a funding condition needs all three keys
            if name not in table:
                given = ", ".join(f"{key}.{n}" for n in funding)
                self.fail(f"{key}.{name}", f"a value (a funding condition; {given} given)", MISSING)
        investor = self.string(table, key, "funding_investor", nonempty=True)
        if not NAME.match(investor):
            self.fail(f"{key}.funding_investor", NAME_TEXT, investor)
        at_risk = self.number(table, key, "funding_at_risk_bn", NON_NEGATIVE)
        deadline = self.time(table, key, "funding_deadline")
        return RestructuringSpec(
            by, form, proposed, consent_from, reviewers, long_stop, investor, at_risk, deadline
        )

    def reviewer(self, key: str, value: dict[str, Any]) -> ReviewerSpec:
        where = f"restructuring.reviewers.{key}"
        table = self.table(value, where, REVIEWER_KEYS)
        name = self.string(table, where, "name", key, nonempty=True)
        review_months = self.drawable(table, where, "review_months", POSITIVE)
        approval = self.drawable(table, where, "approval_probability", FRACTION)
        conditions = self.drawable(table, where, "conditions_probability", FRACTION, 0.0)
        return ReviewerSpec(key, name, review_months, approval, conditions)


FUNDING_KEYS: Final = ("funding_investor", "funding_at_risk_bn", "funding_deadline")


def _bounds(value: object) -> tuple[float, float]:
    """The smallest and largest value a number or a distribution can take."""
    if isinstance(value, Distribution):
        return value.support()
    return float(value), float(value)  # type: ignore[arg-type]


def _open_review(entries: list[PreludeEntry], regulator: str) -> PreludeEntry | None:
    """The entry that opened ``regulator``'s review still open after ``entries``."""
    opened = None
    for entry in entries:
        if entry.review is not None and entry.review.regulator == regulator:
            opened = entry
        elif (
            entry.ruling is not None
            and entry.ruling.regulator == regulator
            and entry.ruling.outcome != "inquiry"
        ):
            opened = None
    return opened


def _ruling_time(
    raw: list[Any],
    index: int,
    regulator: str,
    checker: Checker,
) -> float | None:
    """When a later prelude entry records ``regulator``'s final ruling (None: none does)."""
    for position in range(index + 1, len(raw)):
        item = raw[position]
        if not isinstance(item, Mapping):
            return None
        ruling = item.get("ruling")
        if (
            isinstance(ruling, Mapping)
            and ruling.get("regulator") == regulator
            and ruling.get("outcome") != "inquiry"
        ):
            return checker.time(item, f"prelude[{position}]", "at")
    return None


def _kind(value: object) -> str:
    if isinstance(value, bool):
        return "boolean"
    return "string" if isinstance(value, str) else "number"


# -- helpers -------------------------------------------------------------------------------


def _detail(exc: ValueError) -> str:
    """A clause error without the location prefix the loader adds itself."""
    text = str(exc)
    return text.split(": ", 1)[1] if text.startswith("deal clause ") and ": " in text else text


def _reason(exc: ValueError) -> str:
    """What a clause expected, without the location prefix or the value it got."""
    text = _detail(exc)
    for marker in (", got ", "; got "):
        text = text.rsplit(marker, 1)[0]
    return text


def _bindings(
    template: ClauseTemplate, issues: Mapping[str, IssueSpec]
) -> list[dict[str, IssueValue]]:
    """Every combination of the values of the issues a template uses."""
    combos: list[dict[str, IssueValue]] = [{}]
    for name in dict.fromkeys(template.issues()):
        combos = [{**combo, name: value} for combo in combos for value in issues[name].values]
    first = {name: spec.values[0] for name, spec in issues.items()}
    return [{**first, **combo} for combo in combos]


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
