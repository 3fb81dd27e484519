"""Replay: the one place that derives contract state from events.

``fold(records)`` is a pure function of the records. ``Folder`` is the same
computation done incrementally (the engine keeps one for its parties); ``fold`` is
just a ``Folder`` fed every record, so the two cannot disagree.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

from events.codec import Recorded
from events.model import (
    RIGHTS,
    AgiClause,
    ContractExpired,
    ContractSigned,
    FirstRefusalExercised,
    MilestoneReached,
    NegotiationEnded,
    OfferAccepted,
    OfferMade,
    OfferRejected,
    OutsideDealAccepted,
    ReviewOpened,
    RulingIssued,
)
from events.state import ContractState
from events.terms import Offer, Terms


class Folder:
    """Accumulates records into contract state; ``state()`` snapshots it (frozen)."""

    __slots__ = (
        "agi_declared",
        "agi_time",
        "agi_verified",
        "clause",
        "contract_id",
        "investment",
        "outside_deals",
        "pending",
        "pending_clause",
        "pending_id",
        "pending_investment",
        "reviewed_id",
        "reviews",
        "rofr_exercised",
        "seq",
        "status",
        "t",
        "talks",
        "talks_outcome",
        "terms",
    )

    def __init__(self) -> None:
        self.status = "negotiating"
        self.terms: Offer | None = None
        self.contract_id: str | None = None
        self.clause = AgiClause()
        self.investment = 0.0
        self.pending: Offer | None = None
        self.pending_id: str | None = None
        self.pending_investment = 0.0
        self.pending_clause = AgiClause()
        self.reviews: dict[str, str] = {}
        self.reviewed_id: str | None = None  # the contract ``reviews`` are about
        self.agi_declared = False
        self.agi_time: float | None = None
        self.agi_verified = False
        self.talks = "not_started"
        self.talks_outcome: str | None = None
        self.outside_deals: list[str] = []
        self.rofr_exercised = 0
        self.seq = -1
        self.t = 0.0

    def apply(self, record: Recorded) -> None:
        self.seq = record.seq
        self.t = record.t
        handler = _HANDLERS.get(type(record.event))
        if handler is not None:
            handler(self, record.event)

    # --- handlers -------------------------------------------------------------

    def _talk(self, _: object) -> None:
        self.talks = "open"

    def _ended(self, event: NegotiationEnded) -> None:
        self.talks = "closed"
        self.talks_outcome = event.reason

    def _signed(self, event: ContractSigned) -> None:
        if event.review:
            self.pending = event.terms
            self.pending_id = event.contract_id
            self.pending_investment = event.investment_bn
            self.pending_clause = event.agi_clause
            self.reviews = {}
            self.reviewed_id = event.contract_id
            self.status = "signed"
        else:
            self._take_force(event.contract_id, event.terms, event.investment_bn, event.agi_clause)

    def _take_force(
        self, contract_id: str, terms: Offer, investment: float, clause: AgiClause
    ) -> None:
        self.terms = terms
        self.contract_id = contract_id
        self.investment += investment
        self.clause = clause
        self.status = "in_force"

    def _review(self, event: ReviewOpened) -> None:
        if event.contract_id == self.pending_id:
            self.reviews[event.regulator] = "open"
            self.status = "under_review"

    def _ruling(self, event: RulingIssued) -> None:
        if event.contract_id != self.reviewed_id:
            return
        # Every ruling on the deal is kept, also those that come after another
        # regulator blocked it; only a deal still pending can take force.
        self.reviews[event.regulator] = event.outcome
        if event.contract_id != self.pending_id or self.pending is None:
            return
        if event.outcome == "blocked":
            self.pending = None
            self.pending_id = None
            self.status = "blocked"
            return
        if event.conditions and isinstance(self.pending, Terms):
            self.pending = self.pending.patched(event.conditions)
        if all(outcome != "open" for outcome in self.reviews.values()):
            self._take_force(
                event.contract_id, self.pending, self.pending_investment, self.pending_clause
            )
            self.pending = None
            self.pending_id = None

    def _milestone(self, event: MilestoneReached) -> None:
        if event.milestone != "agi":
            return
        if not self.agi_declared:
            self.agi_declared = True
            self.agi_time = self.t
        if event.verified:
            self.agi_verified = True

    def _expired(self, event: ContractExpired) -> None:
        if event.contract_id == self.contract_id:
            self.terms = None
            self.contract_id = None
            self.status = "expired"

    def _outside(self, event: OutsideDealAccepted) -> None:
        self.outside_deals.append(event.competitor)

    def _rofr(self, _: FirstRefusalExercised) -> None:
        self.rofr_exercised += 1

    # --- snapshot -------------------------------------------------------------

    def state(self) -> ContractState:
        terms = self.terms
        partnership = terms if isinstance(terms, Terms) else None
        return ContractState(
            status=self.status,
            terms=terms,
            contract_id=self.contract_id,
            investment_total_bn=round(self.investment, 9),
            cloud=partnership.cloud if partnership else None,
            term_end=partnership.term_end if partnership else None,
            post_agi_access=partnership.post_agi_access if partnership else False,
            rights=_rights(partnership, self.clause, self.agi_declared, self.agi_verified),
            agi_declared=self.agi_declared,
            agi_time=self.agi_time,
            agi_verified=self.agi_verified,
            talks=self.talks,
            talks_outcome=self.talks_outcome,
            pending_terms=self.pending,
            reviews=tuple(sorted(self.reviews.items())),
            outside_deals=tuple(self.outside_deals),
            rofr_exercised=self.rofr_exercised,
            seq=self.seq,
            t=self.t,
        )


def _rights(
    terms: Terms | None, clause: AgiClause, declared: bool, verified: bool
) -> dict[str, bool]:
    """Rights held now: granted by the terms, minus those the AGI clause has ended.

    A right in ``clause.lapses`` ends once AGI is declared (or verified, if the clause
    says so), unless the terms grant post-AGI access.
    """
    if terms is None:
        return dict.fromkeys(RIGHTS, False)
    granted = {
        "ip_access": terms.ip_scope != "none",
        "revenue_share_to_microsoft": terms.revenue_share > 0,
    }
    triggered = verified if clause.on == "verified" else declared
    if triggered and not terms.post_agi_access:
        for right in clause.lapses:
            granted[right] = False
    return granted


_HANDLERS: dict[type, Callable[[Folder, object], None]] = {
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
}


def fold(records: Iterable[Recorded]) -> ContractState:
    """The contract state after all ``records`` (in log order)."""
    folder = Folder()
    apply = folder.apply
    for record in records:
        apply(record)
    return folder.state()


def state_at(records: Iterable[Recorded], t: float) -> ContractState:
    """The state at simulated time ``t``: every event with time <= t applied."""
    folder = Folder()
    for record in records:
        if record.t > t:
            break
        folder.apply(record)
    return folder.state()


MILESTONES = {"agi": False, "agi-verified": True}


def milestone_index(records: Sequence[Recorded], milestone: str = "agi") -> int | None:
    """Position of the record where ``milestone`` ("agi" or "agi-verified") happened."""
    want_verified = MILESTONES[milestone]
    for index, record in enumerate(records):
        event = record.event
        if (
            type(event) is MilestoneReached
            and event.milestone == "agi"
            and (event.verified or not want_verified)
        ):
            return index
    return None


def around_milestone(
    records: Sequence[Recorded], milestone: str = "agi"
) -> tuple[ContractState, ContractState] | None:
    """The state just before and just after a milestone, or None if it never happened."""
    if milestone not in MILESTONES:
        raise ValueError(
            f"unknown milestone {milestone!r}; expected one of {', '.join(MILESTONES)}"
        )
    index = milestone_index(records, milestone)
    if index is None:
        return None
    folder = Folder()
    for record in records[:index]:
        folder.apply(record)
    before = folder.state()
    folder.apply(records[index])
    return before, folder.state()


__all__ = ["Folder", "around_milestone", "fold", "milestone_index", "state_at"]
