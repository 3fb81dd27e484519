"""Rubinstein (1982): the proposer asks for x* = (1 - d2) / (1 - d1 d2) at once and
a responder playing the same strategy accepts immediately."""

from __future__ import annotations

import numpy as np
import pytest

from agents.outcome_space import Issue, OutcomeSpace
from agents.strategies import (
    NegotiationView,
    Response,
    Rubinstein,
    proposer_share,
    responder_share,
)
from agents.utility import LinearAdditiveUtility

from .conftest import make_view, negotiate

SLICES = 1001  # outcome k gives k/1000 of the pie to A and the rest to B
PIE = OutcomeSpace([Issue("share_of_a", tuple(range(SLICES)))])
U_A = LinearAdditiveUtility.build(PIE, {"share_of_a": 1.0}, {"share_of_a": "increasing"}).evaluate(
    PIE
)
U_B = LinearAdditiveUtility.build(PIE, {"share_of_a": 1.0}, {"share_of_a": "decreasing"}).evaluate(
    PIE
)

DISCOUNTS = [(0.5, 0.75), (0.9, 0.9), (0.95, 0.8), (0.8, 0.95), (0.99, 0.5), (0.6, 0.6)]


def views(d_a: float, d_b: float) -> tuple[NegotiationView, NegotiationView]:
    a = make_view(U_A, discount=d_a, opponent_discount=d_b)
    b = make_view(U_B, discount=d_b, opponent_discount=d_a)
    return a, b


@pytest.mark.parametrize(("d_a", "d_b"), DISCOUNTS)
def test_opening_offer_is_the_equilibrium_split(d_a: float, d_b: float) -> None:
    x_star = (1 - d_b) / (1 - d_a * d_b)
    a, _ = views(d_a, d_b)
    offer = Rubinstein().propose(a)
    # exactly the slice nearest x*: within half a slice
    assert abs(U_A[offer] - x_star) <= 0.5 / (SLICES - 1) + 1e-12
    assert offer == round(x_star * (SLICES - 1))


def test_grid_exact_equilibrium() -> None:
    # d_a = 0.5, d_b = 0.75: x* = 0.25 / 0.625 = 0.4 exactly, B's share 0.6
    a, b = views(0.5, 0.75)
    offer = Rubinstein().propose(a)
    assert offer == 400
    assert U_A[offer] == pytest.approx(0.4, abs=1e-12)
    assert U_B[offer] == pytest.approx(0.6, abs=1e-12)
    b.opponent_offers.append(offer)
    assert Rubinstein().respond(b, offer) is Response.ACCEPT


@pytest.mark.parametrize(("d_a", "d_b"), DISCOUNTS)
def test_same_strategy_responder_accepts_at_once(d_a: float, d_b: float) -> None:
    transcript, agreement = negotiate(
        Rubinstein(), Rubinstein(), U_A, U_B, n_steps=10, discounts=(d_a, d_b)
    )
    assert len(transcript) == 1
    assert agreement == round((1 - d_b) / (1 - d_a * d_b) * (SLICES - 1))


@pytest.mark.parametrize(("d_a", "d_b"), DISCOUNTS)
def test_responder_rejects_a_slice_less_than_its_share(d_a: float, d_b: float) -> None:
    share_b = d_b * (1 - d_a) / (1 - d_a * d_b)
    _, b = views(d_a, d_b)
    # the slice nearest B's share (ties: lower for B) is accepted, one slice worse is not
    nearest = round((1 - share_b) * (SLICES - 1))
    assert Rubinstein().respond(b, nearest) is Response.ACCEPT
    assert Rubinstein().respond(b, nearest + 1) is Response.REJECT


def test_parameters_override_the_view_discounts() -> None:
    a = make_view(U_A)  # view discounts 1.0
    assert Rubinstein(own_discount=0.5, opponent_discount=0.75).propose(a) == 400
    assert Rubinstein().propose(a) == 500  # no impatience: the even split
    assert Rubinstein(own_discount=0.5, opponent_discount=0.75).params() == {
        "own_discount": 0.5,
        "opponent_discount": 0.75,
    }
    assert Rubinstein().params() == {}


def test_shares_formula() -> None:
    assert proposer_share(0.5, 0.75) == pytest.approx(0.4)
    assert responder_share(0.5, 0.75) == pytest.approx(0.6)
    assert proposer_share(0.9, 0.9) == pytest.approx(1 / 1.9)
    assert proposer_share(1.0, 1.0) == responder_share(1.0, 1.0) == 0.5
    for d_p, d_r in DISCOUNTS:
        assert proposer_share(d_p, d_r) + responder_share(d_p, d_r) == pytest.approx(1.0)


def test_reservation_floors_the_demand() -> None:
    a = make_view(U_A, discount=0.5, opponent_discount=0.75, reservation=0.65)
    assert Rubinstein().propose(a) == 650
    assert Rubinstein().respond(a, 600) is Response.REJECT  # 0.6 < reservation 0.65
    hopeless = make_view(np.array([0.1, 0.2]), reservation=0.5)
    assert Rubinstein().propose(hopeless) is None
    assert Rubinstein().respond(hopeless, 1) is Response.WALK_AWAY


@pytest.mark.parametrize("value", [0.0, 1.5, -1, "half"])
def test_discount_parameter_validation(value: object) -> None:
    with pytest.raises(ValueError, match="own_discount must be a number in"):
        Rubinstein(own_discount=value)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="opponent_discount"):
        Rubinstein(opponent_discount=value)  # type: ignore[arg-type]
