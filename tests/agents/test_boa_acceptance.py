"""Acceptance conditions (Baarslag et al.), given a scripted moment of the talks."""

from __future__ import annotations

import pytest

from agents.boa import ACCombi, ACConst, ACNext, ACTime

from .conftest import levels, make_view

U = levels(11)  # outcome k is worth k / 10


def test_ac_next_accepts_what_is_as_good_as_the_planned_bid() -> None:
    view = make_view(U, opponent_offers=[6])
    assert ACNext().accepts(view, 6, 0.6)
    assert not ACNext().accepts(view, 6, 0.61)
    assert ACNext(alpha=1.1).accepts(view, 6, 0.65)  # 0.66 >= 0.65
    assert ACNext(beta=-0.05).accepts(view, 6, 0.55)
    assert not ACNext(beta=-0.05).accepts(view, 6, 0.56)
    assert not ACNext().accepts(view, 6, None)  # no planned bid: AC_next says nothing


def test_ac_const_is_a_fixed_threshold() -> None:
    view = make_view(U, opponent_offers=[7])
    assert ACConst(threshold=0.7).accepts(view, 7, 1.0)
    assert not ACConst(threshold=0.71).accepts(view, 7, None)


def test_ac_time_accepts_from_its_time_on() -> None:
    assert not ACTime(time=0.9).accepts(make_view(U, t=0.89), 0, 1.0)
    assert ACTime(time=0.9).accepts(make_view(U, t=0.9), 0, 1.0)


def test_ac_combi_late_takes_the_best_offer_so_far() -> None:
    combi = ACCombi(time=0.9)
    early = make_view(U, t=0.5, opponent_offers=[3, 5, 4, 5])
    assert not combi.accepts(early, 5, 0.8)  # AC_next fails and it is early
    late = make_view(U, t=0.95, opponent_offers=[3, 5, 4, 5])
    assert combi.accepts(late, 5, 0.8)  # as good as anything offered before
    worse = make_view(U, t=0.95, opponent_offers=[3, 5, 4])
    assert not combi.accepts(worse, 4, 0.8)  # 5 was offered earlier
    assert combi.accepts(early, 5, 0.5)  # AC_next alone


def test_ac_combi_offer_not_yet_in_the_history_is_compared_with_all_of_it() -> None:
    late = make_view(U, t=0.95, opponent_offers=[3, 6])
    assert not ACCombi(time=0.9).accepts(late, 5, 0.8)
    assert ACCombi(time=0.9).accepts(late, 6, 0.8)


@pytest.mark.parametrize(
    ("cls", "params", "word"),
    [
        (ACNext, {"alpha": 0.0}, "alpha"),
        (ACNext, {"beta": 2.0}, "beta"),
        (ACConst, {"threshold": 1.5}, "threshold"),
        (ACTime, {"time": -0.1}, "time"),
        (ACCombi, {"time": "late"}, "time"),
    ],
)
def test_bad_parameters_are_refused(cls: type, params: dict[str, object], word: str) -> None:
    with pytest.raises(ValueError, match=word):
        cls(**params)
