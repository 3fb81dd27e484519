"""Acceptance conditions: when to take the opponent's offer.

Source: Baarslag, Hindriks & Jonker, "Effective acceptance conditions in multi-issue
negotiation" (AAMAS 2012) and "Acceptance conditions in automated negotiation"
(Complex Automated Negotiations, Springer 2013); NegMAS ``ACNext``, ``ACConst``,
``ACTime``, ``ACCombi`` (``negmas.gb.components.acceptance``).

Each condition answers ``accepts(view, offer, planned)``: ``offer`` is the
opponent's offer (its own utility is ``view.utility_list[offer]``), ``planned`` the
own utility of the bid the agent would make instead (None if it has none). The
strategy that uses a condition never accepts below its reservation value, whatever
the condition says.

- ``ACNext(alpha, beta)``: ``alpha * u(offer) + beta >= u(planned bid)``;
- ``ACConst(threshold)``: ``u(offer) >= threshold``;
- ``ACTime(time)``: the relative time is ``>= time`` (take anything rational late);
- ``ACCombi(time, alpha, beta)``: ``AC_next``, or, from relative time ``time`` on,
  an offer at least as good as every earlier one the opponent made (Baarslag et
  al.'s ``AC_combi(T, MAX^W)`` with the window ``W`` the whole negotiation so far: we
  keep no offer times, and with few offers a whole-history maximum is the
  conservative choice).

Comparisons have ``UTILITY_EPS`` of slack.
"""

from __future__ import annotations

from typing import ClassVar

import attrs

from agents.strategies._params import check_real
from agents.strategies.base import UTILITY_EPS, NegotiationView


def _alpha(value: object) -> float:
    return check_real(value, "alpha", low=0.0, low_open=True)


def _beta(value: object) -> float:
    return check_real(value, "beta", low=-1.0, high=1.0)


def _threshold(value: object) -> float:
    return check_real(value, "threshold", low=0.0, high=1.0)


def _time(value: object) -> float:
    return check_real(value, "time", low=0.0, high=1.0)


@attrs.frozen(kw_only=True)
class ACNext:
    """Accept if the offer is at least as good as our own next bid."""

    name: ClassVar[str] = "next"

    alpha: float = attrs.field(default=1.0, converter=_alpha)
    beta: float = attrs.field(default=0.0, converter=_beta)

    def accepts(self, view: NegotiationView, offer: int, planned: float | None) -> bool:
        if planned is None:
            return False
        return self.alpha * view.utility_list[offer] + self.beta >= planned - UTILITY_EPS


@attrs.frozen(kw_only=True)
class ACConst:
    """Accept any offer worth at least ``threshold`` to us."""

    name: ClassVar[str] = "const"

    threshold: float = attrs.field(default=0.9, converter=_threshold)

    def accepts(self, view: NegotiationView, offer: int, planned: float | None) -> bool:
        return view.utility_list[offer] >= self.threshold - UTILITY_EPS


@attrs.frozen(kw_only=True)
class ACTime:
    """Accept any (rational) offer once the relative time reaches ``time``."""

    name: ClassVar[str] = "time"

    time: float = attrs.field(default=0.98, converter=_time)

    def accepts(self, view: NegotiationView, offer: int, planned: float | None) -> bool:
        return view.relative_time >= self.time


@attrs.frozen(kw_only=True)
class ACCombi:
    """AC_next, or late in the talks the best offer the opponent has made so far."""

    name: ClassVar[str] = "combi"

    time: float = attrs.field(default=0.98, converter=_time)
    alpha: float = attrs.field(default=1.0, converter=_alpha)
    beta: float = attrs.field(default=0.0, converter=_beta)

    def accepts(self, view: NegotiationView, offer: int, planned: float | None) -> bool:
        if ACNext(alpha=self.alpha, beta=self.beta).accepts(view, offer, planned):
            return True
        if view.relative_time < self.time:
            return False
        u = view.utility_list
        offers = view.opponent_offers
        earlier = offers[:-1] if offers[-1:] == [offer] else offers  # the offer itself aside
        best_before = max((u[i] for i in earlier), default=float("-inf"))
        return u[offer] >= best_before - UTILITY_EPS
