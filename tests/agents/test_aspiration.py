"""Adaptive aspiration: a_k = (1 - rate) a_(k-1) + rate * m_k, m_k the best offer so far.

Outcome k of 11 is worth k/10 to us, so an offer "of 0.4" is outcome 4.
"""

from __future__ import annotations

import pytest

from agents.strategies import Aspiration, Response

from .conftest import levels, make_view

U = levels(11)


def test_opens_with_its_best_outcome() -> None:
    assert Aspiration(rate=0.5).propose(make_view(U)) == 10


@pytest.mark.parametrize(
    ("offers", "reservation", "expected"),
    [
        ([], 0.0, 10),
        ([2], 0.0, 6),  # 0.5 * 1 + 0.5 * 0.2 = 0.6
        ([2, 4], 0.0, 5),  # 0.5 * 0.6 + 0.5 * 0.4 = 0.5
        ([2, 4, 3], 0.0, 5),  # best so far stays 0.4: 0.5 * 0.5 + 0.5 * 0.4 = 0.45 -> 0.5
        ([2], 0.3, 7),  # payoff floored at the reservation: 0.5 + 0.15 = 0.65 -> 0.7
        ([1, 9], 0.0, 9),  # aspiration 0.725, but never ask for less than 0.9 on the table
    ],
)
def test_scripted_offers(offers: list[int], reservation: float, expected: int) -> None:
    view = make_view(U, opponent_offers=offers, reservation=reservation)
    assert Aspiration(rate=0.5).propose(view) == expected


def test_rate_one_jumps_to_the_best_offer() -> None:
    view = make_view(U, opponent_offers=[3, 6, 5])
    assert Aspiration(rate=1.0).propose(view) == 6


def test_accepts_an_offer_meeting_the_aspiration_it_arrived_at() -> None:
    strategy = Aspiration(rate=0.5)
    # aspiration after [2, 4] is 0.5: a third offer worth 0.5 is accepted, 0.4 is not
    assert strategy.respond(make_view(U, opponent_offers=[2, 4, 5]), 5) is Response.ACCEPT
    assert strategy.respond(make_view(U, opponent_offers=[2, 4, 4]), 4) is Response.REJECT
    # the first offer is measured against the opening aspiration (the best, 1.0)
    assert strategy.respond(make_view(U, opponent_offers=[9]), 9) is Response.REJECT
    assert strategy.respond(make_view(U, opponent_offers=[10]), 10) is Response.ACCEPT


def test_tolerance_lets_it_settle_with_a_stationary_opponent() -> None:
    strategy = Aspiration(rate=0.5)  # default tolerance 0.01
    # a_6 = 0.3 + 0.7 / 2**6 = 0.311: the 7th offer of 0.3 is still too far below
    assert strategy.respond(make_view(U, opponent_offers=[3] * 7), 3) is Response.REJECT
    # a_7 = 0.3 + 0.7 / 2**7 = 0.305: the 8th is within 0.01
    assert strategy.respond(make_view(U, opponent_offers=[3] * 8), 3) is Response.ACCEPT
    strict = Aspiration(rate=0.5, tolerance=0.0)
    assert strict.respond(make_view(U, opponent_offers=[3] * 30), 3) is Response.REJECT


def test_small_rate_concedes_slowly() -> None:
    offers = [0] * 5
    slow = Aspiration(rate=0.05).propose(make_view(U, opponent_offers=offers))
    fast = Aspiration(rate=0.5).propose(make_view(U, opponent_offers=offers))
    assert U[slow] > U[fast]
    # 0.95**5 = 0.774 -> 0.8; 0.5**5 = 0.031 -> 0.1
    assert (slow, fast) == (8, 1)


def test_rejects_below_reservation_and_walks_away_without_rational_outcomes() -> None:
    strategy = Aspiration(rate=1.0)
    view = make_view(U, opponent_offers=[2, 2], reservation=0.5)
    assert strategy.respond(view, 2) is Response.REJECT
    assert U[strategy.propose(view)] >= 0.5
    hopeless = make_view([0.1, 0.2], reservation=0.5)
    assert strategy.propose(hopeless) is None
    assert strategy.respond(hopeless, 0) is Response.WALK_AWAY


def test_defaults() -> None:
    assert Aspiration().params() == {"rate": 0.2, "tolerance": 0.01}


@pytest.mark.parametrize("rate", [0, -0.1, 1.5, "fast"])
def test_rate_validation(rate: object) -> None:
    with pytest.raises(ValueError, match="rate must be a number in"):
        Aspiration(rate=rate)  # type: ignore[arg-type]


@pytest.mark.parametrize("tolerance", [-0.1, 1.0, "some"])
def test_tolerance_validation(tolerance: object) -> None:
    with pytest.raises(ValueError, match="tolerance must be a number in"):
        Aspiration(tolerance=tolerance)  # type: ignore[arg-type]
