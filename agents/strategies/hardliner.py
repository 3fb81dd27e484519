"""The hardliner: always demands its best outcome.

Source: the "hard-headed"/take-it-or-leave-it baseline of the negotiation literature
(e.g. NegMAS ``ToughNegotiator``/``OnlyBestNegotiator``; Faratin, Sierra & Jennings
1998's limit of a Boulware tactic with infinite exponent).

- offer: always the best outcome (highest own utility; lowest index among ties),
  even if the engine raised the reservation value above it: the one strategy that
  may propose below its reservation value, by design.
- accept iff the offer's own utility is ``>= accept_above * best`` and not below the
  reservation value (``accept_above`` in [0, 1], default 1.0: only its best).
- never walks away.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import ClassVar

import attrs

from agents.strategies._params import Parametrised, check_real
from agents.strategies.base import UTILITY_EPS, NegotiationView, Response


def _accept_above(value: object) -> float:
    return check_real(value, "accept_above", low=0.0, high=1.0)


@attrs.frozen(kw_only=True)
class Hardliner(Parametrised):
    """Offer the best outcome, forever; accept only near-best offers."""

    name: ClassVar[str] = "hardliner"
    classifier: ClassVar[Mapping[str, object]] = MappingProxyType(
        {"stochastic": False, "uses_time": False, "memory_depth": 0}
    )

    accept_above: float = attrs.field(default=1.0, converter=_accept_above)

    def propose(self, view: NegotiationView) -> int | None:
        return int(view.ranking[0])

    def respond(self, view: NegotiationView, offer: int) -> Response:
        threshold = max(self.accept_above * view.best_utility, view.reservation)
        if view.utility_list[offer] >= threshold - UTILITY_EPS:
            return Response.ACCEPT
        return Response.REJECT
