from __future__ import annotations

import pickle

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from agents.strategies import NegotiationView, Response


def test_create_ranks_by_utility_descending_ties_by_index() -> None:
    u = [0.5, 1.0, 0.2, 1.0, 0.5]
    view = NegotiationView.create(u, 0.1, np.random.default_rng(0))
    assert view.ranking.tolist() == [1, 3, 0, 4, 2]
    assert view.sorted_utilities.tolist() == [1.0, 1.0, 0.5, 0.5, 0.2]
    assert (view.best_utility, view.worst_utility) == (1.0, 0.2)
    assert view.relative_time == 0.0 and view.step == 0
    assert view.own_offers == [] and view.opponent_offers == []
    assert (view.discount, view.opponent_discount, view.is_first_mover) == (1.0, 1.0, True)


def test_arrays_are_read_only_copies() -> None:
    u = np.array([0.1, 0.9])
    view = NegotiationView.create(u, 0.0, np.random.default_rng(0))
    u[0] = 0.5
    assert view.utilities[0] == 0.1
    for array in (view.utilities, view.ranking, view.sorted_utilities):
        with pytest.raises(ValueError):
            array[0] = 0


def test_create_rejects_bad_utilities() -> None:
    with pytest.raises(ValueError, match="non-empty 1-d"):
        NegotiationView.create([], 0.0, np.random.default_rng(0))
    with pytest.raises(ValueError, match="finite"):
        NegotiationView.create([0.1, np.nan], 0.0, np.random.default_rng(0))


def test_lowest_at_least_picks_smallest_sufficient_utility_then_lowest_index() -> None:
    view = NegotiationView.create([0.5, 1.0, 0.2, 1.0, 0.5], 0.0, np.random.default_rng(0))
    assert view.lowest_at_least(0.4) == 0
    assert view.lowest_at_least(0.5) == 0
    assert view.lowest_at_least(0.6) == 1
    assert view.lowest_at_least(0.0) == 2
    assert view.lowest_at_least(1.01) is None
    assert view.count_at_least(0.5) == 4
    assert view.count_above(0.5) == 2


def test_closest_to_ties_go_to_the_higher_utility() -> None:
    view = NegotiationView.create([0.2, 0.4, 0.6, 0.4], 0.0, np.random.default_rng(0))
    assert view.closest_to(0.45) == 1
    assert view.closest_to(0.55) == 2
    assert view.closest_to(0.5) == 2  # equidistant from 0.4 and 0.6
    assert view.closest_level(0.5, prefer_higher=False) == 0.4
    assert view.closest_to(5.0) == 2
    assert view.closest_to(-1.0) == 0


def test_view_pickles() -> None:
    view = NegotiationView.create([0.5, 1.0], 0.0, np.random.default_rng(3))
    view.opponent_offers.append(0)
    clone = pickle.loads(pickle.dumps(view))
    assert clone.opponent_offers == [0]
    assert clone.ranking.tolist() == [1, 0]
    assert clone.rng.random() == view.rng.random()
    assert "n_outcomes=2" in repr(view)


def test_response_values() -> None:
    assert [r.value for r in Response] == ["accept", "reject", "walk_away"]
    assert Response("walk_away") is Response.WALK_AWAY


def test_views_of_the_same_read_only_arrays_share_their_derived_lists() -> None:
    u = np.array([0.3, 0.9, 0.1])
    u.flags.writeable = False
    ranking = np.array([1, 0, 2])
    ranking.flags.writeable = False
    rng = np.random.default_rng(0)
    a = NegotiationView(utilities=u, ranking=ranking, reservation=0.0, rng=rng)
    b = NegotiationView(utilities=u, ranking=ranking, reservation=0.5, rng=rng)
    assert a.utility_list is b.utility_list and a.utility_list == [0.3, 0.9, 0.1]
    assert (a.best_utility, a.worst_utility) == (0.9, 0.1)
    writable = np.array([0.3, 0.9, 0.1])  # may change later: never shared
    c = NegotiationView(utilities=writable, ranking=ranking, reservation=0.0, rng=rng)
    assert c.utility_list == a.utility_list and c.utility_list is not a.utility_list


@given(
    st.lists(st.sampled_from([0.0, 0.1, 0.25, 0.3, 0.5, 0.7, 1.0]), min_size=1, max_size=30),
    st.floats(min_value=-0.5, max_value=1.5, allow_nan=False),
)
def test_searches_agree_with_brute_force(values: list[float], threshold: float) -> None:
    view = NegotiationView.create(values, 0.0, np.random.default_rng(0))
    u = np.array(values)
    assert view.count_at_least(threshold) == int((u >= threshold).sum())
    assert view.count_above(threshold) == int((u > threshold).sum())
    sufficient = [i for i, x in enumerate(values) if x >= threshold]
    expected = min(sufficient, key=lambda i: (values[i], i)) if sufficient else None
    assert view.lowest_at_least(threshold) == expected
    distance = [abs(x - threshold) for x in values]
    nearest = min(distance)
    closest = [i for i, d in enumerate(distance) if d == nearest]
    best = max(values[i] for i in closest)  # ties go to the higher utility, then index
    assert view.closest_to(threshold) == min(i for i in closest if values[i] == best)
