"""The BOA hot paths' shortcuts give exactly what the plain definitions give.

Bidding lists the few bundles the keep-concessions filter allows instead of reading
every candidate, and scores only the candidates with the opponent model: both must
pick the same bundles, in the same order, with the same scores bit for bit (the log
bytes depend on it). Each is checked against a brute-force reading of its definition.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from agents.boa import FrequencyModel
from agents.boa.monotone import keeping_concessions
from agents.boa.opponent_model import table_facts
from agents.outcome_space import Issue, OutcomeSpace
from agents.strategies.base import NegotiationView

from .test_boa_bidding import Scripted


@st.composite
def cases(draw: st.DrawFn) -> tuple[OutcomeSpace, NegotiationView, Scripted, float]:
    sizes = draw(st.lists(st.integers(1, 4), min_size=1, max_size=4))
    space = OutcomeSpace([Issue(f"i{k}", tuple(range(n))) for k, n in enumerate(sizes)])
    n = space.size
    # Few levels, so that utilities and estimates tie often (ties decide the order).
    levels = st.sampled_from([0.0, 0.25, 0.5, 0.75, 1.0])
    own = np.array(draw(st.lists(levels, min_size=n, max_size=n)))
    values = [np.array(draw(st.lists(levels, min_size=m, max_size=m))) for m in sizes]
    view = NegotiationView.create(
        own, 0.0, np.random.default_rng(0), issue_values=space.value_indices
    )
    view.own_offers.extend(draw(st.lists(st.integers(0, n - 1), max_size=3)))
    estimate = Scripted(values, np.full(len(sizes), 1.0 / len(sizes)), space.value_indices)
    threshold = draw(st.sampled_from([-0.1, 0.0, 0.2, 0.25, 0.5, 0.9, 1.0, 1.1]))
    return space, view, estimate, threshold


def brute_force(view: NegotiationView, estimate: Scripted, threshold: float) -> list[int]:
    """The definition: bundles at or above the threshold, in ranking order, that on
    every issue keep the last bid's value or take one the model rates strictly higher."""
    table = view.issue_values
    assert table is not None
    ranked = sorted(range(table.shape[0]), key=lambda o: (-view.utility_list[o], o))
    candidates = [o for o in ranked if view.utility_list[o] >= threshold]
    if not view.own_offers:
        return candidates
    last = table[view.own_offers[-1]]
    return [
        o
        for o in candidates
        if all(
            table[o, i] == last[i] or estimate.values[i][table[o, i]] > estimate.values[i][last[i]]
            for i in range(table.shape[1])
        )
    ]


@settings(max_examples=300, deadline=None)
@given(case=cases())
def test_listing_the_allowed_bundles_keeps_exactly_the_filtered_candidates(
    case: tuple[OutcomeSpace, NegotiationView, Scripted, float],
) -> None:
    _, view, estimate, threshold = case
    candidates = view.ranking[: view.count_at_least(threshold)]
    plain = keeping_concessions(view, candidates, estimate)
    listed = keeping_concessions(view, candidates, estimate, threshold)
    assert listed.tolist() == plain.tolist() == brute_force(view, estimate, threshold)
    assert listed.dtype == plain.dtype == candidates.dtype


def test_a_table_not_in_product_order_is_read_bundle_by_bundle() -> None:
    space = OutcomeSpace([Issue("a", (0, 1, 2)), Issue("b", (0, 1))])
    product = space.value_indices
    assert table_facts(product).product
    assert table_facts(product).strides == (2, 1)
    shuffled = np.ascontiguousarray(product[::-1])
    shuffled.flags.writeable = False
    assert not table_facts(shuffled).product
    assert table_facts(shuffled).sizes == (3, 2)
    # The filter still works on such a table (it falls back on reading candidates).
    own = np.linspace(0.0, 1.0, space.size)
    view = NegotiationView.create(own, 0.0, np.random.default_rng(0), issue_values=shuffled)
    view.own_offers.append(2)
    estimate = Scripted([np.array([1.0, 0.5, 0.0]), np.array([0.2, 0.9])], np.ones(2) / 2, shuffled)
    candidates = view.ranking[: view.count_at_least(0.3)]
    kept = keeping_concessions(view, candidates, estimate, 0.3)
    assert kept.tolist() == brute_force(view, estimate, 0.3)


@settings(max_examples=100, deadline=None)
@given(
    sizes=st.lists(st.integers(1, 5), min_size=1, max_size=4),
    offers=st.lists(st.integers(0, 10_000), max_size=12),
    picks=st.lists(st.integers(0, 10_000), max_size=40),
    rate=st.floats(0.0, 1.0),
)
def test_scoring_some_outcomes_equals_scoring_all_bit_for_bit(
    sizes: list[int], offers: list[int], picks: list[int], rate: float
) -> None:
    space = OutcomeSpace([Issue(f"i{k}", tuple(range(n))) for k, n in enumerate(sizes)])
    view = NegotiationView.create(
        np.zeros(space.size), 0.0, np.random.default_rng(0), issue_values=space.value_indices
    )
    estimate = FrequencyModel(learning_rate=rate).start(view)
    estimate.update([o % space.size for o in offers])
    outcomes = np.array([p % space.size for p in picks], dtype=np.intp)
    some = estimate.utilities_of(outcomes)  # before the whole array exists
    whole = estimate.utilities()
    assert some.tobytes() == whole[outcomes].tobytes()
    assert estimate.utilities_of(outcomes).tobytes() == some.tobytes()  # and after
    for issue in range(len(sizes)):
        assert estimate.value_utility_list(issue) == estimate.value_utilities(issue).tolist()


@pytest.mark.parametrize("n", [0, 1, 5, 32, 33, 150, 157, 600])
def test_each_way_of_scoring_equals_the_whole_array(n: int) -> None:
    """A handful of outcomes (Python floats), a few hundred (arrays over those only)
    and most of them (the whole array): the same bytes."""
    space = OutcomeSpace([Issue(f"i{k}", tuple(range(5))) for k in range(4)])  # 625
    view = NegotiationView.create(
        np.zeros(space.size), 0.0, np.random.default_rng(0), issue_values=space.value_indices
    )
    rng = np.random.default_rng(n)
    estimate = FrequencyModel(learning_rate=0.3).start(view)
    estimate.update(rng.integers(0, space.size, 9).tolist())
    outcomes = rng.permutation(space.size)[:n].astype(np.intp)
    some = estimate.utilities_of(outcomes)
    assert some.dtype == np.float64 and some.shape == (n,)
    assert some.tobytes() == estimate.utilities()[outcomes].tobytes()
