"""What every registered strategy must do (Axelrod style: generic tests for all)."""

from __future__ import annotations

import copy
import pickle
import time
from typing import Any

import numpy as np
import pytest

from agents.strategies import (
    STRATEGIES,
    STRATEGY_NAMES,
    NegotiationView,
    Response,
    make_strategy,
    parameter_names,
)

from .conftest import make_view, negotiate

# A non-default parameter set per strategy, to check cloning beyond the defaults.
VARIANTS: dict[str, dict[str, Any]] = {
    "boulware": {"exponent": 6.0, "tolerance": 0.0},
    "linear": {"max_aspiration": 0.9},
    "conceder": {"exponent": 0.5},
    "aspiration": {"rate": 0.3},
    "negmas-aspiration": {"tolerance": 0.01},
    "tit-for-tat": {"delay": 2, "scale": 0.5},
    "hardliner": {"accept_above": 0.9},
    "random": {"accept_probability": 0.8},
    "rubinstein": {"own_discount": 0.9, "opponent_discount": 0.8},
    "boa-boulware": {"exponent": 6.0, "acceptance": "next", "accept_alpha": 1.02},
    "boa-linear": {"window": 0.1, "keep_concessions": False},
    "boa-conceder": {"acceptance": "const", "accept_above": 0.7, "learning_rate": 0.5},
    "boa-tit-for-tat": {"delay": 2, "bidding": "nearest", "acceptance": "time"},
    "tradeoff": {"exponent": 2.0, "accept_time": 0.9, "accept_beta": 0.05},
}

# Strategies allowed to propose below their reservation value (documented).
MAY_PROPOSE_BELOW_RESERVATION = {"hardliner"}

OPPONENTS = ("linear", "random", "tit-for-tat")


def test_registry_matches_strategy_names() -> None:
    assert tuple(STRATEGIES) == STRATEGY_NAMES
    assert set(VARIANTS) == set(STRATEGY_NAMES)
    for name, cls in STRATEGIES.items():
        assert cls.name == name
        assert cls.__doc__


@pytest.fixture(params=STRATEGY_NAMES)
def name(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def test_clone_equality(name: str) -> None:
    for params in ({}, VARIANTS[name]):
        strategy = make_strategy(name, **params)
        clone = make_strategy(name, **strategy.params())
        assert clone == strategy
        assert hash(clone) == hash(strategy)
        assert clone is not strategy
    assert make_strategy(name) != make_strategy(name, **VARIANTS[name])


def test_params_are_plain_values_and_known(name: str) -> None:
    params = make_strategy(name, **VARIANTS[name]).params()
    assert params == {**make_strategy(name).params(), **VARIANTS[name]}
    assert set(params) <= set(parameter_names(name))
    assert all(isinstance(v, float | int | str | bool) for v in params.values())


def test_pickle_round_trip(name: str) -> None:
    strategy = make_strategy(name, **VARIANTS[name])
    clone = pickle.loads(pickle.dumps(strategy))
    assert clone == strategy
    assert copy.deepcopy(strategy) == strategy


def test_frozen(name: str) -> None:
    strategy = make_strategy(name)
    field = next(iter(parameter_names(name)))
    with pytest.raises(AttributeError):
        setattr(strategy, field, 0.5)


@pytest.mark.parametrize("opponent", OPPONENTS)
def test_same_seed_same_play(name: str, opponent: str, bilateral_domain: Any) -> None:
    _, seller, buyer = bilateral_domain

    def run(seed: int) -> Any:
        return negotiate(
            make_strategy(name),
            make_strategy(opponent),
            seller,
            buyer,
            n_steps=40,
            seed=seed,
            reservations=(0.2, 0.2),
            discounts=(0.95, 0.9),
        )

    assert run(11) == run(11)


def test_a_pickled_clone_plays_identically(name: str, bilateral_domain: Any) -> None:
    _, seller, buyer = bilateral_domain
    strategy = make_strategy(name, **VARIANTS[name])
    clone = pickle.loads(pickle.dumps(strategy))
    first = negotiate(strategy, make_strategy("random"), seller, buyer, n_steps=40, seed=5)
    second = negotiate(clone, make_strategy("random"), seller, buyer, n_steps=40, seed=5)
    assert first == second


@pytest.mark.parametrize("opponent", OPPONENTS)
@pytest.mark.parametrize("reservation", [0.0, 0.35])
def test_proposals_are_valid_and_rational(
    name: str, opponent: str, reservation: float, bilateral_domain: Any
) -> None:
    space, seller, buyer = bilateral_domain
    for first_mover in (True, False):
        pair = (make_strategy(name), make_strategy(opponent))
        utilities = (seller, buyer)
        if not first_mover:
            pair, utilities = pair[::-1], utilities[::-1]
        me = 0 if first_mover else 1
        transcript, agreement = negotiate(
            *pair, *utilities, n_steps=40, seed=3, reservations=(reservation, reservation)
        )
        for proposer, offer, answer in transcript:
            assert answer is None or isinstance(answer, Response)
            if proposer != me or offer is None:
                continue
            assert isinstance(offer, int)
            assert 0 <= offer < space.size
            if name not in MAY_PROPOSE_BELOW_RESERVATION:
                assert seller[offer] >= reservation - 1e-9
        if agreement is not None:
            assert 0 <= agreement < space.size


def test_no_rational_outcome(name: str) -> None:
    view = make_view([0.1, 0.3, 0.2], reservation=0.5, opponent_offers=[0])
    strategy = make_strategy(name)
    if name in MAY_PROPOSE_BELOW_RESERVATION:
        assert strategy.propose(view) == 1
        assert strategy.respond(view, 0) is Response.REJECT
    else:
        assert strategy.propose(view) is None
        assert strategy.respond(view, 0) is Response.WALK_AWAY


def test_does_not_mutate_the_view(name: str, bilateral_domain: Any) -> None:
    _, seller, _ = bilateral_domain
    view = make_view(seller, t=0.4, opponent_offers=[0, 5, 9], own_offers=[49, 48], seed=2)
    before = (
        view.relative_time,
        view.step,
        view.reservation,
        list(view.own_offers),
        list(view.opponent_offers),
    )
    strategy = make_strategy(name)
    strategy.propose(view)
    strategy.respond(view, 9)
    after = (
        view.relative_time,
        view.step,
        view.reservation,
        view.own_offers,
        view.opponent_offers,
    )
    assert after == before


def test_reservation_raised_mid_run_is_respected(name: str, bilateral_domain: Any) -> None:
    _, seller, _ = bilateral_domain
    view = make_view(seller, t=0.9, opponent_offers=[0, 1, 2])
    view.reservation = 0.8  # e.g. an outside offer arrived
    offer = make_strategy(name).propose(view)
    if name not in MAY_PROPOSE_BELOW_RESERVATION:
        assert offer is None or seller[offer] >= 0.8 - 1e-9
    low = int(np.argmin(seller))
    assert make_strategy(name).respond(view, low) in (Response.REJECT, Response.WALK_AWAY)


def test_fast_enough(name: str) -> None:
    # 5,000 outcomes, a 100-offer history: 2,000 proposals and answers well under a second
    rng = np.random.default_rng(0)
    view = NegotiationView.create(rng.random(5000), 0.1, np.random.default_rng(1))
    view.opponent_offers.extend(int(i) for i in rng.integers(0, 5000, 100))
    view.relative_time = 0.5
    strategy = make_strategy(name)
    start = time.perf_counter()
    for _ in range(1000):
        strategy.propose(view)
        strategy.respond(view, 17)
    assert time.perf_counter() - start < 1.0


def test_every_strategy_declares_its_classifier(name: str) -> None:
    classifier = STRATEGIES[name].classifier
    assert {"stochastic", "uses_time", "memory_depth"} <= set(classifier)
    assert isinstance(classifier["stochastic"], bool)
    assert isinstance(classifier["uses_time"], bool)


DETERMINISTIC = tuple(n for n in STRATEGY_NAMES if not STRATEGIES[n].classifier["stochastic"])


@pytest.mark.parametrize("opponent", DETERMINISTIC)
def test_the_stochastic_classifier_says_whether_the_seed_matters(
    name: str, opponent: str, bilateral_domain: Any
) -> None:
    """A strategy classified non-stochastic plays the same whatever the seed (against a
    non-stochastic opponent); one classified stochastic plays differently for some seed."""
    _, seller, buyer = bilateral_domain

    def run(seed: int) -> Any:
        return negotiate(
            make_strategy(name, **VARIANTS[name]),
            make_strategy(opponent),
            seller,
            buyer,
            n_steps=40,
            seed=seed,
            reservations=(0.2, 0.2),
            discounts=(0.95, 0.9),
        )

    plays = {repr(run(seed)) for seed in range(6)}
    if STRATEGIES[name].classifier["stochastic"]:
        assert len(plays) > 1
    else:
        assert len(plays) == 1
