"""Relative tit-for-tat: concede (in own utility) as much as the opponent conceded.

Outcome k of 11 is worth k/10 to us, so the opponent offering outcome 3 after
outcome 1 is a concession of 0.2 in our terms.
"""

from __future__ import annotations

import pytest

from agents.strategies import Response, TitForTat

from .conftest import levels, make_view

U = levels(11)


def test_opens_with_its_best_outcome() -> None:
    assert TitForTat().propose(make_view(U)) == 10


@pytest.mark.parametrize(
    ("offers", "params", "expected"),
    [
        ([1], {}, 10),  # no concession yet
        ([1, 3], {}, 8),  # opponent conceded 0.2 -> we ask 0.8
        ([1, 3, 6], {}, 5),  # 0.5 in total
        ([1, 3, 2], {}, 9),  # opponent retreated to 0.2: we retreat to 0.9
        ([3, 1], {}, 10),  # hardening never lifts us above our best
        ([1, 5], {"scale": 0.5}, 8),  # half of 0.4
        ([1, 3], {"delay": 2}, 10),  # imitate one move later
        ([1, 3, 6], {"delay": 2}, 8),  # ... the 0.2 of the move before last
    ],
)
def test_mirrors_scripted_concessions(
    offers: list[int], params: dict[str, float], expected: int
) -> None:
    assert TitForTat(**params).propose(make_view(U, opponent_offers=offers)) == expected


def test_reservation_floors_the_mirror() -> None:
    view = make_view(U, opponent_offers=[0, 9], reservation=0.5)
    assert TitForTat().propose(view) == 5  # 1 - 0.9 = 0.1, floored at 0.5


def test_accepts_offers_at_least_as_good_as_its_counter_offer() -> None:
    strategy = TitForTat()
    # after [1, 3, 8] it would ask 1 - 0.7 = 0.3: an offer worth 0.8 is accepted
    assert strategy.respond(make_view(U, opponent_offers=[1, 3, 8]), 8) is Response.ACCEPT
    # after [1, 3] it would ask 0.8: an offer worth 0.3 is rejected
    assert strategy.respond(make_view(U, opponent_offers=[1, 3]), 3) is Response.REJECT
    # a big jump to exactly its demand: after [0, 5] it asks 0.5 and is offered 0.5
    assert strategy.respond(make_view(U, opponent_offers=[0, 5]), 5) is Response.ACCEPT


def test_walks_away_without_rational_outcomes() -> None:
    view = make_view([0.1, 0.2], opponent_offers=[0], reservation=0.3)
    assert TitForTat().propose(view) is None
    assert TitForTat().respond(view, 0) is Response.WALK_AWAY


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"delay": 0}, "delay must be an integer >= 1"),
        ({"delay": 1.5}, "delay must be an integer"),
        ({"delay": True}, "delay must be an integer"),
        ({"scale": 0}, "scale must be a finite number > 0"),
    ],
)
def test_parameter_validation(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        TitForTat(**kwargs)  # type: ignore[arg-type]
