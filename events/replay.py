"""Replay: the one place that derives contract state from events.

``fold(records)`` is a pure function of the records. ``Folder`` is the same
computation done incrementally (the engine keeps one for its parties); ``fold`` is
just a ``Folder`` fed every record, so the two cannot disagree.

Rights are derived from the clauses in force when a state is taken, each clause by
its own expiry: a year or date (checked against the calendar date of the state's
time), the AGI declaration, or its verification. So ``state_at(records, t)`` sees a
dated clause lapse exactly at its date, with no event needed.
"""

from __future__ import annotations

import bisect
import datetime as dt
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from itertools import compress
from types import MappingProxyType

import attrs

from events.calendar import date_at, time_range
from events.clauses import AgiDefinition, Clause, ComputeCommitment, Equity, Investment
from events.codec import Recorded
from events.model import (
    FINAL_CLEARANCES,
    RESTRUCTURING_APPROVALS,
    ConsentGiven,
    ConsentRefused,
    ContractExpired,
    ContractSigned,
    FirstRefusalExercised,
    FirstRefusalWaived,
    FundingConditionMissed,
    MilestoneReached,
    NegotiationEnded,
    OfferAccepted,
    OfferMade,
    OfferRejected,
    OutsideDealAccepted,
    OutsideOfferMade,
    OutsideOptionImproved,
    RegulatorAsked,
    RestructuringEnded,
    RestructuringProposed,
    RestructuringReviewed,
    ReviewOpened,
    RulingIssued,
    RunStarted,
)
from events.records import LazyRecords
from events.state import ContractState
from events.terms import Outcome


class Folder:
    """Accumulates records into contract state; ``state()`` snapshots it (frozen)."""

    __slots__ = (
        "_dated",
        "_range",
        "agi_declared",
        "agi_time",
        "agi_verified",
        "agi_verified_time",
        "clauses",
        "commitments",
        "complaints",
        "contract_id",
        "equity",
        "funding_at_risk",
        "funding_deadline",
        "funding_lost",
        "granted",
        "in_force_reviews",
        "investment",
        "offered_to",
        "open_offers",
        "options",
        "outside_deals",
        "outside_taken",
        "pending",
        "pending_clauses",
        "pending_id",
        "pending_term_end",
        "restructuring",
        "restructuring_consent",
        "restructuring_long_stop",
        "restructuring_reviews",
        "restructuring_time",
        "reviewed_id",
        "reviews",
        "rofr_exercised",
        "rofr_matched",
        "seq",
        "start",
        "status",
        "t",
        "talks",
        "talks_outcome",
        "term_end",
        "terms",
    )

    def __init__(self) -> None:
        self.status = "negotiating"
        self.start: dt.date | None = None  # calendar date of t = 0 (month logs only)
        self.terms: Outcome | None = None
        self.clauses: tuple[Clause, ...] = ()
        self.term_end: int | None = None
        self.contract_id: str | None = None
        self.granted: dict[str, None] = {}  # every right granted so far, in order
        self.investment = 0.0
        self.commitments: dict[str, list[float]] = {}  # summed with fsum, as below
        self.equity: dict[str, float] = {}
        self.pending: Outcome | None = None
        self.pending_clauses: tuple[Clause, ...] = ()
        self.pending_term_end: int | None = None
        self.pending_id: str | None = None
        self.reviews: dict[str, str] = {}
        self.reviewed_id: str | None = None  # the contract ``reviews`` are about
        self.agi_declared = False
        self.agi_time: float | None = None
        self.agi_verified = False
        self.agi_verified_time: float | None = None
        self.talks = "not_started"
        self.talks_outcome: str | None = None
        self.outside_deals: list[str] = []
        self.offered_to: dict[int, str] = {}  # outside offer seq -> the party offered
        self.rofr_exercised = 0
        self.restructuring = "none"  # see events.state.RESTRUCTURING_STATUSES
        self.restructuring_consent = "none"
        self.restructuring_reviews: dict[str, str] = {}
        self.restructuring_time: float | None = None
        self.restructuring_long_stop: float | None = None
        self.funding_deadline: float | None = None
        self.funding_at_risk = 0.0
        self.funding_lost = 0.0
        # Money outside the contract: amounts are kept as the list of their parts and
        # summed with math.fsum when a state is taken, so a total is the exactly
        # rounded sum of what the log says, whatever the order of additions.
        self.rofr_matched: list[float] = []
        self.outside_taken: dict[str, list[float]] = {}
        # outside offer seq -> (competitor, value_bn, expires), until it is decided
        self.open_offers: dict[int, tuple[str, float, float]] = {}
        self.options: dict[str, float] = {}
        self.in_force_reviews: dict[str, str] = {}  # regulator -> its latest word
        self.complaints: list[tuple[str, str]] = []  # (party, regulator)
        self.seq = -1
        self.t = 0.0
        # Caches of rights(): whether a clause in force has a dated expiry (per
        # clauses tuple), and the calendar's time range (per start date).
        self._dated: tuple[tuple[Clause, ...], bool] | None = None
        self._range: tuple[dt.date, float, float] | None = None

    def apply(self, record: Recorded) -> None:
        self.seq = record.seq
        self.t = record.t
        handler = _HANDLERS.get(type(record.event))
        if handler is not None:
            handler(self, record.event)

    # --- handlers -------------------------------------------------------------

    def _started(self, event: RunStarted) -> None:
        if event.time_unit == "month":
            self.start = dt.date.fromisoformat(event.start_date)

    def _talk(self, _: object) -> None:
        self.talks = "open"

    def _ended(self, event: NegotiationEnded) -> None:
        self.talks = "closed"
        self.talks_outcome = event.reason

    def _signed(self, event: ContractSigned) -> None:
        if event.review:
            self.pending = event.terms
            self.pending_clauses = event.clauses
            self.pending_term_end = event.term_end
            self.pending_id = event.contract_id
            self.reviews = {}
            self.reviewed_id = event.contract_id
            self.status = "signed"
        else:
            self._take_force(event.contract_id, event.terms, event.clauses, event.term_end)

    def _take_force(
        self, contract_id: str, terms: Outcome, clauses: tuple[Clause, ...], term_end: int | None
    ) -> None:
        self.terms = terms
        self.clauses = clauses
        self.term_end = term_end
        self.contract_id = contract_id
        self.status = "in_force"
        self._grant(clauses)

    def _grant(self, clauses: Iterable[Clause]) -> None:
        """Rights and amounts of clauses taking force."""
        for clause in clauses:
            for right in clause.rights():
                self.granted[right] = None
            if isinstance(clause, Investment):
                self.investment += clause.amount_bn
            elif isinstance(clause, ComputeCommitment):
                key = f"{clause.buyer}_to_{clause.seller}"
                self.commitments.setdefault(key, []).append(clause.amount_bn)
            elif isinstance(clause, Equity):
                self.equity[clause.holder] = clause.share

    def _review(self, event: ReviewOpened) -> None:
        if event.in_force:
            self.in_force_reviews[event.regulator] = "open"
            return
        if event.contract_id == self.pending_id:
            self.reviews[event.regulator] = "open"
            self.status = "under_review"

    def _ruling(self, event: RulingIssued) -> None:
        if event.in_force:
            self._ruling_in_force(event)
            return
        if event.contract_id != self.reviewed_id:
            return
        # Every ruling on the deal is kept, also those that come after another
        # regulator blocked it; only a deal still pending can take force.
        self.reviews[event.regulator] = event.outcome
        if event.contract_id != self.pending_id or self.pending is None:
            return
        if event.outcome == "inquiry":  # not final: the regulator rules again later
            return
        if event.outcome == "blocked":
            self.pending = None
            self.pending_clauses = ()
            self.pending_id = None
            self.status = "blocked"
            return
        conditions = event.conditions
        if conditions:
            self.pending_clauses = conditions.apply(self.pending_clauses)
            if conditions.term_end is not None:
                self.pending_term_end = conditions.term_end
        if all(outcome in FINAL_CLEARANCES for outcome in self.reviews.values()):
            self._take_force(
                event.contract_id, self.pending, self.pending_clauses, self.pending_term_end
            )
            self.pending = None
            self.pending_clauses = ()
            self.pending_id = None

    def _ruling_in_force(self, event: RulingIssued) -> None:
        """A ruling on the contract in force: approved or no_jurisdiction leave it as
        it is, an inquiry keeps the review open, conditions amend it (the clauses they
        add take force now; what it carried stays, money already paid included)."""
        self.in_force_reviews[event.regulator] = event.outcome
        conditions = event.conditions
        if not conditions or self.contract_id is None:
            return
        before = set(self.clauses)
        self.clauses = conditions.apply(self.clauses)
        self._grant(clause for clause in self.clauses if clause not in before)

    def _asked(self, event: RegulatorAsked) -> None:
        self.complaints.append((event.by, event.regulator))

    def _milestone(self, event: MilestoneReached) -> None:
        if event.milestone != "agi":
            return
        if not self.agi_declared:
            self.agi_declared = True
            self.agi_time = self.t
        if event.verified and not self.agi_verified:
            self.agi_verified = True
            self.agi_verified_time = self.t

    def _expired(self, event: ContractExpired) -> None:
        if event.contract_id == self.contract_id:
            self.terms = None
            self.clauses = ()
            self.term_end = None
            self.contract_id = None
            self.status = "expired"

    def _outside(self, event: OutsideDealAccepted) -> None:
        self.outside_deals.append(event.competitor)
        self.outside_taken.setdefault(event.competitor, []).append(event.value_bn)
        self.open_offers.pop(event.offer_seq, None)

    def _offer_outside(self, event: OutsideOfferMade) -> None:
        self.offered_to[self.seq] = event.to
        self.open_offers[self.seq] = (event.competitor, event.value_bn, event.expires)

    def _rofr(self, event: FirstRefusalExercised) -> None:
        """A matched outside offer is a commitment: the holder supplies the capacity it
        matched, and the party it was offered to buys it (``<buyer>_to_<seller>``)."""
        self.rofr_exercised += 1
        self.rofr_matched.append(event.value_bn)
        self.open_offers.pop(event.offer_seq, None)
        buyer = self.offered_to.get(event.offer_seq)
        if buyer is not None:
            key = f"{buyer}_to_{event.by}"
            self.commitments.setdefault(key, []).append(event.value_bn)

    def _waived(self, event: FirstRefusalWaived) -> None:
        self.open_offers.pop(event.offer_seq, None)

    def _option(self, event: OutsideOptionImproved) -> None:
        self.options[f"{event.party}.{event.option}"] = event.value

    def pending_outside(self, at: float) -> dict[str, float]:
        """Per competitor, USD bn of outside offers not yet decided and not expired at ``at``."""
        parts: dict[str, list[float]] = {}
        for competitor, value, expires in self.open_offers.values():
            if expires >= at:
                parts.setdefault(competitor, []).append(value)
        return {key: round(math.fsum(values), 9) for key, values in sorted(parts.items())}

    # --- the restructuring (agents.restructuring) --------------------------------

    def _proposed(self, event: RestructuringProposed) -> None:
        self.restructuring_reviews = dict.fromkeys(event.reviewers, "open")
        self.restructuring_consent = "none"
        self.restructuring_time = None
        self.restructuring_long_stop = event.long_stop
        self.funding_deadline = event.funding_deadline
        self.funding_at_risk = event.funding_at_risk_bn
        self.restructuring = "proposed"  # a new proposal starts afresh
        self._restructuring_pending()

    def _consented(self, _: ConsentGiven) -> None:
        self.restructuring_consent = "given"
        self._restructuring_pending()

    def _refused(self, _: ConsentRefused) -> None:
        if self.restructuring_consent != "given":  # a consent, once given, stands
            self.restructuring_consent = "refused"
        self._restructuring_pending()

    def _restructuring_reviewed(self, event: RestructuringReviewed) -> None:
        self.restructuring_reviews[event.reviewer] = event.outcome
        self._restructuring_pending()

    def _restructuring_ended(self, event: RestructuringEnded) -> None:
        self.restructuring = event.outcome
        self.restructuring_time = self.t

    def _funding_missed(self, event: FundingConditionMissed) -> None:
        self.funding_lost += event.amount_bn

    def _restructuring_pending(self) -> None:
        """The pending status from the consent and the rulings (never after its end)."""
        if self.restructuring in ("completed", "failed"):
            return
        approved = all(
            outcome in RESTRUCTURING_APPROVALS for outcome in self.restructuring_reviews.values()
        )
        if self.restructuring_consent == "given":
            # Consent and every approval: the actor records the completion at once.
            self.restructuring = "consented"
        elif approved and self.restructuring_reviews:
            self.restructuring = "approved"
        else:
            self.restructuring = "proposed"

    # --- snapshot -------------------------------------------------------------

    def agi_definition(self, at: float | None = None) -> AgiDefinition | None:
        """The ``agi_definition`` clause in force at ``at`` (default: the time of the
        last event): of the contract in force, its own expiry not yet triggered."""
        today = None if self.start is None else date_at(self.start, self.t if at is None else at)
        declared, verified = self.agi_declared, self.agi_verified
        for clause in self.clauses:
            if type(clause) is not AgiDefinition:
                continue
            if clause.expiry.triggers and clause.expiry.lapsed(today, declared, verified):
                continue
            return clause
        return None

    def rights(self, at: float | None = None) -> dict[str, bool]:
        """Every right granted so far -> whether a clause in force holds it at ``at``
        (default: the time of the last event)."""
        today = None
        start = self.start
        if start is not None:
            t = self.t if at is None else at
            if self._dates_matter():
                today = date_at(start, t)
            else:  # no clause in force ends on a date: only date_at's range check
                span = self._range
                if span is None or span[0] is not start:
                    span = self._range = (start, *time_range(start))
                if not (math.isfinite(t) and span[1] - 1e-6 <= t <= span[2] + 1e-6):
                    date_at(start, t)  # raises the calendar's own error
        rights = dict.fromkeys(self.granted, False)
        declared, verified = self.agi_declared, self.agi_verified
        for clause in self.clauses:
            if clause.expiry.triggers and clause.expiry.lapsed(today, declared, verified):
                continue
            for right in clause.rights():
                rights[right] = True
        return rights

    def _dates_matter(self) -> bool:
        """Whether a clause in force may lapse on a date (else ``today`` is not read)."""
        clauses = self.clauses
        dated = self._dated
        if dated is None or dated[0] is not clauses:
            matter = any(c.expiry.triggers and c.expiry.end_date() is not None for c in clauses)
            dated = self._dated = (clauses, matter)
        return dated[1]

    def state(self, at: float | None = None) -> ContractState:
        """The state now, or at time ``at`` (no earlier than the last event applied)."""
        return ContractState(
            status=self.status,
            terms=self.terms,
            contract_id=self.contract_id,
            term_end=self.term_end,
            clauses=self.clauses,
            rights=self.rights(at),
            investment_total_bn=round(self.investment, 9),
            compute_commitments_bn={k: round(math.fsum(v), 9) for k, v in self.commitments.items()},
            equity=dict(self.equity),
            agi_declared=self.agi_declared,
            agi_time=self.agi_time,
            agi_verified=self.agi_verified,
            agi_verified_time=self.agi_verified_time,
            talks=self.talks,
            talks_outcome=self.talks_outcome,
            pending_terms=self.pending,
            pending_clauses=self.pending_clauses,
            reviews=tuple(sorted(self.reviews.items())),
            outside_deals=tuple(self.outside_deals),
            rofr_exercised=self.rofr_exercised,
            restructuring=self.restructuring,
            restructuring_consent=self.restructuring_consent,
            restructuring_reviews=tuple(sorted(self.restructuring_reviews.items())),
            restructuring_time=self.restructuring_time,
            restructuring_long_stop=self.restructuring_long_stop,
            funding_deadline=self.funding_deadline,
            funding_at_risk_bn=self.funding_at_risk,
            funding_lost_bn=round(self.funding_lost, 9),
            seq=self.seq,
            t=self.t if at is None else at,
            outside_taken_bn=self.outside_taken_bn,
            outside_pending_bn=self.pending_outside(self.t if at is None else at),
            rofr_matched_bn=self.rofr_matched_bn,
            outside_options=dict(self.options),
            in_force_reviews=tuple(sorted(self.in_force_reviews.items())),
            complaints=tuple(self.complaints),
            agi_definition=self.agi_definition(at),
        )

    # --- cheap reads: a few of ``state()``'s fields, without the snapshot -------------
    # Actors read these before every turn or outside offer (``agents.alternatives``,
    # ``agents.first_refusal``); each equals the ``state()`` field of the same name.

    def holds(self, right: str) -> bool:
        """``state().holds(right)``: whether a clause in force holds ``right`` now."""
        return self.rights().get(right, False)

    @property
    def outside_options(self) -> Mapping[str, float]:
        """``state().outside_options``, read-only and not copied."""
        return MappingProxyType(self.options)

    @property
    def outside_taken_bn(self) -> dict[str, float]:
        """``state().outside_taken_bn``: per competitor, USD bn of outside deals taken."""
        return {key: round(math.fsum(values), 9) for key, values in self.outside_taken.items()}

    @property
    def outside_pending_bn(self) -> dict[str, float]:
        """``state().outside_pending_bn``: outside offers still open now."""
        return self.pending_outside(self.t)

    @property
    def outside_compute_bn(self) -> float:
        """``state().outside_compute_bn``: USD bn of outside deals taken, in all."""
        return round(sum(self.outside_taken_bn.values()), 9)

    @property
    def rofr_matched_bn(self) -> float:
        """``state().rofr_matched_bn``: USD bn matched under a first refusal."""
        return round(math.fsum(self.rofr_matched), 9)


_HANDLERS: dict[type, Callable[[Folder, object], None]] = {
    RunStarted: Folder._started,  # type: ignore[dict-item]
    OfferMade: Folder._talk,
    OfferAccepted: Folder._talk,
    OfferRejected: Folder._talk,
    NegotiationEnded: Folder._ended,  # type: ignore[dict-item]
    ContractSigned: Folder._signed,  # type: ignore[dict-item]
    ReviewOpened: Folder._review,  # type: ignore[dict-item]
    RulingIssued: Folder._ruling,  # type: ignore[dict-item]
    MilestoneReached: Folder._milestone,  # type: ignore[dict-item]
    ContractExpired: Folder._expired,  # type: ignore[dict-item]
    OutsideDealAccepted: Folder._outside,  # type: ignore[dict-item]
    FirstRefusalExercised: Folder._rofr,  # type: ignore[dict-item]
    OutsideOfferMade: Folder._offer_outside,  # type: ignore[dict-item]
    RestructuringProposed: Folder._proposed,  # type: ignore[dict-item]
    ConsentGiven: Folder._consented,  # type: ignore[dict-item]
    ConsentRefused: Folder._refused,  # type: ignore[dict-item]
    RestructuringReviewed: Folder._restructuring_reviewed,  # type: ignore[dict-item]
    RestructuringEnded: Folder._restructuring_ended,  # type: ignore[dict-item]
    FundingConditionMissed: Folder._funding_missed,  # type: ignore[dict-item]
    FirstRefusalWaived: Folder._waived,  # type: ignore[dict-item]
    OutsideOptionImproved: Folder._option,  # type: ignore[dict-item]
    RegulatorAsked: Folder._asked,  # type: ignore[dict-item]
}


_TALKS = frozenset(kind for kind, handler in _HANDLERS.items() if handler is Folder._talk)
_FOLDED = frozenset(_HANDLERS) - _TALKS


def fold(records: Iterable[Recorded]) -> ContractState:
    """The contract state after all ``records`` (in log order)."""
    folder = Folder()
    _feed(folder, records)
    return folder.state()


def _feed(folder: Folder, records: Iterable[Recorded]) -> None:
    """``folder.apply`` of every record, in order, without the calls.

    Only the handlers read ``seq`` and ``t``, so they are set for the events that
    have one, and for the last record (what a state reports). The talks' events
    (offers and answers: most of a log) only open the talks, so a verified log's
    ``LazyRecords`` is folded by event class, and only the other events are built.
    """
    handlers = _HANDLERS
    talk = Folder._talk
    if type(records) is LazyRecords:
        kinds = records.kinds
        if not kinds:
            return
        # The records with a handler other than the talks', found without a Python
        # step per record; nothing but ``state()`` reads ``talks``, so the talks'
        # events only decide it where they come after the last NegotiationEnded.
        for index in compress(range(len(kinds)), map(_FOLDED.__contains__, kinds)):
            seq, folder.t, event = records[index]
            folder.seq = seq
            handlers[kinds[index]](folder, event)
        for kind in reversed(kinds):
            if kind in _TALKS:
                folder.talks = "open"
                break
            if kind is NegotiationEnded:
                break
        folder.seq = records.first_seq + len(kinds) - 1
        folder.t = records.times[-1]
        return
    record = None
    for record in records:
        event = record[2]
        handler = handlers.get(type(event))
        if handler is talk:
            folder.talks = "open"
        elif handler is not None:
            folder.seq = record[0]
            folder.t = record[1]
            handler(folder, event)
    if record is not None:
        folder.seq = record[0]
        folder.t = record[1]


def state_at(records: Iterable[Recorded], t: float) -> ContractState:
    """The state at simulated time ``t``: every event with time <= t applied, and
    every dated clause judged at ``t``."""
    folder = Folder()
    if type(records) is LazyRecords:
        # times never decrease in a verified log: the records up to t are a prefix
        _feed(folder, records[: bisect.bisect_right(records.times, t)])
        return folder.state(max(t, folder.t))
    for record in records:
        if record.t > t:
            break
        folder.apply(record)
    return folder.state(max(t, folder.t))


MILESTONES = {"agi": False, "agi-verified": True}


def milestone_index(records: Sequence[Recorded], milestone: str = "agi") -> int | None:
    """Position of the record where ``milestone`` ("agi" or "agi-verified") happened."""
    want_verified = MILESTONES[milestone]
    if type(records) is LazyRecords:  # build only the milestones' events
        kinds = records.kinds
        for index, kind in enumerate(kinds):
            if kind is MilestoneReached and _is_milestone(records[index][2], want_verified):
                return index
        return None
    for index, record in enumerate(records):
        if _is_milestone(record.event, want_verified):
            return index
    return None


def _is_milestone(event: object, want_verified: bool) -> bool:
    return (
        type(event) is MilestoneReached
        and event.milestone == "agi"
        and (event.verified or not want_verified)
    )


def around_milestone(
    records: Sequence[Recorded], milestone: str = "agi"
) -> tuple[ContractState, ContractState] | None:
    """The state just before and just after a milestone event, or None if it never
    happened. (For "after AGI" as users mean it, see :func:`around_agi`.)"""
    if milestone not in MILESTONES:
        raise ValueError(
            f"unknown milestone {milestone!r}; expected one of {', '.join(MILESTONES)}"
        )
    index = milestone_index(records, milestone)
    if index is None:
        return None
    folder = Folder()
    _feed(folder, records[:index])
    before = folder.state()
    folder.apply(records[index])
    return before, folder.state()


@attrs.frozen(slots=True)
class AroundAgi:
    """The contract just before AGI was declared and once the milestone took effect.

    ``after`` is taken just after the verification when a clause in force at the
    declaration waits for it (its expiry names ``agi_verified`` but not
    ``agi_declared``) and the verification came; otherwise just after the
    declaration. ``declared_at``/``verified_at`` are simulated times (or None).
    """

    before: ContractState
    after: ContractState
    declared_at: float
    verified_at: float | None


def around_agi(records: Sequence[Recorded]) -> AroundAgi | None:
    """Before and after AGI (see :class:`AroundAgi`), or None if it was never declared."""
    declared = milestone_index(records, "agi")
    if declared is None:
        return None
    folder = Folder()
    _feed(folder, records[:declared])
    before = folder.state()
    folder.apply(records[declared])
    after = folder.state()
    waits = any(clause.expiry.waits_for_verification for clause in folder.clauses)
    verified_index = milestone_index(records, "agi-verified")
    verified_at = None if verified_index is None else records[verified_index].t
    if waits and verified_index is not None and verified_index > declared:
        _feed(folder, records[declared + 1 : verified_index + 1])
        after = folder.state()
    return AroundAgi(before, after, records[declared].t, verified_at)


__all__ = [
    "AroundAgi",
    "Folder",
    "around_agi",
    "around_milestone",
    "fold",
    "milestone_index",
    "state_at",
]
