"""The events negsim records: frozen, typed, versioned.

Each class lists its fields in the order they are documented; ``TYPE`` is the name in
the log's ``type`` key and ``VERSION`` the current schema version of its ``data``.
``to_data`` gives a JSON-able dict; ``from_data`` rebuilds the event from the current
schema (older schemas are upcast first by ``events.codec``).
"""

from __future__ import annotations

from typing import Any, ClassVar, Final

import attrs
import orjson

from events.terms import Offer, Terms, TermsPatch, finite_float, offer_from_data

NEGOTIATION_END_REASONS: Final = ("agreement", "deadline", "walk_away")
RULING_OUTCOMES: Final = ("approved", "approved_with_conditions", "blocked")
RIGHTS: Final = ("ip_access", "revenue_share_to_microsoft")
AGI_LAPSE_ON: Final = ("declared", "verified")


def _member(choices: tuple[str, ...]) -> Any:
    return attrs.validators.in_(choices)


@attrs.frozen(slots=True)
class RunStarted:
    """First event of every log: what is simulated, so a log needs nothing else."""

    TYPE: ClassVar[str] = "RunStarted"
    VERSION: ClassVar[int] = 1

    scenario: dict[str, Any]  # the resolved scenario (Scenario.to_data())
    seed: str  # the run's seed, as a decimal string (SeedSequence entropy or spawn key)
    schema: int
    package_version: str
    start_date: str  # ISO date of t = 0
    time_unit: str = "month"
    drawn: dict[str, Any] = attrs.field(factory=dict)  # parameters drawn for this run

    def to_data(self) -> dict[str, Any]:
        return {
            "scenario": self.scenario,
            "seed": self.seed,
            "schema": self.schema,
            "package_version": self.package_version,
            "start_date": self.start_date,
            "time_unit": self.time_unit,
            "drawn": self.drawn,
        }

    json_data = to_data  # what the codec writes; no cached parts here

    @classmethod
    def from_data(cls, d: dict[str, Any]) -> RunStarted:
        return cls(
            d["scenario"],
            d["seed"],
            d["schema"],
            d["package_version"],
            d["start_date"],
            d["time_unit"],
            d["drawn"],
        )


@attrs.frozen(slots=True)
class OfferMade:
    """A party proposes terms; ``reply_to`` is the seq of the offer it answers, if any."""

    TYPE: ClassVar[str] = "OfferMade"
    VERSION: ClassVar[int] = 2

    sender: str
    receiver: str
    terms: Offer
    reply_to: int | None = None
    round: int = 0

    def to_data(self) -> dict[str, Any]:
        return {
            "sender": self.sender,
            "receiver": self.receiver,
            "terms": self.terms.to_data(),
            "reply_to": self.reply_to,
            "round": self.round,
        }

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
    def from_data(cls, d: dict[str, Any]) -> OfferMade:
        return cls(
            d["sender"], d["receiver"], offer_from_data(d["terms"]), d["reply_to"], d["round"]
        )


@attrs.frozen(slots=True)
class OfferAccepted:
    """``sender`` accepts the offer recorded at seq ``offer_seq``."""

    TYPE: ClassVar[str] = "OfferAccepted"
    VERSION: ClassVar[int] = 1

    sender: str
    receiver: str
    offer_seq: int
    terms: Offer

    def to_data(self) -> dict[str, Any]:
        return {
            "sender": self.sender,
            "receiver": self.receiver,
            "offer_seq": self.offer_seq,
            "terms": self.terms.to_data(),
        }

    def json_data(self) -> dict[str, Any]:
        return {
            "sender": self.sender,
            "receiver": self.receiver,
            "offer_seq": self.offer_seq,
            "terms": orjson.Fragment(self.terms.json_bytes()),
        }

    @classmethod
    def from_data(cls, d: dict[str, Any]) -> OfferAccepted:
        return cls(d["sender"], d["receiver"], d["offer_seq"], offer_from_data(d["terms"]))


@attrs.frozen(slots=True)
class OfferRejected:
    """``sender`` rejects the offer recorded at seq ``offer_seq``."""

    TYPE: ClassVar[str] = "OfferRejected"
    VERSION: ClassVar[int] = 1

    sender: str
    receiver: str
    offer_seq: int

    def to_data(self) -> dict[str, Any]:
        return {"sender": self.sender, "receiver": self.receiver, "offer_seq": self.offer_seq}

    json_data = to_data  # what the codec writes; no cached parts here

    @classmethod
    def from_data(cls, d: dict[str, Any]) -> OfferRejected:
        return cls(d["sender"], d["receiver"], d["offer_seq"])


@attrs.frozen(slots=True)
class NegotiationEnded:
    """Talks end: by agreement, at the deadline, or because ``by`` walked away."""

    TYPE: ClassVar[str] = "NegotiationEnded"
    VERSION: ClassVar[int] = 1

    reason: str = attrs.field(validator=_member(NEGOTIATION_END_REASONS))
    parties: tuple[str, ...] = attrs.field(converter=tuple)
    by: str | None = None

    def to_data(self) -> dict[str, Any]:
        return {"reason": self.reason, "parties": list(self.parties), "by": self.by}

    json_data = to_data  # what the codec writes; no cached parts here

    @classmethod
    def from_data(cls, d: dict[str, Any]) -> NegotiationEnded:
        return cls(d["reason"], d["parties"], d["by"])


@attrs.frozen(slots=True)
class AgiClause:
    """What the contract says happens at AGI: which rights lapse, and on what event.

    Rights in ``lapses`` end at AGI unless the terms grant ``post_agi_access``;
    ``on`` is "declared" (at declaration) or "verified" (only once verified).
    """

    lapses: tuple[str, ...] = attrs.field(converter=tuple, default=RIGHTS)
    on: str = attrs.field(default="declared", validator=_member(AGI_LAPSE_ON))

    @lapses.validator
    def _check(self, _: attrs.Attribute[Any], value: tuple[str, ...]) -> None:
        unknown = [right for right in value if right not in RIGHTS]
        if unknown:
            raise ValueError(f"unknown right {unknown[0]!r}; expected one of {', '.join(RIGHTS)}")

    def to_data(self) -> dict[str, Any]:
        return {"lapses": list(self.lapses), "on": self.on}

    @classmethod
    def from_data(cls, d: dict[str, Any]) -> AgiClause:
        return cls(d["lapses"], d["on"])


@attrs.frozen(slots=True)
class ContractSigned:
    """A contract (or amendment) is signed.

    ``terms`` are the complete terms it puts in force; ``investment_bn`` is the new
    money it commits. With ``review`` the deal takes force only once every review
    opened on it approves; without, it takes force at signing (the prelude).
    """

    TYPE: ClassVar[str] = "ContractSigned"
    VERSION: ClassVar[int] = 1

    contract_id: str
    parties: tuple[str, ...] = attrs.field(converter=tuple)
    terms: Offer
    investment_bn: float = attrs.field(converter=finite_float)
    review: bool
    agi_clause: AgiClause = attrs.field(factory=AgiClause)

    def to_data(self) -> dict[str, Any]:
        return {
            "contract_id": self.contract_id,
            "parties": list(self.parties),
            "terms": self.terms.to_data(),
            "investment_bn": self.investment_bn,
            "review": self.review,
            "agi_clause": self.agi_clause.to_data(),
        }

    json_data = to_data  # what the codec writes; no cached parts here

    @classmethod
    def from_data(cls, d: dict[str, Any]) -> ContractSigned:
        return cls(
            d["contract_id"],
            d["parties"],
            offer_from_data(d["terms"]),
            d["investment_bn"],
            d["review"],
            AgiClause.from_data(d["agi_clause"]),
        )


@attrs.frozen(slots=True)
class ReviewOpened:
    """A regulator opens a review of a signed contract; ``due`` is the expected ruling time."""

    TYPE: ClassVar[str] = "ReviewOpened"
    VERSION: ClassVar[int] = 1

    regulator: str
    contract_id: str
    due: float = attrs.field(converter=finite_float)

    def to_data(self) -> dict[str, Any]:
        return {"regulator": self.regulator, "contract_id": self.contract_id, "due": self.due}

    json_data = to_data  # what the codec writes; no cached parts here

    @classmethod
    def from_data(cls, d: dict[str, Any]) -> ReviewOpened:
        return cls(d["regulator"], d["contract_id"], d["due"])


@attrs.frozen(slots=True)
class RulingIssued:
    """A regulator rules: approved, approved with conditions (a terms patch), or blocked."""

    TYPE: ClassVar[str] = "RulingIssued"
    VERSION: ClassVar[int] = 2

    regulator: str
    contract_id: str
    outcome: str = attrs.field(validator=_member(RULING_OUTCOMES))
    conditions: TermsPatch = attrs.field(factory=TermsPatch)

    def to_data(self) -> dict[str, Any]:
        return {
            "regulator": self.regulator,
            "contract_id": self.contract_id,
            "outcome": self.outcome,
            "conditions": self.conditions.to_data(),
        }

    json_data = to_data  # what the codec writes; no cached parts here

    @classmethod
    def from_data(cls, d: dict[str, Any]) -> RulingIssued:
        return cls(
            d["regulator"], d["contract_id"], d["outcome"], TermsPatch.from_data(d["conditions"])
        )


@attrs.frozen(slots=True)
class OutsideOfferMade:
    """A competitor offers OpenAI a deal (cloud capacity or investment) worth ``value_bn``."""

    TYPE: ClassVar[str] = "OutsideOfferMade"
    VERSION: ClassVar[int] = 1

    competitor: str
    to: str
    kind: str
    value_bn: float = attrs.field(converter=finite_float)
    expires: float = attrs.field(converter=finite_float)

    def to_data(self) -> dict[str, Any]:
        return {
            "competitor": self.competitor,
            "to": self.to,
            "kind": self.kind,
            "value_bn": self.value_bn,
            "expires": self.expires,
        }

    json_data = to_data  # what the codec writes; no cached parts here

    @classmethod
    def from_data(cls, d: dict[str, Any]) -> OutsideOfferMade:
        return cls(d["competitor"], d["to"], d["kind"], d["value_bn"], d["expires"])


@attrs.frozen(slots=True)
class FirstRefusalExercised:
    """Microsoft matches the outside offer at seq ``offer_seq`` under its ROFR."""

    TYPE: ClassVar[str] = "FirstRefusalExercised"
    VERSION: ClassVar[int] = 1

    by: str
    offer_seq: int
    competitor: str
    value_bn: float = attrs.field(converter=finite_float)

    def to_data(self) -> dict[str, Any]:
        return {
            "by": self.by,
            "offer_seq": self.offer_seq,
            "competitor": self.competitor,
            "value_bn": self.value_bn,
        }

    json_data = to_data  # what the codec writes; no cached parts here

    @classmethod
    def from_data(cls, d: dict[str, Any]) -> FirstRefusalExercised:
        return cls(d["by"], d["offer_seq"], d["competitor"], d["value_bn"])


@attrs.frozen(slots=True)
class FirstRefusalWaived:
    """Microsoft lets its ROFR on the outside offer at seq ``offer_seq`` pass."""

    TYPE: ClassVar[str] = "FirstRefusalWaived"
    VERSION: ClassVar[int] = 1

    by: str
    offer_seq: int
    competitor: str

    def to_data(self) -> dict[str, Any]:
        return {"by": self.by, "offer_seq": self.offer_seq, "competitor": self.competitor}

    json_data = to_data  # what the codec writes; no cached parts here

    @classmethod
    def from_data(cls, d: dict[str, Any]) -> FirstRefusalWaived:
        return cls(d["by"], d["offer_seq"], d["competitor"])


@attrs.frozen(slots=True)
class OutsideDealAccepted:
    """OpenAI takes a competitor's outside offer (ROFR waived, or none in force)."""

    TYPE: ClassVar[str] = "OutsideDealAccepted"
    VERSION: ClassVar[int] = 1

    by: str
    offer_seq: int
    competitor: str
    value_bn: float = attrs.field(converter=finite_float)

    def to_data(self) -> dict[str, Any]:
        return {
            "by": self.by,
            "offer_seq": self.offer_seq,
            "competitor": self.competitor,
            "value_bn": self.value_bn,
        }

    json_data = to_data  # what the codec writes; no cached parts here

    @classmethod
    def from_data(cls, d: dict[str, Any]) -> OutsideDealAccepted:
        return cls(d["by"], d["offer_seq"], d["competitor"], d["value_bn"])


@attrs.frozen(slots=True)
class MilestoneReached:
    """A milestone (``"agi"``): declared, and optionally later verified."""

    TYPE: ClassVar[str] = "MilestoneReached"
    VERSION: ClassVar[int] = 1

    milestone: str
    declared_by: str
    verified: bool

    def to_data(self) -> dict[str, Any]:
        return {
            "milestone": self.milestone,
            "declared_by": self.declared_by,
            "verified": self.verified,
        }

    json_data = to_data  # what the codec writes; no cached parts here

    @classmethod
    def from_data(cls, d: dict[str, Any]) -> MilestoneReached:
        return cls(d["milestone"], d["declared_by"], d["verified"])


@attrs.frozen(slots=True)
class ContractExpired:
    """The contract ``contract_id`` reached the end of its term."""

    TYPE: ClassVar[str] = "ContractExpired"
    VERSION: ClassVar[int] = 1

    contract_id: str

    def to_data(self) -> dict[str, Any]:
        return {"contract_id": self.contract_id}

    json_data = to_data  # what the codec writes; no cached parts here

    @classmethod
    def from_data(cls, d: dict[str, Any]) -> ContractExpired:
        return cls(d["contract_id"])


@attrs.frozen(slots=True)
class RunEnded:
    """Last event of a finished run; a log without it was cut short."""

    TYPE: ClassVar[str] = "RunEnded"
    VERSION: ClassVar[int] = 1

    reason: str  # "horizon" | "quiescent" | "agreement" | "no_agreement"

    def to_data(self) -> dict[str, Any]:
        return {"reason": self.reason}

    json_data = to_data  # what the codec writes; no cached parts here

    @classmethod
    def from_data(cls, d: dict[str, Any]) -> RunEnded:
        return cls(d["reason"])


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

    parent_digest: str
    at_seq: int
    changes: dict[str, Any] = attrs.field(factory=dict)
    seed: str | None = None

    def to_data(self) -> dict[str, Any]:
        return {
            "parent_digest": self.parent_digest,
            "at_seq": self.at_seq,
            "changes": self.changes,
            "seed": self.seed,
        }

    json_data = to_data  # what the codec writes; no cached parts here

    @classmethod
    def from_data(cls, d: dict[str, Any]) -> Forked:
        return cls(d["parent_digest"], d["at_seq"], d["changes"], d["seed"])


Event = (
    RunStarted
    | OfferMade
    | OfferAccepted
    | OfferRejected
    | NegotiationEnded
    | ContractSigned
    | ReviewOpened
    | RulingIssued
    | OutsideOfferMade
    | FirstRefusalExercised
    | FirstRefusalWaived
    | OutsideDealAccepted
    | MilestoneReached
    | ContractExpired
    | RunEnded
    | Forked
)

EVENT_TYPES: Final[dict[str, type[Any]]] = {
    cls.TYPE: cls
    for cls in (
        RunStarted,
        OfferMade,
        OfferAccepted,
        OfferRejected,
        NegotiationEnded,
        ContractSigned,
        ReviewOpened,
        RulingIssued,
        OutsideOfferMade,
        FirstRefusalExercised,
        FirstRefusalWaived,
        OutsideDealAccepted,
        MilestoneReached,
        ContractExpired,
        RunEnded,
        Forked,
    )
}

__all__ = [
    "EVENT_TYPES",
    "RIGHTS",
    "AgiClause",
    "ContractExpired",
    "ContractSigned",
    "Event",
    "FirstRefusalExercised",
    "FirstRefusalWaived",
    "Forked",
    "MilestoneReached",
    "NegotiationEnded",
    "OfferAccepted",
    "OfferMade",
    "OfferRejected",
    "OutsideDealAccepted",
    "OutsideOfferMade",
    "ReviewOpened",
    "RulingIssued",
    "RunEnded",
    "RunStarted",
    "Terms",
]
