"""The walk-away rule (``agents.boa.walk_away``) and the world-reading appraiser."""

from __future__ import annotations

import numpy as np
import pytest

from agents.appraisal import Appraiser, WorldFacts
from agents.boa.named import BOABoulware
from agents.boa.walk_away import NeverWalkAway, WalkAwayWhenStalled
from agents.strategies.base import NegotiationView, Response
from agents.valuation import AgiBelief, ExpiringClause, WorldValuation
from events.clauses import Expiry


def view(
    utilities: list[float], reservation: float, t: float, offers: list[int]
) -> NegotiationView:
    v = NegotiationView.create(np.array(utilities), reservation, np.random.default_rng(0))
    v.relative_time = t
    v.opponent_offers.extend(offers)
    return v


U = [0.9, 0.6, 0.4, 0.2]


def test_stalled_below_the_alternative_at_its_deadline_walks_away() -> None:
    rule = WalkAwayWhenStalled()
    stalled = [3, 2, 2, 2, 2]  # best 0.4, then three offers no better
    assert rule.walks_away(view(U, 0.5, 1.0, stalled))
    assert not rule.walks_away(view(U, 0.5, 0.99, stalled))  # before its deadline
    assert not rule.walks_away(view(U, 0.35, 1.0, stalled))  # 0.4 beats its alternative
    assert not rule.walks_away(view(U, 0.5, 1.0, [3, 3, 3, 2]))  # still conceding
    assert not rule.walks_away(view(U, 0.5, 1.0, [2, 2, 2]))  # too few offers to judge
    assert not NeverWalkAway().walks_away(view(U, 0.5, 1.0, stalled))


def test_a_boa_strategy_answers_walk_away_only_with_the_rule() -> None:
    stalled = [3, 2, 2, 2, 2]
    with_rule = BOABoulware()  # the default rule
    without = BOABoulware(walk_away="never")
    assert with_rule.respond(view(U, 0.5, 1.0, stalled), 2) is Response.WALK_AWAY
    assert without.respond(view(U, 0.5, 1.0, stalled), 2) is Response.REJECT
    with pytest.raises(ValueError, match="walk_away"):
        BOABoulware(walk_away="sometimes")


def licence_valuation() -> WorldValuation:
    return WorldValuation(
        party="holder",
        weights=[1.0],
        tables=[[0.0, 1.0]],
        value_indices=np.array([[0], [1]]),
        clauses=[
            ExpiringClause("holder", 0, (Expiry.parse("agi_declared"), Expiry.parse("term")), ())
        ],
        term_column=None,
        term_months=[],
        fixed_term=100.0,
        trigger_months={},
        belief=AgiBelief((50.0,)),
    )


def test_the_appraiser_revalues_on_agi_news_and_prices_the_status_quo() -> None:
    facts = [WorldFacts(None, None, 0)]
    appraiser = Appraiser(licence_valuation(), 0.1, lambda: facts[0])
    v = view([0.0, 0.0], 0.0, 0.0, [])
    appraiser.update(v, 0.0)
    # A licence that lapses at a declaration expected at 50 holds half the term.
    assert v.utility_list == pytest.approx([0.5, 1.0])
    assert v.reservation == pytest.approx(0.5)  # the status quo (bundle 0) beats 0.1
    epoch = v.valuation_epoch
    appraiser.update(v, 1.0)
    assert v.valuation_epoch == epoch  # same half-year, no news: no new utilities
    facts[0] = WorldFacts(0.5, None, 0)  # AGI declared at 0.5
    appraiser.update(v, 1.0)
    assert v.valuation_epoch == epoch + 1
    assert v.utility_list == pytest.approx([0.0, 1.0])
    assert v.reservation == pytest.approx(0.1)  # the status quo lost its worth
    facts[0] = WorldFacts(0.5, None, None)
    appraiser.update(v, 1.0)
    assert v.reservation == pytest.approx(0.1)
