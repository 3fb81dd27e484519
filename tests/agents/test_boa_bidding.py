"""Bidding rules and the keep-concessions filter, with a scripted opponent estimate."""

from __future__ import annotations

import attrs
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from agents.boa import BestForOpponent, NearestToOpponent
from agents.boa.monotone import keeping_concessions
from agents.outcome_space import Issue, OutcomeSpace

from .conftest import make_view


@attrs.define
class Scripted:
    """An opponent estimate given outright (what a model would have learned)."""

    values: list[np.ndarray]
    weights: np.ndarray
    table: np.ndarray

    def utilities(self) -> np.ndarray:
        total = np.zeros(self.table.shape[0])
        for issue, weight in enumerate(self.weights):
            total += weight * self.values[issue][self.table[:, issue]]
        return total

    def utilities_of(self, outcomes: np.ndarray) -> np.ndarray:
        return self.utilities()[outcomes]

    def issue_weights(self) -> np.ndarray:
        return self.weights

    def value_utilities(self, issue: int) -> np.ndarray:
        return self.values[issue]

    def value_utility_list(self, issue: int) -> list[float]:
        return [float(value) for value in self.values[issue]]


# Two issues of three values; we like high positions, the opponent (as scripted) low
# positions on "a" and anything but the middle on "b". Outcome index = 3 * a + b.
SPACE = OutcomeSpace([Issue("a", (0, 1, 2)), Issue("b", (0, 1, 2))])
TABLE = SPACE.value_indices
OWN = 0.3 * TABLE[:, 0] / 2 + 0.7 * TABLE[:, 1] / 2  # own utility, "b" weighs more


def view(**kwargs):
    v = make_view(OWN, **kwargs)
    v.issue_values = TABLE
    return v


def scripted(a: list[float], b: list[float], weights: tuple[float, float] = (0.5, 0.5)):
    return Scripted([np.array(a), np.array(b)], np.array(weights), TABLE)


def test_best_for_opponent_picks_the_highest_estimate_at_or_above_the_threshold() -> None:
    estimate = scripted([1.0, 0.5, 0.0], [1.0, 0.0, 0.8])
    # candidates with own utility >= 0.7: (0,2)=0.7, (1,2)=0.85, (2,2)=1.0
    bid = BestForOpponent().choose(view(), 0.7 - 1e-9, estimate)
    assert SPACE.outcome(bid) == (0, 2)
    assert OWN[bid] >= 0.7 - 1e-9


def test_equal_estimates_go_to_our_better_outcome() -> None:
    estimate = scripted([1.0, 1.0, 1.0], [1.0, 1.0, 1.0])
    assert BestForOpponent().choose(view(), 0.0, estimate) == int(np.argmax(OWN))


def test_no_outcome_reaches_the_threshold() -> None:
    estimate = scripted([1.0, 0.5, 0.0], [1.0, 0.0, 0.8])
    assert BestForOpponent().choose(view(), 1.01, estimate) is None
    assert NearestToOpponent().choose(view(opponent_offers=[0]), 1.01, estimate) is None


def test_a_window_keeps_the_bid_near_the_threshold() -> None:
    estimate = scripted([1.0, 0.5, 0.0], [1.0, 0.0, 0.8])
    wide = BestForOpponent(window=1.0).choose(view(), 0.15, estimate)
    narrow = BestForOpponent(window=0.05).choose(view(), 0.15, estimate)
    assert OWN[narrow] <= 0.15 + 0.05 + 1e-9
    assert estimate.utilities()[wide] >= estimate.utilities()[narrow]
    assert SPACE.outcome(wide) == (0, 2)  # 0.7 for us, the opponent's best above 0.15


def test_keeping_concessions_refuses_to_take_back_or_swap_unknown_values() -> None:
    # our last bid was (1, 2); the opponent (as estimated) prefers a=0 > a=1 > a=2, and
    # cannot tell b=1 from b=2 (e.g. it never offered either).
    estimate = scripted([1.0, 0.5, 0.2], [1.0, 0.3, 0.3])
    v = view(own_offers=[SPACE.index((1, 2))])
    kept = {SPACE.outcome(i) for i in keeping_concessions(v, np.arange(SPACE.size), estimate)}
    assert kept == {(1, 2), (0, 2), (1, 0), (0, 0)}


def test_keeping_concessions_without_an_earlier_bid_keeps_everything() -> None:
    estimate = scripted([1.0, 0.5, 0.2], [1.0, 0.3, 0.3])
    candidates = np.arange(SPACE.size)
    assert keeping_concessions(view(), candidates, estimate).tolist() == candidates.tolist()


def test_best_for_opponent_keeps_concessions_unless_none_qualify() -> None:
    estimate = scripted([1.0, 0.5, 0.2], [0.0, 0.6, 0.3], weights=(0.1, 0.9))
    last = SPACE.index((0, 2))  # "a" already conceded to the opponent's best value
    v = view(own_offers=[last])
    keeping = BestForOpponent().choose(v, 0.5, estimate)
    free = BestForOpponent(keep_concessions=False).choose(v, 0.5, estimate)
    assert SPACE.outcome(keeping) == (0, 2)  # (0, 1) would keep it, but is below 0.5
    assert SPACE.outcome(free) == (1, 1)  # takes "a" back for a better "b"
    # the threshold rose above the last bid: nothing keeps it, so the rule falls back
    fallback = BestForOpponent().choose(v, 0.8, estimate)
    assert fallback == free_above(0.8, estimate)
    assert SPACE.outcome(fallback) == (1, 2)


def free_above(threshold: float, estimate: Scripted) -> int:
    candidates = [i for i in np.argsort(-OWN, kind="stable") if OWN[i] >= threshold]
    return int(max(candidates, key=lambda i: (estimate.utilities()[i], OWN[i])))


def test_nearest_picks_the_candidate_closest_to_the_last_offer() -> None:
    estimate = scripted([1.0, 0.5, 0.0], [1.0, 0.5, 0.0], weights=(0.2, 0.8))
    v = view(opponent_offers=[SPACE.index((0, 0))])
    bid = NearestToOpponent(keep_concessions=False).choose(v, 0.35 - 1e-9, estimate)
    # candidates >= 0.35: distance 0.2*a/2 + 0.8*b/2 to (0, 0); (0,1) is 0.4, (2,1) 0.6
    assert SPACE.outcome(bid) == (0, 1)


def test_nearest_before_any_opponent_offer_is_the_best_for_it() -> None:
    estimate = scripted([1.0, 0.5, 0.0], [1.0, 0.0, 0.8])
    assert NearestToOpponent().choose(view(), 0.7 - 1e-9, estimate) == BestForOpponent().choose(
        view(), 0.7 - 1e-9, estimate
    )


@pytest.mark.parametrize("window", [-0.1, 1.5, "wide"])
def test_bad_window_is_refused(window: object) -> None:
    with pytest.raises(ValueError, match="window"):
        BestForOpponent(window=window)  # type: ignore[arg-type]


def test_keep_concessions_must_be_a_bool() -> None:
    with pytest.raises(ValueError, match="keep_concessions must be true or false"):
        NearestToOpponent(keep_concessions=1)  # type: ignore[arg-type]


@given(
    weights=st.lists(st.floats(0.05, 1.0), min_size=2, max_size=2),
    model_weights=st.lists(st.floats(0.05, 1.0), min_size=2, max_size=2),
    steps=st.lists(st.floats(0.0, 0.2), min_size=2, max_size=12),
    window=st.sampled_from([1.0, 0.1]),
)
def test_kept_concessions_never_make_a_bid_worse_for_the_opponent(
    weights: list[float], model_weights: list[float], steps: list[float], window: float
) -> None:
    """With the opponent's value order right (its weights may be wrong), successive
    bids at falling thresholds never lower its true linear additive utility."""
    a, b = np.array([1.0, 0.5, 0.0]), np.array([1.0, 0.0, 0.8])  # its true value tables
    w = np.array(weights) / sum(weights)
    truth = w[0] * a[TABLE[:, 0]] + w[1] * b[TABLE[:, 1]]
    estimate = Scripted([a * 0.9, b * 0.5], np.array(model_weights) / sum(model_weights), TABLE)
    v = view()
    threshold = 1.0
    for step in steps:
        threshold -= step
        bid = BestForOpponent(window=window).choose(v, threshold - 1e-9, estimate)
        assert bid is not None
        if v.own_offers:
            assert truth[bid] >= truth[v.own_offers[-1]] - 1e-12
        v.own_offers.append(bid)
