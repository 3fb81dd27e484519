"""The frequency opponent model: scripted offers, hand-computed estimates."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from agents.boa import FrequencyModel, estimate_for, issue_table
from agents.outcome_space import Issue, OutcomeSpace

from .conftest import make_view

# Two issues: "a" with 3 values, "b" with 2; outcome index = 2 * a + b.
SPACE = OutcomeSpace([Issue("a", ("x", "y", "z")), Issue("b", (0, 1))])


def view_with(offers: list[int]):
    view = make_view(np.linspace(0.0, 1.0, SPACE.size), opponent_offers=offers)
    view.issue_values = SPACE.value_indices
    return view


def test_nothing_learned_rates_every_outcome_the_same() -> None:
    estimate = estimate_for(FrequencyModel(), view_with([]))
    assert estimate.utilities().tolist() == [1.0] * SPACE.size
    assert estimate.issue_weights().tolist() == [0.5, 0.5]


def test_counts_and_unchanged_issue_weights_by_hand() -> None:
    # offers (x, 0) then (y, 0): issue b did not change, so it gains 0.2 / 2 = 0.1.
    offers = [SPACE.index(("x", 0)), SPACE.index(("y", 0))]
    estimate = estimate_for(FrequencyModel(learning_rate=0.2), view_with(offers))
    w_a, w_b = 0.5 / 1.1, 0.6 / 1.1
    assert estimate.issue_weights() == pytest.approx([w_a, w_b])
    # counts start at 1: a: x=2, y=2, z=1; b: 0=3, 1=1
    assert estimate.value_utilities(0).tolist() == [1.0, 1.0, 0.5]
    assert estimate.value_utilities(1) == pytest.approx([1.0, 1 / 3])
    u = estimate.utilities()
    assert u[SPACE.index(("x", 0))] == pytest.approx(1.0)
    assert u[SPACE.index(("z", 1))] == pytest.approx(w_a * 0.5 + w_b / 3)
    assert u[SPACE.index(("y", 1))] == pytest.approx(w_a + w_b / 3)


def test_no_learning_rate_keeps_weights_equal() -> None:
    offers = [0, 0, 0, 2]
    estimate = estimate_for(FrequencyModel(learning_rate=0.0), view_with(offers))
    assert estimate.issue_weights().tolist() == [0.5, 0.5]


def test_an_issue_that_never_changes_becomes_the_heaviest() -> None:
    # the opponent moves on "a" every time and holds "b" at 1
    offers = [SPACE.index((v, 1)) for v in ("x", "y", "z", "x", "y")]
    weights = estimate_for(FrequencyModel(), view_with(offers)).issue_weights()
    assert weights[1] > weights[0]
    assert weights.sum() == pytest.approx(1.0)


@given(st.lists(st.integers(0, SPACE.size - 1), max_size=15), st.integers(0, 15))
def test_learning_offer_by_offer_equals_learning_all_at_once(offers: list[int], cut: int) -> None:
    model = FrequencyModel(learning_rate=0.3, value_addition=2.0)
    whole = estimate_for(model, view_with(offers))
    view = view_with(offers[:cut])
    estimate_for(model, view)  # learns a prefix first, then the rest from the same view
    view.opponent_offers.extend(offers[cut:])
    stepwise = estimate_for(model, view)
    assert stepwise.seen == whole.seen == len(offers)
    assert stepwise.utilities().tolist() == whole.utilities().tolist()
    assert stepwise.issue_weights().tolist() == whole.issue_weights().tolist()


def test_estimate_is_kept_in_the_view_and_restarted_for_another_model() -> None:
    view = view_with([0, 1])
    first = estimate_for(FrequencyModel(), view)
    assert view.opponent_model is first
    assert estimate_for(FrequencyModel(), view) is first  # equal model: same state
    other = estimate_for(FrequencyModel(learning_rate=0.5), view)
    assert other is not first and view.opponent_model is other


def test_a_view_with_fewer_offers_than_seen_starts_afresh() -> None:
    view = view_with([0, 1, 2])
    stale = estimate_for(FrequencyModel(), view)
    view.opponent_offers[:] = [5]
    fresh = estimate_for(FrequencyModel(), view)
    assert fresh is not stale and fresh.seen == 1


def test_without_issue_structure_each_outcome_is_a_value() -> None:
    view = make_view([0.1, 0.5, 0.9], opponent_offers=[2, 2, 1])
    assert issue_table(view).tolist() == [[0], [1], [2]]
    u = estimate_for(FrequencyModel(), view).utilities()
    assert u.tolist() == pytest.approx([1 / 3, 2 / 3, 1.0])  # counts 1, 2, 3


@pytest.mark.parametrize(
    "params", [{"learning_rate": -0.1}, {"value_addition": 0.0}, {"learning_rate": "fast"}]
)
def test_bad_parameters_are_refused(params: dict[str, object]) -> None:
    with pytest.raises(ValueError, match=next(iter(params))):
        FrequencyModel(**params)  # type: ignore[arg-type]
