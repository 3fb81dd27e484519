"""A negotiation strategy composed of a concession curve, a bidding rule, an opponent
model and an acceptance condition (the BOA architecture).

Source: Baarslag, Hindriks, Hendrikx, Dirkzwager & Jonker, "Decoupling negotiating
agents to explore the space of negotiation strategies", in *Novel Insights in
Agent-based Complex Automated Negotiation*, Springer 2014 (Bidding strategy, Opponent
model, Acceptance strategy); NegMAS's ``negmas.gb.components`` and
``negmas.sao.components`` split a negotiator the same way.

How the parts combine, every turn (a pure function of the view and of the opponent
model's estimate, itself a function of the opponent's offers):

1. the concession curve (``target(view)``, e.g. Boulware or tit-for-tat) sets the
   target; the threshold is ``max(target - tolerance, reservation)``. With no outcome
   at or above the reservation value the strategy walks away (``propose`` returns
   None, ``respond`` answers ``WALK_AWAY``);
2. the opponent model learns from ``view.opponent_offers`` (``agents.boa.
   opponent_model.estimate_for``);
3. the bidding rule picks the bid among the outcomes at or above the threshold;
4. ``respond``: never accept below the reservation value (and there, walk away if
   the walk-away rule says the talks are hopeless, ``agents.boa.walk_away``);
   otherwise the acceptance condition decides, given the own utility of the bid it
   would make instead.

A named combination (``agents.boa.named``) is a frozen attrs class whose fields are
all plain values (the concession's parameters, ``bidding``, ``model``,
``learning_rate``, ``acceptance`` and the acceptance parameters), so it is cloned by
``type(s)(**s.params())``, pickled, and listed by ``negsim strategies``. The parts
are made from those fields once per distinct strategy (a small cache).
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from types import MappingProxyType
from typing import ClassVar

import attrs

from agents.boa.acceptance import ACCombi, ACConst, ACNext, ACTime
from agents.boa.best_for_opponent import BestForOpponent
from agents.boa.frequency_model import FrequencyModel
from agents.boa.nearest_offer import NearestToOpponent
from agents.boa.opponent_model import estimate_for
from agents.boa.walk_away import WALK_AWAYS, NeverWalkAway, WalkAwayWhenStalled
from agents.strategies._params import Parametrised, check_choice, check_flag, check_real
from agents.strategies.base import UTILITY_EPS, NegotiationView, Response

BIDDINGS = (BestForOpponent.name, NearestToOpponent.name)
MODELS = (FrequencyModel.name,)
ACCEPTANCES = (ACNext.name, ACConst.name, ACTime.name, ACCombi.name)


def _bidding(value: object) -> str:
    return check_choice(value, "bidding", BIDDINGS)


def _window(value: object) -> float:
    return check_real(value, "window", low=0.0, high=1.0)


def _keep_concessions(value: object) -> bool:
    return check_flag(value, "keep_concessions")


def _model(value: object) -> str:
    return check_choice(value, "model", MODELS)


def _learning_rate(value: object) -> float:
    return check_real(value, "learning_rate", low=0.0)


def _acceptance(value: object) -> str:
    return check_choice(value, "acceptance", ACCEPTANCES)


def _accept_time(value: object) -> float:
    return check_real(value, "accept_time", low=0.0, high=1.0)


def _accept_above(value: object) -> float:
    return check_real(value, "accept_above", low=0.0, high=1.0)


def _accept_alpha(value: object) -> float:
    return check_real(value, "accept_alpha", low=0.0, low_open=True)


def _accept_beta(value: object) -> float:
    return check_real(value, "accept_beta", low=-1.0, high=1.0)


def _walk_away(value: object) -> str:
    return check_choice(value, "walk_away", WALK_AWAYS)


def _tolerance(value: object) -> float:
    return check_real(value, "tolerance", low=0.0, high=1.0, high_open=True)


@attrs.frozen
class Parts:
    """The components a ``BOAStrategy``'s fields describe."""

    bidding: BestForOpponent | NearestToOpponent
    model: FrequencyModel
    acceptance: ACNext | ACConst | ACTime | ACCombi
    walk_away: NeverWalkAway | WalkAwayWhenStalled


@functools.lru_cache(maxsize=256)
def parts_of(strategy: BOAStrategy) -> Parts:
    """The components of ``strategy`` (cached: strategies are frozen and hashable)."""
    acceptance: ACNext | ACConst | ACTime | ACCombi
    if strategy.acceptance == ACNext.name:
        acceptance = ACNext(alpha=strategy.accept_alpha, beta=strategy.accept_beta)
    elif strategy.acceptance == ACConst.name:
        acceptance = ACConst(threshold=strategy.accept_above)
    elif strategy.acceptance == ACTime.name:
        acceptance = ACTime(time=strategy.accept_time)
    else:
        acceptance = ACCombi(
            time=strategy.accept_time, alpha=strategy.accept_alpha, beta=strategy.accept_beta
        )
    model = FrequencyModel(learning_rate=strategy.learning_rate)
    bidding: BestForOpponent | NearestToOpponent
    if strategy.bidding == NearestToOpponent.name:
        bidding = NearestToOpponent(keep_concessions=strategy.keep_concessions)
    else:
        bidding = BestForOpponent(
            window=strategy.window, keep_concessions=strategy.keep_concessions
        )
    walk_away = (
        WalkAwayWhenStalled() if strategy.walk_away == WalkAwayWhenStalled.name else NeverWalkAway()
    )
    return Parts(bidding, model, acceptance, walk_away)


@attrs.frozen(kw_only=True)
class BOAStrategy(Parametrised):
    """Concession curve + bidding + opponent model + acceptance (see module docs).

    Subclasses provide the concession curve: ``target(view)`` (None: nothing reaches
    the reservation value); ``tolerance`` is how far below the target it still bids.
    """

    name: ClassVar[str] = "boa"
    default_bidding: ClassVar[str] = BestForOpponent.name
    classifier: ClassVar[Mapping[str, object]] = MappingProxyType(
        {"stochastic": False, "uses_time": True, "memory_depth": float("inf")}
    )

    bidding: str = attrs.field(
        default=attrs.Factory(lambda self: self.default_bidding, takes_self=True),
        converter=_bidding,
    )
    window: float = attrs.field(default=1.0, converter=_window)
    keep_concessions: bool = attrs.field(default=True, converter=_keep_concessions)
    model: str = attrs.field(default=FrequencyModel.name, converter=_model)
    learning_rate: float = attrs.field(default=0.2, converter=_learning_rate)
    acceptance: str = attrs.field(default=ACCombi.name, converter=_acceptance)
    accept_time: float = attrs.field(default=0.98, converter=_accept_time)
    accept_above: float = attrs.field(default=0.9, converter=_accept_above)
    accept_alpha: float = attrs.field(default=1.0, converter=_accept_alpha)
    accept_beta: float = attrs.field(default=0.0, converter=_accept_beta)
    tolerance: float = attrs.field(default=1e-4, converter=_tolerance)
    walk_away: str = attrs.field(default=WalkAwayWhenStalled.name, converter=_walk_away)

    def target(self, view: NegotiationView) -> float | None:  # pragma: no cover - abstract
        raise NotImplementedError

    def threshold(self, view: NegotiationView) -> float | None:
        """The lowest own utility it offers or accepts now (None: walk away)."""
        target = self.target(view)
        if target is None:
            return None
        low = target - self.tolerance
        reservation = view.reservation
        return (reservation if reservation > low else low) - UTILITY_EPS

    def bid(self, view: NegotiationView) -> int | None:
        """The outcome it would offer now (None: walk away)."""
        threshold = self.threshold(view)
        if threshold is None:
            return None
        parts = parts_of(self)
        estimate = estimate_for(parts.model, view)
        # respond() bids to compare, and propose() follows at the same moment: the bid
        # is kept with everything it depends on, so the second call costs a lookup.
        key = (self, estimate.seen, len(view.own_offers), threshold, view.valuation_epoch)
        memo = estimate.memo
        if memo is not None and memo[0] == key:  # type: ignore[index]
            return memo[1]  # type: ignore[index,no-any-return]
        bid = parts.bidding.choose(view, threshold, estimate)
        estimate.memo = (key, bid)
        return bid

    def propose(self, view: NegotiationView) -> int | None:
        return self.bid(view)

    def respond(self, view: NegotiationView, offer: int) -> Response:
        planned = self.bid(view)
        if planned is None:
            return Response.WALK_AWAY
        u = view.utility_list
        parts = parts_of(self)
        if u[offer] < view.reservation - UTILITY_EPS:
            return Response.WALK_AWAY if parts.walk_away.walks_away(view) else Response.REJECT
        if parts.acceptance.accepts(view, offer, u[planned]):
            return Response.ACCEPT
        return Response.REJECT
