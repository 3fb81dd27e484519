"""``ContractState``: what the log implies about the contract at one point in time.

Never stored; always derived by ``events.replay.fold``.
"""

from __future__ import annotations

from typing import Any, Final

import attrs

from events.clauses import AgiDefinition, Clause, clause_to_data
from events.terms import Outcome

STATUSES: Final = ("negotiating", "signed", "under_review", "in_force", "blocked", "expired")
# ``ContractState.restructuring``: "none" until a restructuring is proposed (always,
# in a scenario without one); then pending as "proposed" (neither the consent nor
# every approval yet), "consented" (consent given, some approval missing) or
# "approved" (every reviewer approved, consent missing); "completed" or "failed" at
# its end.
RESTRUCTURING_STATUSES: Final = (
    "none",
    "proposed",
    "consented",
    "approved",
    "completed",
    "failed",
)
RESTRUCTURING_PENDING: Final = ("proposed", "consented", "approved")


@attrs.frozen(slots=True)
class ContractState:
    """The contract state as of event ``seq``, at simulated time ``t``.

    - ``status``: negotiating (no contract yet), signed (awaiting review),
      under_review, in_force, blocked (the latest deal was blocked; an earlier
      contract may still be in force), expired.
    - ``terms``: the negotiated issue values of the contract in force (None when
      nothing is in force; empty for a contract from history).
    - ``clauses``: the clauses of the contract in force; ``term_end`` its end (year).
    - ``rights``: every right a contract in force has granted in this run
      (``license.models``, ``exclusivity.api``, ...) and whether it is active now:
      granted by a clause in force whose own expiry has not triggered.
    - amounts: ``investment_total_bn`` (all new money of contracts that took force),
      ``compute_commitments_bn`` (per ``<buyer>_to_<seller>``: commitments in
      contracts, and every outside offer matched under a first refusal, which the
      holder then supplies), ``equity`` (per holder).
    - ``pending_terms``/``pending_clauses``: a signed deal awaiting review, with the
      conditions imposed so far.
    - the restructuring (``agents.restructuring``): ``restructuring`` (one of
      ``RESTRUCTURING_STATUSES``), ``restructuring_consent`` ("none", "given",
      "refused": a refusal is not final, a consent is), ``restructuring_reviews``
      ((reviewer, open|approved|approved_with_conditions|blocked), sorted),
      ``restructuring_time`` (when it completed or failed; None while pending),
      ``restructuring_long_stop`` (when it fails if still pending; None: never),
      ``funding_deadline`` and ``funding_at_risk_bn`` (the funding condition the
      proposal is under: unless it completes by then, that much is withheld; None
      and 0 without one), ``funding_lost_bn`` (funding withheld so far, USD bn).
    - money outside the contract: ``outside_taken_bn`` (per competitor, USD bn of the
      outside deals taken), ``outside_pending_bn`` (per competitor, USD bn offered and
      not yet decided, until the offer expires), ``rofr_matched_bn`` (USD bn of outside
      offers matched under a first refusal: the part of ``compute_commitments_bn`` the
      matches made), ``outside_options`` (``"<party>.<option>"`` -> its latest value in
      [0, 1], from ``OutsideOptionImproved``).
    - ``in_force_reviews``: each regulator that has looked at the contract in force
      (an inquiry of its own, or one a party asked for) and its latest word: open,
      inquiry, approved, approved_with_conditions or no_jurisdiction. Kept for the
      whole run: the partnership stays under review as its contracts change.
    - ``complaints``: ``(party, regulator)`` for every time a party asked a
      regulator to look at the contract in force, in order.
    - ``agi_definition``: the ``agi_definition`` clause in force now (who declares
      AGI, whether a panel verifies it), or None when no clause in force has one.
    """

    status: str
    terms: Outcome | None
    contract_id: str | None
    term_end: int | None
    clauses: tuple[Clause, ...]
    rights: dict[str, bool]
    investment_total_bn: float
    compute_commitments_bn: dict[str, float]
    equity: dict[str, float]
    agi_declared: bool
    agi_time: float | None
    agi_verified: bool
    agi_verified_time: float | None
    talks: str  # not_started | open | closed
    talks_outcome: str | None  # agreement | deadline | walk_away
    pending_terms: Outcome | None
    pending_clauses: tuple[Clause, ...]
    reviews: tuple[tuple[str, str], ...]  # (regulator, open|approved|...|blocked)
    outside_deals: tuple[str, ...]
    rofr_exercised: int
    seq: int
    t: float
    restructuring: str = "none"
    restructuring_consent: str = "none"
    restructuring_reviews: tuple[tuple[str, str], ...] = ()
    restructuring_time: float | None = None
    restructuring_long_stop: float | None = None
    funding_deadline: float | None = None
    funding_at_risk_bn: float = 0.0
    funding_lost_bn: float = 0.0
    outside_taken_bn: dict[str, float] = attrs.field(factory=dict)
    outside_pending_bn: dict[str, float] = attrs.field(factory=dict)
    rofr_matched_bn: float = 0.0
    outside_options: dict[str, float] = attrs.field(factory=dict)
    in_force_reviews: tuple[tuple[str, str], ...] = ()  # (regulator, open|inquiry|...)
    complaints: tuple[tuple[str, str], ...] = ()  # (party, regulator)
    agi_definition: AgiDefinition | None = None

    def to_data(self) -> dict[str, Any]:
        """JSON-able form (``negsim replay --json``)."""
        return {
            "status": self.status,
            "terms": self.terms.as_dict() if self.terms is not None else None,
            "contract_id": self.contract_id,
            "term_end": self.term_end,
            "clauses": [clause_to_data(clause) for clause in self.clauses],
            "rights": dict(sorted(self.rights.items())),
            "investment_total_bn": self.investment_total_bn,
            "compute_commitments_bn": dict(sorted(self.compute_commitments_bn.items())),
            "equity": dict(sorted(self.equity.items())),
            "agi_declared": self.agi_declared,
            "agi_time": self.agi_time,
            "agi_verified": self.agi_verified,
            "agi_verified_time": self.agi_verified_time,
            "talks": self.talks,
            "talks_outcome": self.talks_outcome,
            "pending_terms": self.pending_terms.as_dict() if self.pending_terms else None,
            "pending_clauses": [clause_to_data(clause) for clause in self.pending_clauses],
            "reviews": {regulator: outcome for regulator, outcome in self.reviews},
            "outside_deals": list(self.outside_deals),
            "rofr_exercised": self.rofr_exercised,
            "restructuring": self.restructuring,
            "restructuring_consent": self.restructuring_consent,
            "restructuring_reviews": dict(self.restructuring_reviews),
            "restructuring_time": self.restructuring_time,
            "restructuring_long_stop": self.restructuring_long_stop,
            "funding_deadline": self.funding_deadline,
            "funding_at_risk_bn": self.funding_at_risk_bn,
            "funding_lost_bn": self.funding_lost_bn,
            "outside_taken_bn": dict(sorted(self.outside_taken_bn.items())),
            "outside_pending_bn": dict(sorted(self.outside_pending_bn.items())),
            "rofr_matched_bn": self.rofr_matched_bn,
            "outside_options": dict(sorted(self.outside_options.items())),
            "seq": self.seq,
            "t": self.t,
            "in_force_reviews": dict(self.in_force_reviews),
            "complaints": [list(pair) for pair in self.complaints],
            "agi_definition": (
                None if self.agi_definition is None else clause_to_data(self.agi_definition)
            ),
        }

    @property
    def restructuring_pending(self) -> bool:
        """Whether a proposed restructuring has neither completed nor failed yet."""
        return self.restructuring in RESTRUCTURING_PENDING

    @property
    def outside_compute_bn(self) -> float:
        """USD bn of outside deals taken, all competitors together."""
        return round(sum(self.outside_taken_bn.values()), 9)

    def holds(self, right: str) -> bool:
        """Whether ``right`` is active now (False if it was never granted)."""
        return self.rights.get(right, False)
