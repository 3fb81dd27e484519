"""Time-based concession, as NegMAS's time-based negotiators define it.

Source: NegMAS (Mohammad, Nakadai & Greenwald, "NegMAS: a platform for situated
negotiations", 2019; code ``negmas.negotiators.helpers.PolyAspiration`` and
``negmas.gb.negotiators.timebased.TimeBasedConcedingNegotiator`` /
``BoulwareTBNegotiator`` / ``LinearTBNegotiator`` / ``ConcederTBNegotiator``), after
the polynomial time-dependent tactics of Faratin, Sierra & Jennings (1998).

At relative time ``t`` (in [0, 1]):

- aspiration ``a(t) = max_aspiration * (1 - t**exponent)`` (NegMAS ``PolyAspiration``;
  exponents: boulware 4.0, linear 1.0, conceder 0.25);
- target utility ``target = floor + (best - floor) * a(t)`` where ``best`` is the
  highest own utility of any outcome and ``floor = max(worst, reservation)`` with
  ``worst`` the lowest (NegMAS scales the curve to ``[ufun_min, ufun_max]`` and raises
  ``ufun_min`` to the reserved value);
- offer: the outcome with the *smallest* own utility that is
  ``>= max(target - tolerance, reservation)`` (NegMAS's non-stochastic inverter picks
  the worst outcome in ``[target - eps, best + eps]``; ``tolerance`` is its ``eps``,
  default 1e-4); among equal utilities the lowest index. NegMAS 0.16 takes the
  first of the tied outcomes in the order ``np.argsort`` (an unstable quicksort) left
  them in, so on ties the two may offer different outcomes of the same utility; its
  ``PresortingInverseUtilityFunction._cycle_around`` means to cycle among ties but
  discards the result of ``np.roll``, so in 0.16 it never does;
- accept iff the offer's own utility is ``>= max(target - tolerance, reservation)``
  (NegMAS accepts inside the same range); on a discrete space this is the same as
  "at least as good as what it would offer now, and not below its reservation";
- with no outcome at or above the reservation (``best < reservation``, e.g. after
  the engine raised it) it walks away: ``propose`` returns None, ``respond`` answers
  ``WALK_AWAY``.

Use ``relative_time(step, n_steps)`` for NegMAS's step-based clock.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import ClassVar

import attrs

from agents.strategies._params import Parametrised, check_real
from agents.strategies.base import UTILITY_EPS, NegotiationView, Response
from events.convert import is_int

BOULWARE_EXPONENT = 4.0
LINEAR_EXPONENT = 1.0
CONCEDER_EXPONENT = 0.25


def relative_time(step: int, n_steps: int | None) -> float:
    """NegMAS's relative time of a step-limited negotiation (``SAOMechanism``).

    ``min(1, (step + 1) / (n_steps + 1))`` for the 0-based ``step`` being played, so
    the first step is at ``1 / (n_steps + 1)`` and the last (``n_steps - 1``) at
    ``n_steps / (n_steps + 1)``: it never reaches 1 inside the negotiation. Without a
    step limit (``n_steps`` None) it is 0.0 (NegMAS, with no time limit and no
    ending probability). Source: ``negmas.mechanisms.Mechanism.relative_time``.
    """
    if not is_int(step) or step < 0:
        raise ValueError(f"step must be an integer >= 0, got {step!r}")
    if n_steps is None:
        return 0.0
    if not is_int(n_steps) or n_steps < 1:
        raise ValueError(f"n_steps must be an integer >= 1 or None, got {n_steps!r}")
    return min(1.0, (step + 1) / (n_steps + 1))


def _exponent(value: object) -> float:
    return check_real(value, "exponent", low=0.0, low_open=True)


def _max_aspiration(value: object) -> float:
    return check_real(value, "max_aspiration", low=0.0, high=1.0)


def _tolerance(value: object) -> float:
    return check_real(value, "tolerance", low=0.0, high=1.0, high_open=True)


@attrs.frozen(kw_only=True)
class TimeBasedConcession(Parametrised):
    """Polynomial time-based concession with any ``exponent`` (see module docs).

    ``exponent`` > 1 concedes late (Boulware), 1 linearly, < 1 early (Conceder).
    """

    name: ClassVar[str] = "time-based"
    default_exponent: ClassVar[float] = LINEAR_EXPONENT
    classifier: ClassVar[Mapping[str, object]] = MappingProxyType(
        {"stochastic": False, "uses_time": True, "memory_depth": 0}
    )

    exponent: float = attrs.field(
        default=attrs.Factory(lambda self: self.default_exponent, takes_self=True),
        converter=_exponent,
    )
    max_aspiration: float = attrs.field(default=1.0, converter=_max_aspiration)
    tolerance: float = attrs.field(default=1e-4, converter=_tolerance)

    def target(self, view: NegotiationView) -> float | None:
        """The target utility now; None if no outcome reaches the reservation value."""
        # Conditional expressions instead of max()/min() (called twice a turn): the
        # same values, NaN and signed zeros included, without the builtin calls.
        best = view.best_utility
        reservation = view.reservation
        if best < reservation:
            return None
        worst = view.worst_utility
        floor = reservation if reservation > worst else worst  # max(worst, reservation)
        t = view.relative_time
        t = t if t > 0.0 else 0.0  # max(0.0, t)
        t = t if t < 1.0 else 1.0  # min(1.0, t)
        elapsed: float = t**self.exponent  # float ** float is typed Any
        aspiration = self.max_aspiration * (1.0 - elapsed)
        return floor + (best - floor) * aspiration

    def _threshold(self, view: NegotiationView) -> float | None:
        target = self.target(view)
        if target is None:
            return None
        low = target - self.tolerance
        reservation = view.reservation
        return (reservation if reservation > low else low) - UTILITY_EPS  # max(low, res.)

    def propose(self, view: NegotiationView) -> int | None:
        threshold = self._threshold(view)
        if threshold is None:
            return None
        return view.lowest_at_least(threshold)

    def respond(self, view: NegotiationView, offer: int) -> Response:
        threshold = self._threshold(view)
        if threshold is None:
            return Response.WALK_AWAY
        if view.utility_list[offer] >= threshold:
            return Response.ACCEPT
        return Response.REJECT


@attrs.frozen(kw_only=True)
class Boulware(TimeBasedConcession):
    """NegMAS ``BoulwareTBNegotiator``: exponent 4.0 (concedes late)."""

    name: ClassVar[str] = "boulware"
    default_exponent: ClassVar[float] = BOULWARE_EXPONENT


@attrs.frozen(kw_only=True)
class Linear(TimeBasedConcession):
    """NegMAS ``LinearTBNegotiator``: exponent 1.0."""

    name: ClassVar[str] = "linear"
    default_exponent: ClassVar[float] = LINEAR_EXPONENT


@attrs.frozen(kw_only=True)
class Conceder(TimeBasedConcession):
    """NegMAS ``ConcederTBNegotiator``: exponent 0.25 (concedes early)."""

    name: ClassVar[str] = "conceder"
    default_exponent: ClassVar[float] = CONCEDER_EXPONENT
