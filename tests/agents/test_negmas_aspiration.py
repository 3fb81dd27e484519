"""``negmas-aspiration`` is NegMAS 0.16's ``AspirationNegotiator``: a Boulware curve
(exponent 4) with tolerance 0.001. Expectations follow NegMAS's documented rule and are
computed here, never by the strategy's own helpers:

- aspiration ``max_aspiration * (1 - t**exponent)`` (``PolyAspiration``), scaled to
  ``[max(worst, reservation), best]``;
- offer the worst outcome in ``[target - tolerance, best]`` (``worst_in``, not
  stochastic); accept an offer inside the same range.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from agents.strategies import (
    STRATEGIES,
    UTILITY_EPS,
    Boulware,
    NegmasAspiration,
    Response,
    make_strategy,
    parameter_names,
)

from .conftest import make_view

# Outcome k of 1001 is worth k/1000, shuffled so that index and utility differ.
PERMUTATION = np.random.default_rng(7).permutation(1001)
UTILITIES = (np.arange(1001) / 1000)[PERMUTATION]


def negmas_offer(
    t: float,
    *,
    exponent: float = 4.0,
    tolerance: float = 0.001,
    max_aspiration: float = 1.0,
    reservation: float = 0.0,
) -> int:
    floor = max(0.0, reservation)
    target = floor + (1.0 - floor) * max_aspiration * (1.0 - t**exponent)
    low = max(target - tolerance, reservation)
    # negsim's float slack (UTILITY_EPS) where NegMAS has none: only matters when a
    # target lands within 1e-9 of an outcome's utility.
    in_range = [i for i, u in enumerate(UTILITIES) if u >= low - UTILITY_EPS]
    return min(in_range, key=lambda i: (UTILITIES[i], i))


def test_registered_under_its_own_name_with_negmas_defaults() -> None:
    assert STRATEGIES["negmas-aspiration"] is NegmasAspiration
    # "aspiration" is the adaptive (Siegel & Fouraker) strategy, a different thing.
    assert STRATEGIES["aspiration"] is not NegmasAspiration
    assert parameter_names("negmas-aspiration") == ("exponent", "max_aspiration", "tolerance")
    assert make_strategy("negmas-aspiration").params() == {
        "exponent": 4.0,
        "max_aspiration": 1.0,
        "tolerance": 0.001,
    }


@pytest.mark.parametrize("t", [0.0, 0.2, 0.5, 0.7, 0.9, 0.97, 1.0])
def test_offers_follow_negmas_rule(t: float) -> None:
    assert NegmasAspiration().propose(make_view(UTILITIES, t=t)) == negmas_offer(t)


@given(
    t=st.floats(0.0, 1.0),
    exponent=st.floats(0.1, 10.0),
    max_aspiration=st.floats(0.0, 1.0),
    tolerance=st.floats(0.0, 0.1),
    reservation=st.floats(0.0, 0.9),
)
def test_offers_follow_negmas_rule_for_any_parameters(
    t: float, exponent: float, max_aspiration: float, tolerance: float, reservation: float
) -> None:
    strategy = NegmasAspiration(
        exponent=exponent, max_aspiration=max_aspiration, tolerance=tolerance
    )
    view = make_view(UTILITIES, t=t, reservation=reservation)
    expected = negmas_offer(
        t,
        exponent=exponent,
        tolerance=tolerance,
        max_aspiration=max_aspiration,
        reservation=reservation,
    )
    assert UTILITIES[strategy.propose(view)] == pytest.approx(UTILITIES[expected], abs=1e-9)


def test_tolerance_is_what_sets_it_apart_from_boulware() -> None:
    # At t = 0 the target is 1.0: NegMAS's AspirationNegotiator (eps 0.001) may offer
    # 0.999, BoulwareTBNegotiator (eps 1e-4) only 1.0.
    view = make_view(UTILITIES, t=0.0)
    assert UTILITIES[NegmasAspiration().propose(view)] == 0.999
    assert UTILITIES[Boulware().propose(view)] == 1.0


def test_accepts_inside_the_same_range() -> None:
    t = 0.5  # target 1 - 0.5**4 = 0.9375, range [0.9365, 1]
    at = {round(float(u), 3): i for i, u in enumerate(UTILITIES)}
    strategy = NegmasAspiration()
    view = make_view(UTILITIES, t=t, opponent_offers=[at[0.937]])
    assert strategy.respond(view, at[0.937]) is Response.ACCEPT
    view = make_view(UTILITIES, t=t, opponent_offers=[at[0.935]])
    assert strategy.respond(view, at[0.935]) is Response.REJECT


def test_walks_away_when_nothing_reaches_the_reservation() -> None:
    view = make_view(UTILITIES, t=0.3, reservation=1.0)
    assert NegmasAspiration().propose(view) == int(np.argmax(UTILITIES))
    low = make_view(np.array([0.1, 0.2]), t=0.3, reservation=0.5)
    assert NegmasAspiration().propose(low) is None
    assert NegmasAspiration().respond(low, 0) is Response.WALK_AWAY


def test_bad_parameters_name_the_strategy() -> None:
    with pytest.raises(ValueError, match=r"strategy 'negmas-aspiration': tolerance must be"):
        make_strategy("negmas-aspiration", tolerance=1.5)
