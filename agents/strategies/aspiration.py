"""Adaptive aspiration: the aspiration level moves toward what the opponent offers.

Sources: the level of aspiration in bargaining, Siegel & Fouraker, *Bargaining and
Group Decision Making* (1960); the adaptation rule of Karandikar, Mookherjee, Ray &
Vega-Redondo, "Evolving aspirations and cooperation", J. Econ. Theory 80 (1998):
the new aspiration is a weighted average of the old one and the payoff just seen,
``a_k = (1 - rate) * a_(k-1) + rate * payoff_k``.

Here the payoff after the opponent's k-th offer is the best own utility it has been
offered so far (at least its reservation value), ``m_k = max(reservation,
u(o_1), ..., u(o_k))``, and ``a_0`` is the best own utility of any outcome. So

    a_n = (1 - rate)**n * best + rate * sum_k (1 - rate)**(n - k) * m_k

after ``n`` opponent offers (a pure function of the view: nothing is remembered).

- offer: the outcome with the smallest own utility that is
  ``>= max(a_n, m_n)`` (it never asks for less than it has already been offered);
  among equal utilities the lowest index.
- accept the opponent's n-th offer iff its own utility is ``>= max(a_(n-1) -
  tolerance, reservation)``: the offer meets (satisfices) the aspiration held when it
  arrived. The aspiration only approaches a stationary opponent's offer
  geometrically, never reaching it; ``tolerance`` (default 0.01) is how close is
  close enough.
- with no outcome at or above the reservation it walks away.

Not to be confused with NegMAS's ``AspirationNegotiator``, which despite its name is a
time-based Boulware curve and does not adapt to the opponent: negsim provides it as
:class:`NegmasAspiration` (strategy ``"negmas-aspiration"``), below.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import ClassVar

import attrs
import numpy as np

from agents.strategies._params import Parametrised, check_real
from agents.strategies.base import UTILITY_EPS, NegotiationView, Response
from agents.strategies.time_based import BOULWARE_EXPONENT, TimeBasedConcession

NEGMAS_ASPIRATION_TOLERANCE = 0.001


def _rate(value: object) -> float:
    return check_real(value, "rate", low=0.0, high=1.0, low_open=True)


def _tolerance(value: object) -> float:
    return check_real(value, "tolerance", low=0.0, high=1.0, high_open=True)


@attrs.frozen(kw_only=True)
class Aspiration(Parametrised):
    """Aspiration level adapting toward the best offer received, at ``rate`` per
    opponent offer (``rate`` in (0, 1]; 1 jumps straight to the best offer); accepts
    offers within ``tolerance`` (in [0, 1)) of its aspiration."""

    name: ClassVar[str] = "aspiration"
    classifier: ClassVar[Mapping[str, object]] = MappingProxyType(
        {"stochastic": False, "uses_time": False, "memory_depth": float("inf")}
    )

    rate: float = attrs.field(default=0.2, converter=_rate)
    tolerance: float = attrs.field(default=0.01, converter=_tolerance)

    def levels(self, view: NegotiationView, n: int) -> tuple[float, float]:
        """``(a_n, m_n)``: aspiration and best payoff after the opponent's first ``n``
        offers (``m_0`` is the reservation value)."""
        best = view.best_utility
        reservation = view.reservation
        if n <= 0:
            return best, reservation
        offered = view.utilities[np.asarray(view.opponent_offers[:n], dtype=np.intp)]
        payoffs = np.maximum.accumulate(np.maximum(offered, reservation))
        keep = 1.0 - self.rate
        weights = keep ** np.arange(n - 1, -1, -1, dtype=np.float64)
        aspiration = keep**n * best + self.rate * float(weights @ payoffs)
        return aspiration, float(payoffs[-1])

    def propose(self, view: NegotiationView) -> int | None:
        if view.best_utility < view.reservation:
            return None
        aspiration, best_offered = self.levels(view, len(view.opponent_offers))
        return view.lowest_at_least(max(aspiration, best_offered) - UTILITY_EPS)

    def respond(self, view: NegotiationView, offer: int) -> Response:
        if view.best_utility < view.reservation:
            return Response.WALK_AWAY
        aspiration, _ = self.levels(view, len(view.opponent_offers) - 1)
        threshold = max(aspiration - self.tolerance, view.reservation)
        if view.utility_list[offer] >= threshold - UTILITY_EPS:
            return Response.ACCEPT
        return Response.REJECT


@attrs.frozen(kw_only=True)
class NegmasAspiration(TimeBasedConcession):
    """NegMAS 0.16's ``AspirationNegotiator``: a Boulware time curve (exponent 4.0)
    with tolerance 0.001.

    Source: ``negmas.gb.negotiators.timebased.AspirationNegotiator`` (NegMAS 0.16).
    Its defaults are ``max_aspiration=1.0``, ``aspiration_type="boulware"`` (a
    ``PolyAspiration`` with exponent 4.0), ``stochastic=False`` and ``tolerance=0.001``
    (passed to the inverter as ``eps``): the same rule as ``BoulwareTBNegotiator``
    (negsim ``"boulware"``) except for the tolerance, which is ten times NegMAS's
    default ``eps`` of 1e-4. So at relative time ``t`` it offers the outcome with the
    smallest own utility ``>= max(target - tolerance, reservation)`` with ``target =
    floor + (best - floor) * max_aspiration * (1 - t**exponent)``, and accepts an
    offer whose own utility reaches the same threshold (see
    :mod:`agents.strategies.time_based`).

    Parameters map one to one: NegMAS's ``max_aspiration`` and ``tolerance`` keep
    their names; its ``aspiration_type`` is ``exponent`` here ("boulware" = 4.0,
    "linear" = 1.0, "conceder" = 0.25). ``stochastic=True`` (a random outcome in the
    band) has no counterpart: negsim's offer is deterministic.
    """

    name: ClassVar[str] = "negmas-aspiration"
    default_exponent: ClassVar[float] = BOULWARE_EXPONENT

    tolerance: float = attrs.field(
        default=NEGMAS_ASPIRATION_TOLERANCE,
        converter=_tolerance,
    )
