"""Random individually rational offers: the zero-intelligence baseline.

Source: Gode & Sunder, "Allocative efficiency of markets with zero-intelligence
traders", J. Political Economy 101 (1993) ("ZI-C": random bids constrained to be
individually rational); NegMAS ``RandomNegotiator`` for the acceptance coin.

- offer: an outcome drawn uniformly (``view.rng.integers``) among those whose own
  utility is at least the reservation value.
- accept an offer at or above the reservation value with probability
  ``accept_probability`` (one ``view.rng.random()`` draw, made only when the
  probability is strictly between 0 and 1); reject anything below it.
- with no outcome at or above the reservation it walks away.

Default ``accept_probability`` 0.5: a fair coin, neither a pushover (1.0 would
accept the first rational offer, whatever it is) nor a blocker.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import ClassVar

import attrs

from agents.strategies._params import Parametrised, check_real
from agents.strategies.base import UTILITY_EPS, NegotiationView, Response


def _accept_probability(value: object) -> float:
    return check_real(value, "accept_probability", low=0.0, high=1.0)


@attrs.frozen(kw_only=True)
class RandomOffers(Parametrised):
    """Uniformly random rational offers; accept rational offers with a coin flip."""

    name: ClassVar[str] = "random"
    classifier: ClassVar[Mapping[str, object]] = MappingProxyType(
        {"stochastic": True, "uses_time": False, "memory_depth": 0}
    )

    accept_probability: float = attrs.field(default=0.5, converter=_accept_probability)

    def propose(self, view: NegotiationView) -> int | None:
        k = view.count_at_least(view.reservation - UTILITY_EPS)
        if k == 0:
            return None
        return int(view.ranking[int(view.rng.integers(k))])

    def respond(self, view: NegotiationView, offer: int) -> Response:
        if view.best_utility < view.reservation:
            return Response.WALK_AWAY
        if view.utility_list[offer] < view.reservation - UTILITY_EPS:
            return Response.REJECT
        p = self.accept_probability
        if p >= 1.0 or (p > 0.0 and view.rng.random() < p):
            return Response.ACCEPT
        return Response.REJECT
