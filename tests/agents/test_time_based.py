"""Time-based concession follows NegMAS's formula; expectations are computed here
from the formula, never by calling the strategy's own helpers."""

from __future__ import annotations

import math

import numpy as np
import pytest

from agents.strategies import (
    Boulware,
    Conceder,
    Linear,
    Response,
    TimeBasedConcession,
    make_strategy,
    relative_time,
)

from .conftest import levels, make_view

# Outcome k of 101 is worth k/100 to us, but the outcomes are shuffled so that the
# index of the offer and its utility are not the same number.
PERMUTATION = np.random.default_rng(42).permutation(101)
UTILITIES = levels(101)[PERMUTATION]
NEGMAS_EPS = 1e-4


def expected_offer(exponent: float, t: float, reservation: float = 0.0) -> int:
    """NegMAS: aspiration 1 - t**e scaled to [max(worst, reservation), best]; offer
    the worst outcome at or above (target - eps), never below the reservation."""
    best, worst = 1.0, 0.0
    floor = max(worst, reservation)
    target = floor + (best - floor) * (1.0 - t**exponent)
    threshold = max(target - NEGMAS_EPS, reservation)
    candidates = [i for i, u in enumerate(UTILITIES) if u >= threshold - 1e-12]
    return min(candidates, key=lambda i: (UTILITIES[i], i))


@pytest.mark.parametrize(
    ("name", "exponent"), [("boulware", 4.0), ("linear", 1.0), ("conceder", 0.25)]
)
@pytest.mark.parametrize("t", [0.0, 0.1, 0.25, 0.5, 0.75, 0.9, 0.99, 1.0])
def test_presets_follow_the_negmas_curve(name: str, exponent: float, t: float) -> None:
    strategy = make_strategy(name)
    view = make_view(UTILITIES, t=t)
    assert strategy.propose(view) == expected_offer(exponent, t)


@pytest.mark.parametrize("t", [0.0, 0.3, 0.6, 0.95])
def test_reservation_is_the_floor_of_the_curve(t: float) -> None:
    view = make_view(UTILITIES, t=t, reservation=0.35)
    offer = Linear().propose(view)
    assert offer == expected_offer(1.0, t, reservation=0.35)
    assert UTILITIES[offer] >= 0.35


def test_spec_examples_at_half_time() -> None:
    # 1 - 0.5**4 = 0.9375 -> 0.94; 1 - 0.5 = 0.5 -> 0.50; 1 - 0.5**0.25 = 0.159 -> 0.16
    view = make_view(UTILITIES, t=0.5)
    assert UTILITIES[Boulware().propose(view)] == pytest.approx(0.94)
    assert UTILITIES[Linear().propose(view)] == pytest.approx(0.50)
    assert UTILITIES[Conceder().propose(view)] == pytest.approx(0.16)
    # with reservation 0.2: 0.2 + 0.8 * 0.5 = 0.6
    view.reservation = 0.2
    assert UTILITIES[Linear().propose(view)] == pytest.approx(0.60)


def test_opening_offer_is_the_best_outcome() -> None:
    for name in ("boulware", "linear", "conceder"):
        assert make_strategy(name).propose(make_view(UTILITIES)) == int(PERMUTATION.argmax())


def test_any_exponent_and_max_aspiration() -> None:
    view = make_view(UTILITIES, t=0.5)
    # 0.8 * (1 - 0.5**2) = 0.6
    offer = TimeBasedConcession(exponent=2.0, max_aspiration=0.8).propose(view)
    assert UTILITIES[offer] == pytest.approx(0.60)
    assert make_strategy("linear", exponent=2.0).propose(view) == expected_offer(2.0, 0.5)


def index_of(utility: float) -> int:
    return int(np.flatnonzero(np.isclose(UTILITIES, utility))[0])


@pytest.mark.parametrize(
    ("strategy", "t", "accepted", "rejected"),
    [
        (Linear(), 0.5, 0.50, 0.49),
        (Boulware(), 0.5, 0.94, 0.93),
        (Conceder(), 0.5, 0.16, 0.15),
        (Linear(), 1.0, 0.0, None),
    ],
)
def test_accepts_what_it_would_offer_now_or_better(
    strategy: TimeBasedConcession, t: float, accepted: float, rejected: float | None
) -> None:
    view = make_view(UTILITIES, t=t, opponent_offers=[index_of(accepted)])
    assert strategy.respond(view, index_of(accepted)) is Response.ACCEPT
    assert strategy.respond(view, index_of(1.0)) is Response.ACCEPT
    own = strategy.propose(view)
    assert strategy.respond(view, own) is Response.ACCEPT
    if rejected is not None:
        assert strategy.respond(view, index_of(rejected)) is Response.REJECT


def test_never_accepts_below_reservation_even_at_the_deadline() -> None:
    view = make_view(UTILITIES, t=1.0, reservation=0.3)
    assert Conceder().respond(view, index_of(0.29)) is Response.REJECT
    assert Conceder().respond(view, index_of(0.30)) is Response.ACCEPT


def test_walks_away_when_no_outcome_reaches_the_reservation() -> None:
    view = make_view([0.2, 0.4], t=0.5, reservation=0.5)
    assert Boulware().propose(view) is None
    assert Boulware().respond(view, 1) is Response.WALK_AWAY


def test_relative_time_is_negmas_step_clock() -> None:
    assert relative_time(0, 10) == 1 / 11
    assert relative_time(9, 10) == 10 / 11
    assert relative_time(10, 10) == 1.0
    assert relative_time(50, 10) == 1.0
    assert relative_time(0, 1) == 0.5
    assert relative_time(7, None) == 0.0
    for n in (1, 5, 100):
        ts = [relative_time(s, n) for s in range(n)]
        assert ts == sorted(ts) and ts[0] > 0 and ts[-1] < 1
        assert all(math.isclose(x, (s + 1) / (n + 1)) for s, x in enumerate(ts))


@pytest.mark.parametrize(
    ("step", "n_steps", "message"),
    [(-1, 10, "step"), (1.5, 10, "step"), (0, 0, "n_steps"), (0, 2.0, "n_steps")],
)
def test_relative_time_validation(step: object, n_steps: object, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        relative_time(step, n_steps)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"exponent": 0}, "exponent must be a finite number > 0"),
        ({"exponent": math.inf}, "exponent"),
        ({"exponent": "fast"}, "exponent"),
        ({"max_aspiration": 1.5}, r"max_aspiration must be a number in \[0, 1\]"),
        ({"tolerance": -0.1}, "tolerance"),
    ],
)
def test_parameter_validation(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        TimeBasedConcession(**kwargs)  # type: ignore[arg-type]


def test_presets_are_distinct_names_for_one_rule() -> None:
    assert Boulware().exponent == 4.0
    assert Linear().exponent == 1.0
    assert Conceder().exponent == 0.25
    assert Boulware() == Boulware(exponent=4)
    assert Boulware() != TimeBasedConcession(exponent=4.0)  # different name
    view = make_view(UTILITIES, t=0.7)
    assert Boulware().propose(view) == TimeBasedConcession(exponent=4.0).propose(view)
