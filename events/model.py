"""The events negsim records: frozen, typed, versioned.

Each class lists its fields in the order they are documented; ``TYPE`` is the name in
the log's ``type`` key and ``VERSION`` the current schema version of its ``data``.
The data form is derived from the attrs fields by keyword (``to_data``/``from_data``,
see ``events.fields``), and every field is validated when an event is built or
decoded, so a log that verifies can always be replayed. Older schemas are upcast
first by ``events.upcasts``.
"""

from __future__ import annotations

from typing import Any, ClassVar, Final

import attrs
import orjson

from events import fields as f
from events.calendar import FIRST_YEAR, LAST_YEAR
from events.clauses import Amendment, Clause, clause_from_data, clause_to_data, is_year
from events.terms import EMPTY_OUTCOME, Outcome

NEGOTIATION_END_REASONS: Final = ("agreement", "deadline", "walk_away")
TALKS_OPEN_REASONS: Final = ("opened", "walk_away", "deadline", "blocked", "expired")
# "no_jurisdiction": the regulator may not review this deal (it clears it by law);
# "inquiry": an in-depth inquiry, not final: the same regulator rules again later.
RULING_OUTCOMES: Final = (
    "approved",
    "approved_with_conditions",
    "blocked",
    "no_jurisdiction",
    "inquiry",
)
FINAL_CLEARANCES: Final = ("approved", "approved_with_conditions", "no_jurisdiction")
RUN_END_REASONS: Final = ("horizon", "quiescent", "agreement", "no_agreement")
# An attorney general's ruling on a non-profit's conversion (RestructuringReviewed).
RESTRUCTURING_RULINGS: Final = ("approved", "approved_with_conditions", "blocked")
RESTRUCTURING_APPROVALS: Final = ("approved", "approved_with_conditions")
# How a restructuring ends: completed (consent given and every reviewer approved), or
# failed because a reviewer blocked it or the long-stop date passed first.
RESTRUCTURING_OUTCOMES: Final = ("completed", "failed")
RESTRUCTURING_END_REASONS: Final = ("consent_and_approvals", "blocked", "long_stop")


def _outcome(value: object) -> Outcome:
    return value if isinstance(value, Outcome) else Outcome.from_data(value)


def _clauses(value: object) -> tuple[Clause, ...]:
    if not isinstance(value, list | tuple):
        raise ValueError(f"clauses must be a list, got {value!r}")
    return tuple(
        item if hasattr(item, "KIND") else clause_from_data(item, f"clauses[{index}]")
        for index, item in enumerate(value)
    )


def _amendment(value: object) -> Amendment:
    return value if isinstance(value, Amendment) else Amendment.from_data(value)


def _term_end(_: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if value is not None and not is_year(value):
        raise ValueError(
            f"{attribute.name} must be a year ({FIRST_YEAR}-{LAST_YEAR}) or null, got {value!r}"
        )


def _optional_time(value: object) -> float | None:
    return None if value is None else f.sim_time(value)


def _encode(value: Any) -> Any:
    if isinstance(value, Outcome | Amendment):
        return value.to_data()
    if isinstance(value, tuple):
        return [clause_to_data(v) if hasattr(v, "KIND") else v for v in value]
    return value


_new = object.__new__
_set = object.__setattr__


def _codec(cls: Any) -> Any:
    """Give an event class its keyword codec, derived from its attrs fields.

    A class on replay's hot path may define its own ``from_data`` (inline checks of
    its common shape) that hands anything unusual to the keyword codec."""
    cls._FIELDS = f.field_names(cls)
    cls._FIELD_SET = frozenset(cls._FIELDS)

    def to_data(self: Any) -> dict[str, Any]:
        return {name: _encode(getattr(self, name)) for name in cls._FIELDS}

    def from_data(klass: Any, data: object) -> Any:
        return f.from_keywords(klass, data)

    cls.to_data = to_data
    if "json_data" not in cls.__dict__:
        cls.json_data = to_data  # what the codec writes; no cached parts
    if "from_data" not in cls.__dict__:
        cls.from_data = classmethod(from_data)
    return cls


@_codec
@attrs.frozen(slots=True)
class RunStarted:
    """First event of every log: what is simulated, so a log needs nothing else."""

    TYPE: ClassVar[str] = "RunStarted"
    VERSION: ClassVar[int] = 1

    scenario: dict[str, Any] = attrs.field(validator=f.mapping)  # Scenario.to_data()
    seed: str = attrs.field(validator=f.text)  # decimal SeedSequence entropy or spawn key
    schema: int = attrs.field(validator=f.count)
    package_version: str = attrs.field(validator=f.text)
    start_date: str = attrs.field(validator=f.iso_date)  # ISO date of t = 0
    time_unit: str = attrs.field(default="month", validator=f.member(("month", "step")))
    drawn: dict[str, Any] = attrs.field(factory=dict, validator=f.mapping)


@_codec
@attrs.frozen(slots=True)
class OfferMade:
    """A party proposes an outcome; ``reply_to`` is the seq of the offer it answers."""

    TYPE: ClassVar[str] = "OfferMade"
    VERSION: ClassVar[int] = 3

    sender: str = attrs.field(validator=f.text)
    receiver: str = attrs.field(validator=f.text)
    terms: Outcome = attrs.field(converter=_outcome)
    reply_to: int | None = attrs.field(default=None, validator=f.optional_count)
    round: int = attrs.field(default=0, validator=f.count)

    def json_data(self) -> dict[str, Any]:
        """``to_data`` with the terms as cached canonical JSON (what the codec writes)."""
        return {
            "sender": self.sender,
            "receiver": self.receiver,
            "terms": orjson.Fragment(self.terms.json_bytes()),
            "reply_to": self.reply_to,
            "round": self.round,
        }

    @classmethod
    def from_data(cls, d: Any) -> OfferMade:
        """Replay's common case checked inline; anything else goes to the keyword
        codec, whose validators name the field that is wrong."""
        if type(d) is not dict or len(d) != 5:
            return f.from_keywords(cls, d)  # type: ignore[no-any-return]
        sender, receiver, rnd = d.get("sender"), d.get("receiver"), d.get("round")
        if not (
            type(sender) is str
            and type(receiver) is str
            and type(rnd) is int
            and 0 <= rnd <= f.MAX_SEQ
            and "\x00" not in sender
            and "\x00" not in receiver
        ):
            return f.from_keywords(cls, d)  # type: ignore[no-any-return]
        reply_to = d.get("reply_to")
        if reply_to is not None and not (type(reply_to) is int and 0 <= reply_to <= f.MAX_SEQ):
            return f.from_keywords(cls, d)  # type: ignore[no-any-return]
        terms = d.get("terms")
        if terms is None:
            return f.from_keywords(cls, d)  # type: ignore[no-any-return]
        event = _new(cls)
        _set(event, "sender", sender)
        _set(event, "receiver", receiver)
        _set(event, "terms", Outcome.from_data(terms))
        _set(event, "reply_to", reply_to)
        _set(event, "round", rnd)
        return event

    @classmethod
    def checked_by_caller(
        cls, sender: str, receiver: str, terms: Outcome, reply_to: int | None, round: int
    ) -> OfferMade:
        """The event made without running the validators: for the negotiators' hot
        path, whose arguments are values already checked (the scenario's party keys,
        an outcome of the domain, the clock's step, a recorded seq). Equal to
        ``OfferMade(...)`` for such values; anything else must use the constructor."""
        event = _new(cls)
        _set(event, "sender", sender)
        _set(event, "receiver", receiver)
        _set(event, "terms", terms)
        _set(event, "reply_to", reply_to)
        _set(event, "round", round)
        return event


@_codec
@attrs.frozen(slots=True)
class OfferAccepted:
    """``sender`` accepts the offer recorded at seq ``offer_seq``."""

    TYPE: ClassVar[str] = "OfferAccepted"
    VERSION: ClassVar[int] = 2

    sender: str = attrs.field(validator=f.text)
    receiver: str = attrs.field(validator=f.text)
    offer_seq: int = attrs.field(validator=f.count)
    terms: Outcome = attrs.field(converter=_outcome)

    def json_data(self) -> dict[str, Any]:
        return {
            "sender": self.sender,
            "receiver": self.receiver,
            "offer_seq": self.offer_seq,
            "terms": orjson.Fragment(self.terms.json_bytes()),
        }


@_codec
@attrs.frozen(slots=True)
class OfferRejected:
    """``sender`` rejects the offer recorded at seq ``offer_seq``."""

    TYPE: ClassVar[str] = "OfferRejected"
    VERSION: ClassVar[int] = 1

    sender: str = attrs.field(validator=f.text)
    receiver: str = attrs.field(validator=f.text)
    offer_seq: int = attrs.field(validator=f.count)

    @classmethod
    def from_data(cls, d: Any) -> OfferRejected:
        """Replay's common case checked inline; anything else goes to the keyword
        codec, whose validators name the field that is wrong."""
        if type(d) is not dict or len(d) != 3:
            return f.from_keywords(cls, d)  # type: ignore[no-any-return]
        sender, receiver, seq = d.get("sender"), d.get("receiver"), d.get("offer_seq")
        if not (
            type(sender) is str
            and type(receiver) is str
            and type(seq) is int
            and 0 <= seq <= f.MAX_SEQ
            and "\x00" not in sender
            and "\x00" not in receiver
        ):
            return f.from_keywords(cls, d)  # type: ignore[no-any-return]
        event = _new(cls)
        _set(event, "sender", sender)
        _set(event, "receiver", receiver)
        _set(event, "offer_seq", seq)
        return event

    @classmethod
    def checked_by_caller(cls, sender: str, receiver: str, offer_seq: int) -> OfferRejected:
        """The event made without running the validators (see
        ``OfferMade.checked_by_caller``)."""
        event = _new(cls)
        _set(event, "sender", sender)
        _set(event, "receiver", receiver)
        _set(event, "offer_seq", offer_seq)
        return event


@_codec
@attrs.frozen(slots=True)
class TalksOpened:
    """A round of talks opens (``round`` counts from 1) and runs until ``ends`` at
    the latest (the later of the parties' own deadlines for it); ``reason`` is why:
    ``opened`` for the first, else what ended the round before (``walk_away``,
    ``deadline``, ``blocked``, ``expired``). Recorded only in scenarios whose talks
    may reopen (``negotiation.reopen``)."""

    TYPE: ClassVar[str] = "TalksOpened"
    VERSION: ClassVar[int] = 1

    round: int = attrs.field(validator=f.count)
    parties: tuple[str, ...] = attrs.field(converter=f.names)
    reason: str = attrs.field(validator=f.member(TALKS_OPEN_REASONS))
    ends: float | None = attrs.field(default=None, converter=f.optional_sim_time)


@_codec
@attrs.frozen(slots=True)
class NegotiationEnded:
    """Talks end: by agreement, at the deadline, or because ``by`` walked away."""

    TYPE: ClassVar[str] = "NegotiationEnded"
    VERSION: ClassVar[int] = 1

    reason: str = attrs.field(validator=f.member(NEGOTIATION_END_REASONS))
    parties: tuple[str, ...] = attrs.field(converter=f.names)
    by: str | None = attrs.field(default=None, validator=f.optional_text)


@_codec
@attrs.frozen(slots=True)
class ContractSigned:
    """A contract (or amendment) is signed.

    ``clauses`` are every clause it puts in force (what an earlier contract carried
    forward included); ``terms`` the negotiated issue values it came from (empty for
    history); ``term_end`` the year the whole contract runs through (None: no end).
    With ``review`` the deal takes force only once every review opened on it
    approves; without, it takes force at signing (the prelude).
    """

    TYPE: ClassVar[str] = "ContractSigned"
    VERSION: ClassVar[int] = 2

    contract_id: str = attrs.field(validator=f.text)
    parties: tuple[str, ...] = attrs.field(converter=f.names)
    clauses: tuple[Clause, ...] = attrs.field(converter=_clauses)
    review: bool = attrs.field(validator=f.flag)
    terms: Outcome = attrs.field(default=EMPTY_OUTCOME, converter=_outcome)
    term_end: int | None = attrs.field(default=None, validator=_term_end)


@_codec
@attrs.frozen(slots=True)
class ReviewOpened:
    """A regulator opens a review; ``due`` is the expected ruling time.

    Without ``in_force`` it reviews a signed deal awaiting clearance (``contract_id``),
    which takes force only once cleared. With ``in_force`` it looks at the partnership
    as in force (an inquiry of its own, as the UK CMA's of 2023-25, or one a party
    asked for): ``contract_id`` names the contract in force when the review opens, and
    nothing waits for the ruling.
    """

    TYPE: ClassVar[str] = "ReviewOpened"
    VERSION: ClassVar[int] = 2

    regulator: str = attrs.field(validator=f.text)
    contract_id: str = attrs.field(validator=f.text)
    due: float = attrs.field(converter=f.sim_time)
    in_force: bool = attrs.field(default=False, validator=f.flag)


@_codec
@attrs.frozen(slots=True)
class RulingIssued:
    """A regulator rules: approved, approved with conditions (an amendment of the
    deal's clauses), blocked, no jurisdiction (cleared), or an inquiry (not final:
    the same regulator rules again)."""

    TYPE: ClassVar[str] = "RulingIssued"
    VERSION: ClassVar[int] = 5

    regulator: str = attrs.field(validator=f.text)
    contract_id: str = attrs.field(validator=f.text)
    outcome: str = attrs.field(validator=f.member(RULING_OUTCOMES))
    conditions: Amendment = attrs.field(factory=Amendment, converter=_amendment)
    # A ruling on the contract in force (see ``ReviewOpened.in_force``): its
    # ``contract_id`` is the contract in force when it is issued, and its conditions
    # amend that contract. Such a ruling never blocks (nothing here unwinds a
    # contract in force) and never moves the contract's end.
    in_force: bool = attrs.field(default=False, validator=f.flag)

    def __attrs_post_init__(self) -> None:
        if self.in_force and self.outcome == "blocked":
            raise ValueError("outcome of a ruling on the contract in force cannot be blocked")
        if self.in_force and self.conditions.term_end is not None:
            raise ValueError("conditions of a ruling on the contract in force cannot set term_end")


@_codec
@attrs.frozen(slots=True)
class RegulatorAsked:
    """Party ``by`` asks ``regulator`` to look at the contract in force, ``contract_id``
    (one of the threats reported in June 2025, FACTS.md). The regulator then reviews
    it within its powers: ``ReviewOpened`` and ``RulingIssued`` with ``in_force``."""

    TYPE: ClassVar[str] = "RegulatorAsked"
    VERSION: ClassVar[int] = 1

    by: str = attrs.field(validator=f.text)
    regulator: str = attrs.field(validator=f.text)
    contract_id: str = attrs.field(validator=f.text)


@_codec
@attrs.frozen(slots=True)
class OutsideOfferMade:
    """A competitor offers a party a deal (cloud capacity or investment) worth ``value_bn``."""

    TYPE: ClassVar[str] = "OutsideOfferMade"
    VERSION: ClassVar[int] = 1

    competitor: str = attrs.field(validator=f.text)
    to: str = attrs.field(validator=f.text)
    kind: str = attrs.field(validator=f.text)
    value_bn: float = attrs.field(converter=f.amount)
    expires: float = attrs.field(converter=f.sim_time)


@_codec
@attrs.frozen(slots=True)
class FirstRefusalExercised:
    """The holder matches the outside offer at seq ``offer_seq`` under its ROFR."""

    TYPE: ClassVar[str] = "FirstRefusalExercised"
    VERSION: ClassVar[int] = 1

    by: str = attrs.field(validator=f.text)
    offer_seq: int = attrs.field(validator=f.count)
    competitor: str = attrs.field(validator=f.text)
    value_bn: float = attrs.field(converter=f.amount)


@_codec
@attrs.frozen(slots=True)
class FirstRefusalWaived:
    """The holder lets its ROFR on the outside offer at seq ``offer_seq`` pass."""

    TYPE: ClassVar[str] = "FirstRefusalWaived"
    VERSION: ClassVar[int] = 1

    by: str = attrs.field(validator=f.text)
    offer_seq: int = attrs.field(validator=f.count)
    competitor: str = attrs.field(validator=f.text)


@_codec
@attrs.frozen(slots=True)
class OutsideDealAccepted:
    """A party takes a competitor's outside offer (ROFR waived, or none in force)."""

    TYPE: ClassVar[str] = "OutsideDealAccepted"
    VERSION: ClassVar[int] = 1

    by: str = attrs.field(validator=f.text)
    offer_seq: int = attrs.field(validator=f.count)
    competitor: str = attrs.field(validator=f.text)
    value_bn: float = attrs.field(converter=f.amount)


def _fraction(value: object) -> float:
    """Converter: a finite number in [0, 1], as float."""
    number = f.finite(value)
    if not 0.0 <= number <= 1.0:
        raise ValueError(f"expected a number in [0, 1], got {value!r}")
    return number


@_codec
@attrs.frozen(slots=True)
class OutsideOptionImproved:
    """A party's outside option ``option`` (e.g. Microsoft's ``own_models``) is now worth
    ``value`` (in [0, 1]: how far it could replace the partnership for that party).
    The fold keeps the latest value of each option (``ContractState.outside_options``)."""

    TYPE: ClassVar[str] = "OutsideOptionImproved"
    VERSION: ClassVar[int] = 1

    party: str = attrs.field(validator=f.text)
    option: str = attrs.field(validator=f.text)
    value: float = attrs.field(converter=_fraction)


@_codec
@attrs.frozen(slots=True)
class MilestoneReached:
    """A milestone (``"agi"``): declared, and optionally later verified."""

    TYPE: ClassVar[str] = "MilestoneReached"
    VERSION: ClassVar[int] = 1

    milestone: str = attrs.field(validator=f.text)
    declared_by: str = attrs.field(validator=f.text)
    verified: bool = attrs.field(validator=f.flag)


@_codec
@attrs.frozen(slots=True)
class RestructuringProposed:
    """``by`` proposes to convert into ``form`` (e.g. a public benefit corporation); the
    conversion needs the consent of ``consent_from`` and the approval of each of
    ``reviewers``, whose reviews open now. It fails if still pending at ``long_stop``;
    unless it completes by ``funding_deadline``, ``funding_investor`` withholds
    ``funding_at_risk_bn`` (None: no long stop, no funding condition)."""

    TYPE: ClassVar[str] = "RestructuringProposed"
    VERSION: ClassVar[int] = 1

    by: str = attrs.field(validator=f.text)
    form: str = attrs.field(validator=f.text)
    consent_from: str = attrs.field(validator=f.text)
    reviewers: tuple[str, ...] = attrs.field(converter=f.names)
    long_stop: float | None = attrs.field(default=None, converter=_optional_time)
    funding_investor: str | None = attrs.field(default=None, validator=f.optional_text)
    funding_at_risk_bn: float = attrs.field(default=0.0, converter=f.amount)
    funding_deadline: float | None = attrs.field(default=None, converter=_optional_time)


@_codec
@attrs.frozen(slots=True)
class ConsentGiven:
    """``by`` consents to the pending restructuring by signing ``contract_id`` (the deal
    whose clauses are the price of the consent)."""

    TYPE: ClassVar[str] = "ConsentGiven"
    VERSION: ClassVar[int] = 1

    by: str = attrs.field(validator=f.text)
    contract_id: str = attrs.field(validator=f.text)


@_codec
@attrs.frozen(slots=True)
class ConsentRefused:
    """``by`` walked away from the talks while the restructuring needed its consent.
    Not final: a deal signed later still consents."""

    TYPE: ClassVar[str] = "ConsentRefused"
    VERSION: ClassVar[int] = 1

    by: str = attrs.field(validator=f.text)


@_codec
@attrs.frozen(slots=True)
class RestructuringReviewed:
    """A reviewer (a state attorney general) rules on the pending restructuring."""

    TYPE: ClassVar[str] = "RestructuringReviewed"
    VERSION: ClassVar[int] = 1

    reviewer: str = attrs.field(validator=f.text)
    outcome: str = attrs.field(validator=f.member(RESTRUCTURING_RULINGS))


@_codec
@attrs.frozen(slots=True)
class FundingConditionMissed:
    """The restructuring had not completed by ``investor``'s deadline: ``amount_bn`` of
    its committed funding is lost."""

    TYPE: ClassVar[str] = "FundingConditionMissed"
    VERSION: ClassVar[int] = 1

    investor: str = attrs.field(validator=f.text)
    amount_bn: float = attrs.field(converter=f.amount)


@_codec
@attrs.frozen(slots=True)
class RestructuringEnded:
    """The restructuring completed or failed (``reason``: consent_and_approvals,
    blocked, long_stop). A run may end with it still pending: then no such event."""

    TYPE: ClassVar[str] = "RestructuringEnded"
    VERSION: ClassVar[int] = 1

    outcome: str = attrs.field(validator=f.member(RESTRUCTURING_OUTCOMES))
    reason: str = attrs.field(validator=f.member(RESTRUCTURING_END_REASONS))


@_codec
@attrs.frozen(slots=True)
class ContractExpired:
    """The contract ``contract_id`` reached the end of its term."""

    TYPE: ClassVar[str] = "ContractExpired"
    VERSION: ClassVar[int] = 1

    contract_id: str = attrs.field(validator=f.text)


@_codec
@attrs.frozen(slots=True)
class RunEnded:
    """Last event of a finished run; a log without it was cut short."""

    TYPE: ClassVar[str] = "RunEnded"
    VERSION: ClassVar[int] = 1

    reason: str = attrs.field(validator=f.member(RUN_END_REASONS))


@_codec
@attrs.frozen(slots=True)
class Forked:
    """This run is a fork (a counterfactual) of the run whose log has ``parent_digest``.

    The events before this one are the parent's first ``at_seq + 1`` events, byte for
    byte (the parent re-simulated); from here the world runs on with ``changes``
    (dotted scenario key -> new value, in the scenario's data form) applied to the
    live actors and, if ``seed`` is given, every actor drawing from fresh streams of
    that seed. See docs/what-if.md.
    """

    TYPE: ClassVar[str] = "Forked"
    VERSION: ClassVar[int] = 1

    parent_digest: str = attrs.field(validator=f.text)
    at_seq: int = attrs.field(validator=f.count)
    changes: dict[str, Any] = attrs.field(factory=dict, validator=f.mapping)
    seed: str | None = attrs.field(default=None, validator=f.optional_text)


Event = (
    RunStarted
    | OfferMade
    | OfferAccepted
    | OfferRejected
    | TalksOpened
    | NegotiationEnded
    | ContractSigned
    | ReviewOpened
    | RulingIssued
    | RegulatorAsked
    | OutsideOfferMade
    | FirstRefusalExercised
    | FirstRefusalWaived
    | OutsideDealAccepted
    | OutsideOptionImproved
    | MilestoneReached
    | RestructuringProposed
    | ConsentGiven
    | ConsentRefused
    | RestructuringReviewed
    | FundingConditionMissed
    | RestructuringEnded
    | ContractExpired
    | RunEnded
    | Forked
)

def event_data(event: Event) -> dict[str, Any]:
    """An event's data form, as in its log line's ``data`` (``to_data``, which
    ``_codec`` attaches to every event class: typed here, once)."""
    data: dict[str, Any] = event.to_data()  # type: ignore[union-attr]
    return data


EVENT_TYPES: Final[dict[str, type[Any]]] = {
    cls.TYPE: cls
    for cls in (
        RunStarted,
        OfferMade,
        OfferAccepted,
        OfferRejected,
        TalksOpened,
        NegotiationEnded,
        ContractSigned,
        ReviewOpened,
        RulingIssued,
        RegulatorAsked,
        OutsideOfferMade,
        FirstRefusalExercised,
        FirstRefusalWaived,
        OutsideDealAccepted,
        OutsideOptionImproved,
        MilestoneReached,
        RestructuringProposed,
        ConsentGiven,
        ConsentRefused,
        RestructuringReviewed,
        FundingConditionMissed,
        RestructuringEnded,
        ContractExpired,
        RunEnded,
        Forked,
    )
}

__all__ = [
    "EVENT_TYPES",
    "ConsentGiven",
    "ConsentRefused",
    "ContractExpired",
    "ContractSigned",
    "Event",
    "FirstRefusalExercised",
    "FirstRefusalWaived",
    "Forked",
    "FundingConditionMissed",
    "MilestoneReached",
    "NegotiationEnded",
    "OfferAccepted",
    "OfferMade",
    "OfferRejected",
    "OutsideDealAccepted",
    "OutsideOfferMade",
    "OutsideOptionImproved",
    "RegulatorAsked",
    "RestructuringEnded",
    "RestructuringProposed",
    "RestructuringReviewed",
    "ReviewOpened",
    "RulingIssued",
    "RunEnded",
    "RunStarted",
    "TalksOpened",
    "event_data",
]
