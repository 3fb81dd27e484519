"""OpenAI's need for new compute capacity over time, in USD bn of contracts.

Competitors offer capacity while this need is unmet (``agents.competitor``), and
OpenAI's alternative to a deal with Microsoft is the share of it secured outside
(``agents.alternatives``). The model (every constant an assumption given in the
scenario's ``[compute_need]`` table, with FACTS.md's anchors):

    revenue(t) = revenue_bn * growth ** years(t)          (years from ``at``;
                                                            growth stops at ``until``)
    need(t)    = min(cap_bn, per_revenue * revenue(t))

``revenue_bn`` is OpenAI's annualised revenue at ``at`` (FACTS.md: USD 10-12 bn by
mid-2025), ``growth`` its yearly growth factor (FACTS.md: USD 3.7 bn in 2024 to an
annualised USD 10-12 bn by mid-2025, about threefold), ``per_revenue`` the USD bn of
multi-year capacity contracts it needs per USD bn of annual revenue, ``cap_bn`` a
ceiling on the total (Stargate's USD 500 bn programme sets the scale).

The need is cumulative: what OpenAI must have under contract by ``t``, beyond the
Azure capacity of its existing contract. Covered by it: outside deals taken, offers
still open, and outside offers Microsoft matched (``covered``).
"""

from __future__ import annotations

from typing import Protocol

import attrs

MONTHS_PER_YEAR = 12.0


class Covered(Protocol):
    """What the need reads of the contract state (``ContractState``'s fields; the
    engine's running fold, ``events.replay.Folder``, answers them without a snapshot)."""

    @property
    def outside_compute_bn(self) -> float: ...

    @property
    def outside_pending_bn(self) -> dict[str, float]: ...

    @property
    def rofr_matched_bn(self) -> float: ...


@attrs.frozen(slots=True, kw_only=True)
class ComputeNeed:
    """OpenAI's cumulative need for new capacity (USD bn) at simulated time ``t`` (months)."""

    at: float  # months since the scenario's start: when revenue_bn was observed
    revenue_bn: float = attrs.field(validator=attrs.validators.gt(0.0))
    growth: float = attrs.field(validator=attrs.validators.ge(1.0))
    per_revenue: float = attrs.field(validator=attrs.validators.gt(0.0))
    until: float  # months: growth stops here (the need is flat after it)
    cap_bn: float = attrs.field(validator=attrs.validators.gt(0.0))

    def need_bn(self, t: float) -> float:
        years = (min(t, self.until) - self.at) / MONTHS_PER_YEAR
        return float(min(self.cap_bn, self.per_revenue * self.revenue_bn * self.growth**years))

    def covered_bn(self, state: Covered) -> float:
        """What is already provided for: outside deals taken, outside offers still open
        and outside offers Microsoft matched under its first refusal."""
        return (
            state.outside_compute_bn
            + sum(state.outside_pending_bn.values())
            + state.rofr_matched_bn
        )

    def unmet_bn(self, state: Covered, t: float) -> float:
        """USD bn of need at ``t`` that nothing in ``state`` covers yet (>= 0)."""
        return max(0.0, self.need_bn(t) - self.covered_bn(state))

    def growing(self, t: float) -> bool:
        """Whether the need still grows after ``t`` (it is flat from ``until`` or the cap)."""
        return t < self.until and self.need_bn(t) < self.cap_bn
