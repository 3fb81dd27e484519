"""Named BOA combinations: the strategies a scenario can name.

- ``boa-boulware`` / ``boa-linear`` / ``boa-conceder``: NegMAS's polynomial time-based
  curve (``agents.strategies.time_based``; exponents 4, 1, 0.25) sets the target;
  bidding ``best-for-opponent`` with the frequency model; acceptance ``combi``.
- ``boa-tit-for-tat``: the target imitates the opponent's concessions
  (``agents.strategies.tit_for_tat``, Faratin, Sierra & Jennings 1998), same parts.
- ``tradeoff``: Faratin, Sierra & Jennings's similarity trade-off (2002): a slow
  (Boulware, exponent 4) time-based target, and among the bundles at or above it the
  one nearest the opponent's last offer (bidding ``nearest``), issue weights from the
  frequency model; acceptance ``combi``.

Every part can be swapped by a parameter (``bidding``, ``acceptance``, ...): the
name only sets the defaults.
"""

from __future__ import annotations

from typing import ClassVar

import attrs

from agents.boa.composed import BOAStrategy
from agents.boa.nearest_offer import NearestToOpponent
from agents.strategies._params import check_integer, check_real
from agents.strategies.base import NegotiationView
from agents.strategies.time_based import (
    BOULWARE_EXPONENT,
    CONCEDER_EXPONENT,
    LINEAR_EXPONENT,
    TimeBasedConcession,
)
from agents.strategies.tit_for_tat import TitForTat


def _exponent(value: object) -> float:
    return check_real(value, "exponent", low=0.0, low_open=True)


def _delay(value: object) -> int:
    return check_integer(value, "delay", low=1)


def _scale(value: object) -> float:
    return check_real(value, "scale", low=0.0, low_open=True)


@attrs.frozen(kw_only=True)
class BOATimeBased(BOAStrategy):
    """A time-based target (``exponent``: > 1 concedes late) with BOA bidding and
    acceptance."""

    name: ClassVar[str] = "boa-time-based"
    default_exponent: ClassVar[float] = LINEAR_EXPONENT

    exponent: float = attrs.field(
        default=attrs.Factory(lambda self: self.default_exponent, takes_self=True),
        converter=_exponent,
    )

    def target(self, view: NegotiationView) -> float | None:
        return _curve(self.exponent).target(view)


@attrs.frozen(kw_only=True)
class BOABoulware(BOATimeBased):
    """Boulware target (exponent 4: concedes late), bids best for the opponent as its
    frequency model sees it, accepts by AC_combi."""

    name: ClassVar[str] = "boa-boulware"
    default_exponent: ClassVar[float] = BOULWARE_EXPONENT


@attrs.frozen(kw_only=True)
class BOALinear(BOATimeBased):
    """Linear target (exponent 1), bids best for the opponent as its frequency model
    sees it, accepts by AC_combi."""

    name: ClassVar[str] = "boa-linear"
    default_exponent: ClassVar[float] = LINEAR_EXPONENT


@attrs.frozen(kw_only=True)
class BOAConceder(BOATimeBased):
    """Conceder target (exponent 0.25: concedes early), bids best for the opponent as
    its frequency model sees it, accepts by AC_combi."""

    name: ClassVar[str] = "boa-conceder"
    default_exponent: ClassVar[float] = CONCEDER_EXPONENT


@attrs.frozen(kw_only=True)
class Tradeoff(BOATimeBased):
    """Similarity trade-off (Faratin, Sierra & Jennings 2002): a Boulware target, and
    the bundle at or above it nearest the opponent's last offer."""

    name: ClassVar[str] = "tradeoff"
    default_exponent: ClassVar[float] = BOULWARE_EXPONENT
    default_bidding: ClassVar[str] = NearestToOpponent.name


@attrs.frozen(kw_only=True)
class BOATitForTat(BOAStrategy):
    """Tit-for-tat target (imitates the opponent's concessions, ``delay`` moves late,
    times ``scale``), bids best for the opponent as its frequency model sees it,
    accepts by AC_combi."""

    name: ClassVar[str] = "boa-tit-for-tat"
    classifier = BOAStrategy.classifier | {"uses_time": False}  # type: ignore[operator]

    delay: int = attrs.field(default=1, converter=_delay)
    scale: float = attrs.field(default=1.0, converter=_scale)

    def target(self, view: NegotiationView) -> float | None:
        return TitForTat(delay=self.delay, scale=self.scale).target(view)


_curves: dict[float, TimeBasedConcession] = {}


def _curve(exponent: float) -> TimeBasedConcession:
    """The time-based curve with this exponent (made once: validation is not free)."""
    curve = _curves.get(exponent)
    if curve is None:
        curve = _curves[exponent] = TimeBasedConcession(exponent=exponent)
    return curve


NAMED: tuple[type[BOAStrategy], ...] = (
    BOABoulware,
    BOALinear,
    BOAConceder,
    BOATitForTat,
    Tradeoff,
)
