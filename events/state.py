"""``ContractState``: what the log implies about the partnership at one point.

Never stored; always derived by ``events.replay.fold``.
"""

from __future__ import annotations

from typing import Any, Final

import attrs

from events.terms import Offer, Terms

STATUSES: Final = ("negotiating", "signed", "under_review", "in_force", "blocked", "expired")


@attrs.frozen(slots=True)
class ContractState:
    """The partnership's contract state as of event ``seq`` at time ``t``.

    - ``status``: negotiating (no contract yet), signed (awaiting review),
      under_review, in_force, blocked (the latest deal was blocked; an earlier
      contract may still be in force, see ``terms``), expired.
    - ``terms``: the terms in force (None when nothing is in force).
    - ``rights``: each right (``ip_access``, ``revenue_share_to_microsoft``) and
      whether Microsoft holds it now, after any AGI clause has taken effect.
    - ``post_agi_access``: whether the terms in force keep Microsoft's rights past AGI.
    - ``pending_terms``: a signed deal awaiting review (with conditions imposed so far).
    """

    status: str
    terms: Offer | None
    contract_id: str | None
    investment_total_bn: float
    cloud: str | None
    term_end: int | None
    post_agi_access: bool
    rights: dict[str, bool]
    agi_declared: bool
    agi_time: float | None
    agi_verified: bool
    talks: str  # not_started | open | closed
    talks_outcome: str | None  # agreement | deadline | walk_away
    pending_terms: Offer | None
    reviews: tuple[
        tuple[str, str], ...
    ]  # (regulator, open|approved|approved_with_conditions|blocked)
    outside_deals: tuple[str, ...]
    rofr_exercised: int
    seq: int
    t: float

    def to_data(self) -> dict[str, Any]:
        """JSON-able form (``negsim replay --json``)."""
        return {
            "status": self.status,
            "terms": self.terms.to_data() if self.terms is not None else None,
            "contract_id": self.contract_id,
            "investment_total_bn": self.investment_total_bn,
            "cloud": self.cloud,
            "term_end": self.term_end,
            "post_agi_access": self.post_agi_access,
            "rights": dict(sorted(self.rights.items())),
            "agi_declared": self.agi_declared,
            "agi_time": self.agi_time,
            "agi_verified": self.agi_verified,
            "talks": self.talks,
            "talks_outcome": self.talks_outcome,
            "pending_terms": self.pending_terms.to_data() if self.pending_terms else None,
            "reviews": {regulator: outcome for regulator, outcome in self.reviews},
            "outside_deals": list(self.outside_deals),
            "rofr_exercised": self.rofr_exercised,
            "seq": self.seq,
            "t": self.t,
        }

    @property
    def microsoft_keeps_access(self) -> bool:
        """Microsoft holds IP access now (the headline of the post-AGI question)."""
        return self.rights.get("ip_access", False)


def terms_of(offer: Offer | None) -> Terms | None:
    return offer if isinstance(offer, Terms) else None
