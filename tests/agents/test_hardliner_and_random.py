from __future__ import annotations

from collections import Counter

import pytest

from agents.strategies import Hardliner, RandomOffers, Response

from .conftest import levels, make_view

U = levels(11)


@pytest.mark.parametrize("t", [0.0, 0.5, 1.0])
def test_hardliner_always_offers_its_best(t: float) -> None:
    view = make_view([0.3, 0.9, 0.9, 0.1], t=t, opponent_offers=[3, 0, 0])
    assert Hardliner().propose(view) == 1


def test_hardliner_offers_its_best_even_below_reservation() -> None:
    view = make_view([0.3, 0.4], reservation=0.9)
    assert Hardliner().propose(view) == 1  # documented exception: never walks away
    assert Hardliner().respond(view, 1) is Response.REJECT


def test_hardliner_accepts_only_its_best_by_default() -> None:
    view = make_view(U, t=1.0, opponent_offers=[9])
    assert Hardliner().respond(view, 9) is Response.REJECT
    assert Hardliner().respond(view, 10) is Response.ACCEPT


def test_hardliner_accept_above() -> None:
    view = make_view([0.0, 0.6, 0.7, 0.8], t=0.5)
    # 0.875 of a best of 0.8 is 0.7
    assert Hardliner(accept_above=0.875).respond(view, 2) is Response.ACCEPT
    assert Hardliner(accept_above=0.875).respond(view, 1) is Response.REJECT
    view.reservation = 0.75
    assert Hardliner(accept_above=0.875).respond(view, 2) is Response.REJECT


def test_random_offers_are_uniform_over_rational_outcomes() -> None:
    view = make_view(U, reservation=0.55, seed=7)
    counts = Counter(RandomOffers().propose(view) for _ in range(4000))
    assert set(counts) == {6, 7, 8, 9, 10}
    assert all(700 < c < 900 for c in counts.values())


def test_random_walks_away_without_rational_outcomes() -> None:
    view = make_view([0.1, 0.2], reservation=0.5)
    assert RandomOffers().propose(view) is None
    assert RandomOffers().respond(view, 1) is Response.WALK_AWAY


def test_random_acceptance_probability() -> None:
    view = make_view(U, reservation=0.3, seed=1)
    assert RandomOffers(accept_probability=1.0).respond(view, 3) is Response.ACCEPT
    assert RandomOffers(accept_probability=1.0).respond(view, 2) is Response.REJECT
    assert RandomOffers(accept_probability=0.0).respond(view, 10) is Response.REJECT
    answers = Counter(RandomOffers(accept_probability=0.25).respond(view, 8) for _ in range(2000))
    assert 400 < answers[Response.ACCEPT] < 600
    assert answers[Response.ACCEPT] + answers[Response.REJECT] == 2000


def test_random_is_reproducible_from_the_view_rng() -> None:
    def run(seed: int) -> list[object]:
        view = make_view(U, seed=seed)
        strategy = RandomOffers()
        return [strategy.propose(view) for _ in range(20)] + [
            strategy.respond(view, 5) for _ in range(20)
        ]

    assert run(3) == run(3)
    assert run(3) != run(4)


@pytest.mark.parametrize("p", [-0.1, 1.1, "often", None])
def test_random_parameter_validation(p: object) -> None:
    with pytest.raises(ValueError, match="accept_probability"):
        RandomOffers(accept_probability=p)  # type: ignore[arg-type]


@pytest.mark.parametrize("a", [-0.1, 1.1, "all"])
def test_hardliner_parameter_validation(a: object) -> None:
    with pytest.raises(ValueError, match="accept_above"):
        Hardliner(accept_above=a)  # type: ignore[arg-type]
