"""The validated scenario: frozen value objects, and their canonical data form.

Times are floats in time units (months, or steps) since ``Scenario.start``.
Mappings are tuples of ``(key, value)`` pairs sorted by key, with accessor methods,
so every object is hashable, picklable and compares by value. Keys that may hold a
:class:`~sim.scenario.distributions.Distribution` say so in their type; a scenario
fresh from a file may hold some, one from :func:`~sim.scenario.distributions.resolve`
holds none.

``Scenario.to_data()`` is the canonical JSON-able form (the TOML layout with times as
numbers and value tables expanded); ``Scenario.from_data`` validates it like a file.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any, Final, TypeVar

import attrs

from events.calendar import date_at, months_between
from events.clauses import Amendment, Clause, clause_to_data, right_names
from events.terms import IssueValue
from sim.scenario.deal import DealTemplate
from sim.scenario.distributions import Distribution

# The keys each table of a scenario file may hold (the loader and --set share them).
TOP_KEYS: Final = (
    "scenario",
    "prelude",
    "negotiation",
    "parties",
    "regulators",
    "competitors",
    "rofr",
    "agi",
    "restructuring",
    "compute_need",
    "alternatives",
    "outside_options",
)
SCENARIO_KEYS: Final = (
    "name",
    "description",
    "domain",
    "start",
    "time_unit",
    "horizon",
    "max_events",
)
# The event budget of a run unless ``scenario.max_events`` raises it (see sim.engine.event_budget).
DEFAULT_MAX_EVENTS: Final = 100_000
PRELUDE_KEYS: Final = ("at", "id", "clauses", "term_end", "amend", "note", "review", "ruling")
# A prelude entry's regulator acts on the contract in force (see ``PreludeEntry``).
PRELUDE_REVIEW_KEYS: Final = ("regulator", "due")
PRELUDE_RULING_KEYS: Final = ("regulator", "outcome", "conditions")
# A contract in force is never blocked (nothing here unwinds one): see RulingIssued.
PRELUDE_RULING_OUTCOMES: Final = (
    "approved",
    "approved_with_conditions",
    "no_jurisdiction",
    "inquiry",
)
NEGOTIATION_KEYS: Final = (
    "protocol",
    "parties",
    "opens",
    "deadline",
    "round",
    "n_steps",
    "review",
    "issues",
    "deal",
    "valuation",
    "fallback",
    "reopen",
)
VALUATIONS: Final = ("static", "world")
REOPEN_KEYS: Final = ("cooldown", "max_rounds")
ISSUE_KEYS: Final = ("name", "values")
PARTY_KEYS: Final = (
    "name",
    "strategy",
    "reservation",
    "discount",
    "params",
    "weights",
    "values",
    "patience",
    "deadline",
)
REGULATOR_KEYS: Final = (
    "name",
    "powers",
    "control_threshold",
    "strictness",
    "review_months",
    "conditions",
    "complaints_from",
    "complaint_probability",
    "complaint_delay",
)
REGULATOR_POWERS: Final = ("merger_control", "conduct", "charity")
COMPETITOR_KEYS: Final = (
    "name",
    "intensity",
    "first",
    "value_bn",
    "boost",
    "kind",
    "schedule",
    "tranches",
    "programme_bn",
    "until",
    "to",
)
TRANCHE_KEYS: Final = ("at", "value_bn", "taken", "note")
COMPETITOR_SCHEDULES: Final = ("poisson", "need")
ROFR_KEYS: Final = ("window", "max_match_bn", "budget_bn", "needs_license", "walk_alternative")
COMPUTE_NEED_KEYS: Final = ("at", "revenue_bn", "growth", "per_revenue", "until", "cap_bn")
ALTERNATIVE_PARTIES: Final = ("microsoft", "openai")
ALTERNATIVE_KEYS: Final = {
    "openai": ("floor", "compute_weight", "funding_weight", "funding_bn", "funding_scale_bn"),
    "microsoft": ("floor", "contract_weight", "options_weight"),
}
OUTSIDE_OPTION_KEYS: Final = (
    "party",
    "option",
    "name",
    "since",
    "initial",
    "ceiling",
    "ramp_years",
    "every",
)
AGI_KEYS: Final = (
    "at",
    "belief",
    "declared_by",
    "verification",
    "verification_delay",
    "verification_probability",
)
RESTRUCTURING_KEYS: Final = (
    "by",
    "form",
    "proposed",
    "consent_from",
    "reviewers",
    "long_stop",
    "funding_investor",
    "funding_at_risk_bn",
    "funding_deadline",
)
REVIEWER_KEYS: Final = (
    "name",
    "review_months",
    "approval_probability",
    "conditions_probability",
)

DOMAINS: Final = ("partnership", "generic")
TIME_UNITS: Final = ("month", "step")
PROTOCOLS: Final = ("alternating", "sao")
COMPETITOR_KINDS: Final = ("cloud_capacity", "investment")
PARTNERSHIP_PARTIES: Final = ("microsoft", "openai")

Drawable = float | Distribution
ParamValue = bool | int | float | str | Distribution


def _get(pairs: tuple[tuple[str, Any], ...], key: str, what: str) -> Any:
    for name, value in pairs:
        if name == key:
            return value
    raise KeyError(f"no {what} {key!r}")


def _data(value: object) -> object:
    return value.to_data() if isinstance(value, Distribution) else value


def _sorted_amendment(amendment: Amendment) -> dict[str, Any]:
    data = amendment.to_data()
    data["add"] = [dict(sorted(clause.items())) for clause in data["add"]]
    return dict(sorted(data.items()))


def value_key(value: IssueValue) -> str:
    """How an issue value is written as a TOML key: ``str(value)``, booleans lower case."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


@attrs.frozen(slots=True)
class PreludeReview:
    """A regulator opens a review of the contract in force; ``due``: its expected ruling
    time (by default, the time of its ruling further down the prelude)."""

    regulator: str
    due: float

    def to_data(self) -> dict[str, Any]:
        return {"due": self.due, "regulator": self.regulator}


@attrs.frozen(slots=True)
class PreludeRuling:
    """A regulator rules on the contract in force, closing (or, ``inquiry``, deepening)
    the review an earlier entry opened; ``conditions`` amend the contract in force."""

    regulator: str
    outcome: str
    conditions: Amendment = attrs.field(factory=Amendment)

    def to_data(self) -> dict[str, Any]:
        data: dict[str, Any] = {"outcome": self.outcome, "regulator": self.regulator}
        if self.conditions:
            data["conditions"] = _sorted_amendment(self.conditions)
        return data


@attrs.frozen(slots=True)
class PreludeEntry:
    """One act of history before the negotiation opens.

    A contract entry (``review`` and ``ruling`` None) puts a contract in force:
    ``clauses`` is every clause in force after it (what it carried forward from the
    entry before included), ``term_end`` its end year. A regulator's entry records
    ``review`` (an inquiry opens) or ``ruling`` (it rules) on the contract in force,
    ``contract_id`` (derived by the loader, not written): ``clauses`` and ``term_end``
    are then the contract in force after the act (amended by a ruling's conditions).
    """

    at: float
    id: str
    clauses: tuple[Clause, ...]
    term_end: int | None
    note: str = ""
    review: PreludeReview | None = None
    ruling: PreludeRuling | None = None
    contract_id: str = ""  # a regulator's entry: the contract in force; else ``id``

    @property
    def is_contract(self) -> bool:
        return self.review is None and self.ruling is None

    def to_data(self) -> dict[str, Any]:
        data: dict[str, Any] = {"at": self.at, "id": self.id, "note": self.note}
        if self.review is not None:
            data["review"] = self.review.to_data()
        elif self.ruling is not None:
            data["ruling"] = self.ruling.to_data()
        else:
            data["clauses"] = [dict(sorted(clause_to_data(c).items())) for c in self.clauses]
            if self.term_end is not None:
                data["term_end"] = self.term_end
        return dict(sorted(data.items()))


@attrs.frozen(slots=True)
class IssueSpec:
    """A negotiated issue and its discrete values, in the order the file lists them."""

    name: str
    values: tuple[IssueValue, ...]

    def to_data(self) -> dict[str, Any]:
        return {"name": self.name, "values": list(self.values)}


@attrs.frozen(slots=True)
class ReopenSpec:
    """Talks that end without a deal in force reopen: ``cooldown`` time units after
    they ended, once the world has changed since (see ``sim.engine.talks``), at most
    ``max_rounds`` rounds in all."""

    cooldown: float
    max_rounds: int

    def to_data(self) -> dict[str, Any]:
        return {"cooldown": self.cooldown, "max_rounds": self.max_rounds}


@attrs.frozen(slots=True)
class NegotiationSpec:
    """How the two parties negotiate. ``parties[0]`` proposes first.

    ``deadline`` and ``round`` are ``None`` when a ``sao`` scenario leaves them out;
    ``n_steps`` is ``None`` when an ``alternating`` one does.
    """

    protocol: str
    parties: tuple[str, str]
    opens: float
    deadline: float | None
    round: float | None
    n_steps: int | None
    review: bool
    issues: tuple[IssueSpec, ...]
    deal: DealTemplate | None = None
    valuation: str = "static"
    fallback: tuple[tuple[str, IssueValue], ...] | None = None
    reopen: ReopenSpec | None = None

    @property
    def issue_names(self) -> tuple[str, ...]:
        return tuple(issue.name for issue in self.issues)

    def issue(self, name: str) -> IssueSpec:
        for issue in self.issues:
            if issue.name == name:
                return issue
        raise KeyError(f"no issue {name!r}")

    def to_data(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "deadline": self.deadline,
            "deal": self.deal.to_data() if self.deal is not None else None,
            "issues": [issue.to_data() for issue in self.issues],
            "n_steps": self.n_steps,
            "opens": self.opens,
            "parties": list(self.parties),
            "protocol": self.protocol,
            "review": self.review,
            "round": self.round,
            "valuation": None if self.valuation == "static" else self.valuation,
            "fallback": (
                None
                if self.fallback is None
                else dict(sorted(self.fallback))
            ),
            "reopen": None if self.reopen is None else self.reopen.to_data(),
        }
        return {key: value for key, value in sorted(data.items()) if value is not None}


@attrs.frozen(slots=True)
class PartySpec:
    """A negotiating party: strategy, reservation value, discount and utility.

    ``value_tables`` is ``((issue, ((value, utility), ...)), ...)`` sorted by issue,
    each table in the issue's value order and fully expanded ("increasing" and
    "decreasing" become explicit utilities).
    """

    key: str
    name: str
    strategy: str
    params: tuple[tuple[str, ParamValue], ...]
    reservation: Drawable
    discount: Drawable
    weights: tuple[tuple[str, float], ...]
    value_tables: tuple[tuple[str, tuple[tuple[IssueValue, float], ...]], ...]
    patience: Drawable | None = None
    deadline: float | None = None

    def weight(self, issue: str) -> float:
        return float(_get(self.weights, issue, "issue"))

    def weight_dict(self) -> dict[str, float]:
        return dict(self.weights)

    def param_dict(self) -> dict[str, ParamValue]:
        """Strategy keyword arguments (concrete once the scenario is resolved)."""
        return dict(self.params)

    def value_table(self, issue: str) -> dict[IssueValue, float]:
        return dict(_get(self.value_tables, issue, "issue"))

    def value_of(self, issue: str, value: IssueValue) -> float:
        """The utility (in [0, 1]) this party gives ``value`` of ``issue``."""
        for candidate, utility in _get(self.value_tables, issue, "issue"):
            if candidate == value and isinstance(candidate, bool) == isinstance(value, bool):
                return float(utility)
        raise KeyError(f"{value!r} is not a value of issue {issue!r}")

    def to_data(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "discount": _data(self.discount),
            "name": self.name,
            "params": {name: _data(value) for name, value in self.params},
            "reservation": _data(self.reservation),
            "strategy": self.strategy,
            "values": {
                issue: dict(sorted((value_key(value), utility) for value, utility in table))
                for issue, table in self.value_tables
            },
            "weights": dict(self.weights),
        }
        if self.patience is not None:
            data["patience"] = _data(self.patience)
        if self.deadline is not None:
            data["deadline"] = self.deadline
        return dict(sorted(data.items()))


@attrs.frozen(slots=True)
class RegulatorSpec:
    """A regulator reviewing signed deals; ``conditions`` (an amendment of the deal's
    clauses, may be empty) is imposed on approval with conditions."""

    key: str
    name: str
    strictness: Drawable
    review_months: Drawable
    conditions: Amendment
    powers: str = "merger_control"
    control_threshold: float = 0.0
    # Parties that may ask this regulator to look at the contract in force when their
    # talks break down (a walk-away or the deadline), the probability that each does
    # at each break-down, and the months it takes them to file.
    complaints_from: tuple[str, ...] = ()
    complaint_probability: Drawable = 0.0
    complaint_delay: Drawable = 0.0

    def to_data(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "conditions": _sorted_amendment(self.conditions) if self.conditions else {},
            "control_threshold": self.control_threshold,
            "name": self.name,
            "powers": self.powers,
            "review_months": _data(self.review_months),
            "strictness": _data(self.strictness),
        }
        if self.complaints_from:  # logs of scenarios without complaints keep their bytes
            data["complaint_delay"] = _data(self.complaint_delay)
            data["complaint_probability"] = _data(self.complaint_probability)
            data["complaints_from"] = list(self.complaints_from)
        return dict(sorted(data.items()))


@attrs.frozen(slots=True)
class TrancheSpec:
    """A competitor's offer at a fixed time: ``value_bn`` (None: drawn from the
    competitor's ``value_bn`` range); ``taken``: history, a deal OpenAI made."""

    at: float
    value_bn: float | None = None
    taken: bool = False
    note: str = ""

    def to_data(self) -> dict[str, Any]:
        data: dict[str, Any] = {"at": self.at, "note": self.note, "taken": self.taken}
        if self.value_bn is not None:
            data["value_bn"] = self.value_bn
        return data


@attrs.frozen(slots=True)
class CompetitorSpec:
    """A competitor making outside offers to OpenAI (see ``agents.competitor``): a
    Poisson process of ``intensity`` offers per year from time ``first``, bids uniform
    in USD bn ``[low, high]``; with ``schedule = "need"`` only while OpenAI's compute
    need is unmet, within ``programme_bn`` and before ``until``; and ``tranches`` at
    fixed times."""

    key: str
    name: str
    intensity: Drawable
    first: float
    value_bn_low: float
    value_bn_high: float
    boost: Drawable
    kind: str
    schedule: str = "poisson"
    tranches: tuple[TrancheSpec, ...] = ()
    programme_bn: Drawable | None = None  # None: no cap
    until: float | None = None  # None: to the horizon
    to: str | None = None  # the party it courts; None: the negotiation's second party

    def to_data(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "boost": _data(self.boost),
            "first": self.first,
            "intensity": _data(self.intensity),
            "kind": self.kind,
            "name": self.name,
            "value_bn": [self.value_bn_low, self.value_bn_high],
        }
        # The new keys only when set, so logs of scenarios without them keep their bytes.
        if self.schedule != "poisson":
            data["schedule"] = self.schedule
        if self.tranches:
            data["tranches"] = [tranche.to_data() for tranche in self.tranches]
        if self.programme_bn is not None:
            data["programme_bn"] = _data(self.programme_bn)
        if self.until is not None:
            data["until"] = self.until
        if self.to is not None:
            data["to"] = self.to
        return dict(sorted(data.items()))


@attrs.frozen(slots=True)
class RofrSpec:
    """Microsoft's right of first refusal: time to match, the largest bid it matches,
    and when a match is worth its cost (``agents.first_refusal.RofrPolicy``)."""

    window: float
    max_match_bn: Drawable
    budget_bn: Drawable | None = None  # None: no budget
    needs_license: bool = False
    walk_alternative: Drawable | None = None  # None: its alternative never stops it

    def to_data(self) -> dict[str, Any]:
        data: dict[str, Any] = {"max_match_bn": _data(self.max_match_bn), "window": self.window}
        if self.budget_bn is not None:
            data["budget_bn"] = _data(self.budget_bn)
        if self.needs_license:
            data["needs_license"] = True
        if self.walk_alternative is not None:
            data["walk_alternative"] = _data(self.walk_alternative)
        return dict(sorted(data.items()))


@attrs.frozen(slots=True)
class ComputeNeedSpec:
    """OpenAI's compute need over time (``agents.compute_need.ComputeNeed``)."""

    at: float
    revenue_bn: Drawable
    growth: Drawable
    per_revenue: Drawable
    until: float
    cap_bn: Drawable

    def to_data(self) -> dict[str, Any]:
        return {
            "at": self.at,
            "cap_bn": _data(self.cap_bn),
            "growth": _data(self.growth),
            "per_revenue": _data(self.per_revenue),
            "revenue_bn": _data(self.revenue_bn),
            "until": self.until,
        }


@attrs.frozen(slots=True)
class AlternativeSpec:
    """One party's walk-away model (``agents.alternatives``): its constants by name
    (``ALTERNATIVE_KEYS[key]``), sorted."""

    key: str
    params: tuple[tuple[str, Drawable], ...]

    def param(self, name: str) -> Drawable:
        return _get(self.params, name, "parameter")  # type: ignore[no-any-return]

    def to_data(self) -> dict[str, Any]:
        return {name: _data(value) for name, value in self.params}


@attrs.frozen(slots=True)
class OutsideOptionSpec:
    """A party's outside option improving over time (``agents.outside_option``)."""

    key: str
    party: str
    option: str
    name: str
    since: float
    initial: Drawable
    ceiling: Drawable
    ramp_years: Drawable
    every: float

    def to_data(self) -> dict[str, Any]:
        return {
            "ceiling": _data(self.ceiling),
            "every": self.every,
            "initial": _data(self.initial),
            "name": self.name,
            "option": self.option,
            "party": self.party,
            "ramp_years": _data(self.ramp_years),
            "since": self.since,
        }


@attrs.frozen(slots=True)
class AgiSpec:
    """The AGI milestone: when it is declared, and whether (after what delay, with
    what probability) an expert panel verifies it. Which rights lapse, and on which
    of the two events, each clause says with its own expiry."""

    at: Drawable
    verification: bool
    verification_delay: float
    verification_probability: float
    # What the parties expect of the date (never drawn: a belief, held by every run's
    # parties alike). None: they expect no AGI (a valuation then ignores it).
    belief: Distribution | float | None = None
    # Who declares AGI when no clause in force defines it (the agi_definition clause
    # says so otherwise); None: the negotiation's second party.
    declared_by: str | None = None

    def to_data(self) -> dict[str, Any]:
        data = {
            "at": _data(self.at),
            "verification": self.verification,
            "verification_delay": self.verification_delay,
            "verification_probability": self.verification_probability,
        }
        if self.belief is not None:
            data["belief"] = _data(self.belief)
        if self.declared_by is not None:
            data["declared_by"] = self.declared_by
        return dict(sorted(data.items()))


@attrs.frozen(slots=True)
class ReviewerSpec:
    """A reviewer of the restructuring (a state attorney general): it rules
    ``review_months`` after the proposal, approving with ``approval_probability``
    (with conditions in ``conditions_probability`` of approvals), blocking otherwise."""

    key: str
    name: str
    review_months: Drawable
    approval_probability: Drawable
    conditions_probability: Drawable = 0.0

    def to_data(self) -> dict[str, Any]:
        return {
            "approval_probability": _data(self.approval_probability),
            "conditions_probability": _data(self.conditions_probability),
            "name": self.name,
            "review_months": _data(self.review_months),
        }


@attrs.frozen(slots=True)
class RestructuringSpec:
    """A party's conversion (``agents.restructuring``): proposed by ``by`` at
    ``proposed``, it needs ``consent_from``'s consent and every reviewer's approval;
    it fails if a reviewer blocks it or ``long_stop`` passes first (None: no long
    stop). If it has not completed by ``funding_deadline`` (None: no funding
    condition), ``funding_investor`` withholds ``funding_at_risk_bn``."""

    by: str
    form: str
    proposed: float
    consent_from: str
    reviewers: tuple[ReviewerSpec, ...] = ()
    long_stop: Drawable | None = None
    funding_investor: str | None = None
    funding_at_risk_bn: float = 0.0
    funding_deadline: float | None = None

    def reviewer(self, key: str) -> ReviewerSpec:
        return _find(self.reviewers, key, "reviewer")

    def to_data(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "by": self.by,
            "consent_from": self.consent_from,
            "form": self.form,
            "proposed": self.proposed,
            "reviewers": {r.key: r.to_data() for r in self.reviewers},
        }
        if self.long_stop is not None:
            data["long_stop"] = _data(self.long_stop)
        if self.funding_deadline is not None:
            data["funding_at_risk_bn"] = self.funding_at_risk_bn
            data["funding_deadline"] = self.funding_deadline
            data["funding_investor"] = self.funding_investor
        return dict(sorted(data.items()))


@attrs.frozen(slots=True)
class Scenario:
    """A validated scenario. Build one with :func:`~sim.scenario.load.load_scenario`."""

    name: str
    description: str
    domain: str
    start: dt.date
    time_unit: str
    horizon: float
    prelude: tuple[PreludeEntry, ...]
    negotiation: NegotiationSpec
    parties: tuple[PartySpec, ...]
    regulators: tuple[RegulatorSpec, ...] = ()
    competitors: tuple[CompetitorSpec, ...] = ()
    rofr: RofrSpec | None = None
    agi: AgiSpec | None = None
    max_events: int = DEFAULT_MAX_EVENTS  # the run's event budget
    restructuring: RestructuringSpec | None = None
    compute_need: ComputeNeedSpec | None = None
    alternatives: tuple[AlternativeSpec, ...] = ()
    outside_options: tuple[OutsideOptionSpec, ...] = ()

    # -- look-ups ---------------------------------------------------------------------
    def party(self, key: str) -> PartySpec:
        return _find(self.parties, key, "party")

    def regulator(self, key: str) -> RegulatorSpec:
        return _find(self.regulators, key, "regulator")

    def competitor(self, key: str) -> CompetitorSpec:
        return _find(self.competitors, key, "competitor")

    def alternative(self, key: str) -> AlternativeSpec | None:
        """The ``[alternatives.<key>]`` table, if the scenario has one."""
        return next((a for a in self.alternatives if a.key == key), None)

    def negotiating_parties(self) -> tuple[PartySpec, PartySpec]:
        """The two parties in negotiation order (the first proposes first)."""
        first, second = self.negotiation.parties
        return self.party(first), self.party(second)

    def time_of(self, date: dt.date) -> float:
        """Simulated time of a calendar date (month scenarios only)."""
        if self.time_unit != "month":
            raise ValueError(f"scenario {self.name!r} counts {self.time_unit}s, not dates")
        return months_between(self.start, date)

    def date_of(self, t: float) -> dt.date:
        """The calendar date simulated time ``t`` falls on (month scenarios only)."""
        if self.time_unit != "month":
            raise ValueError(f"scenario {self.name!r} counts {self.time_unit}s, not dates")
        # A nudge so a time computed from a date maps back to that date: date_at floors,
        # and months_between's fraction (e.g. 20/31 * 31) can land a hair below the day.
        return date_at(self.start, t + 1e-9)

    def possible_rights(self) -> tuple[str, ...]:
        """Every right a run of this scenario can grant (history, the deal, the
        regulators' conditions), sorted: the summary's right columns."""
        clauses: list[Clause] = [c for entry in self.prelude for c in entry.clauses]
        for regulator in self.regulators:
            clauses += regulator.conditions.add
        rights = set(right_names(clauses))
        if self.negotiation.deal is not None:
            rights.update(self.negotiation.deal.governs)
        return tuple(sorted(rights))

    # -- distributions ------------------------------------------------------------------
    def distributions(self) -> tuple[tuple[str, Distribution], ...]:
        """``(dotted_key, distribution)`` for every key still to draw, sorted by key."""
        found: list[tuple[str, Distribution]] = []

        def add(key: str, value: object) -> None:
            if isinstance(value, Distribution):
                found.append((key, value))

        if self.agi is not None:
            add("agi.at", self.agi.at)
        for alternative in self.alternatives:
            for name, param in alternative.params:
                add(f"alternatives.{alternative.key}.{name}", param)
        for competitor in self.competitors:
            add(f"competitors.{competitor.key}.boost", competitor.boost)
            add(f"competitors.{competitor.key}.intensity", competitor.intensity)
            add(f"competitors.{competitor.key}.programme_bn", competitor.programme_bn)
        if self.compute_need is not None:
            need = self.compute_need
            for name in ("cap_bn", "growth", "per_revenue", "revenue_bn"):
                add(f"compute_need.{name}", getattr(need, name))
        for option in self.outside_options:
            for name in ("ceiling", "initial", "ramp_years"):
                add(f"outside_options.{option.key}.{name}", getattr(option, name))
        for party in self.parties:
            add(f"parties.{party.key}.discount", party.discount)
            add(f"parties.{party.key}.patience", party.patience)
            for name, value in party.params:
                add(f"parties.{party.key}.params.{name}", value)
            add(f"parties.{party.key}.reservation", party.reservation)
        for regulator in self.regulators:
            add(f"regulators.{regulator.key}.complaint_delay", regulator.complaint_delay)
            add(
                f"regulators.{regulator.key}.complaint_probability",
                regulator.complaint_probability,
            )
            add(f"regulators.{regulator.key}.review_months", regulator.review_months)
            add(f"regulators.{regulator.key}.strictness", regulator.strictness)
        if self.rofr is not None:
            add("rofr.budget_bn", self.rofr.budget_bn)
            add("rofr.max_match_bn", self.rofr.max_match_bn)
            add("rofr.walk_alternative", self.rofr.walk_alternative)
        if self.restructuring is not None:
            add("restructuring.long_stop", self.restructuring.long_stop)
            for reviewer in self.restructuring.reviewers:
                where = f"restructuring.reviewers.{reviewer.key}"
                add(f"{where}.approval_probability", reviewer.approval_probability)
                add(f"{where}.conditions_probability", reviewer.conditions_probability)
                add(f"{where}.review_months", reviewer.review_months)
        return tuple(sorted(found, key=lambda pair: pair[0]))

    @property
    def is_resolved(self) -> bool:
        """True when no key holds a distribution (every value is concrete)."""
        return not self.distributions()

    # -- data form ----------------------------------------------------------------------
    def to_data(self) -> dict[str, Any]:
        """Canonical JSON-able form: sorted keys, ISO start date, times as floats."""
        data: dict[str, Any] = {
            "competitors": {c.key: c.to_data() for c in self.competitors},
            "negotiation": self.negotiation.to_data(),
            "parties": {p.key: p.to_data() for p in self.parties},
            "prelude": [entry.to_data() for entry in self.prelude],
            "regulators": {r.key: r.to_data() for r in self.regulators},
            "scenario": {
                "description": self.description,
                "domain": self.domain,
                "horizon": self.horizon,
                "name": self.name,
                "start": self.start.isoformat(),
                "time_unit": self.time_unit,
            },
        }
        if self.max_events != DEFAULT_MAX_EVENTS:  # logs of default scenarios keep their bytes
            data["scenario"]["max_events"] = self.max_events
        if self.agi is not None:
            data["agi"] = self.agi.to_data()
        if self.rofr is not None:
            data["rofr"] = self.rofr.to_data()
        if self.restructuring is not None:  # other scenarios' logs keep their bytes
            data["restructuring"] = self.restructuring.to_data()
        # Sections the partnership's money model added: only when present, so logs of
        # scenarios without them keep their bytes.
        if self.compute_need is not None:
            data["compute_need"] = self.compute_need.to_data()
        if self.alternatives:
            data["alternatives"] = {a.key: a.to_data() for a in self.alternatives}
        if self.outside_options:
            data["outside_options"] = {o.key: o.to_data() for o in self.outside_options}
        return dict(sorted(data.items()))

    @classmethod
    def from_data(cls, data: Mapping[str, Any], *, source: str = "<data>") -> Scenario:
        """Rebuild (and validate) a scenario from :meth:`to_data` output."""
        from sim.scenario.load import scenario_from_raw

        return scenario_from_raw(data, source=source)

    def with_overrides(
        self,
        values: Mapping[str, object] | None = None,
        *,
        assignments: Sequence[str] = (),
    ) -> Scenario:
        """This scenario with ``{dotted_key: value}`` and/or ``"KEY=VALUE"`` overrides.

        Dates given for time keys are converted with this scenario's start date.
        """
        from sim.scenario.load import scenario_from_raw
        from sim.scenario.overrides import apply_overrides, apply_set_values

        raw = apply_overrides(self.to_data(), assignments)
        if values:
            raw = apply_set_values(raw, values)
        return scenario_from_raw(raw, source=f"{self.name} (with overrides)")


_Keyed = TypeVar("_Keyed", "PartySpec", "RegulatorSpec", "CompetitorSpec", "ReviewerSpec")


def _find(items: tuple[_Keyed, ...], key: str, what: str) -> _Keyed:
    for item in items:
        if item.key == key:
            return item
    raise KeyError(f"no {what} {key!r}")
