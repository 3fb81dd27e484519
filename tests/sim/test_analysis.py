"""Outcome analysis against small domains solved by hand."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from sim.analysis import (
    TOL,
    OutcomeAnalysis,
    agreement_distances,
    expected_value,
    individually_rational,
    kalai_smorodinsky_point,
    max_welfare_point,
    nash_point,
    outcome_utilities,
    pareto_frontier,
)
from sim.scenario import Distribution, load_scenario

# Hand-made points; the comments say why each is (not) on the frontier.
POINTS = np.array(
    [
        (1.0, 0.0),  # 0 on: best for the first party
        (0.8, 0.5),  # 1 on
        (0.5, 0.5),  # 2 off: 1 dominates it
        (0.6, 0.7),  # 3 on
        (0.0, 1.0),  # 4 on: best for the second party
        (0.6, 0.7),  # 5 on: an exact tie with 3 dominates neither
        (0.3, 0.3),  # 6 off
        (0.6 + 5e-10, 0.7 - 5e-10),  # 7 on: within tol of 3 both ways
        (0.6 - 2e-9, 0.7),  # 8 off: 3 is better by more than tol, equal otherwise
    ]
)


def test_pareto_frontier_by_hand() -> None:
    assert pareto_frontier(POINTS).tolist() == [0, 1, 3, 4, 5, 7]


def test_pareto_frontier_with_zero_tolerance_splits_near_ties() -> None:
    # Without tolerance 7 beats 3 and 5 on the first utility but loses on the second,
    # so all three stay; 8 is still dominated.
    assert pareto_frontier(POINTS, tol=0.0).tolist() == [0, 1, 3, 4, 5, 7]
    assert pareto_frontier([(0.5, 0.5), (0.5 + 1e-12, 0.5)], tol=0.0).tolist() == [1]
    assert pareto_frontier([(0.5, 0.5), (0.5 + 1e-12, 0.5)]).tolist() == [0, 1]


def test_pareto_frontier_edge_cases() -> None:
    assert pareto_frontier(np.zeros((0, 2))).tolist() == []
    assert pareto_frontier([(0.2, 0.2)]).tolist() == [0]
    with pytest.raises(ValueError, match=r"shape \(n, 2\)"):
        pareto_frontier([1.0, 2.0])
    with pytest.raises(ValueError, match="finite"):
        pareto_frontier([(math.nan, 1.0)])


def test_nash_point_by_hand() -> None:
    # Products over d = (0, 0): 1 -> 0.40, 3/5/7 -> 0.42 (7 within tol): lowest index 3.
    assert nash_point(POINTS, (0.0, 0.0)) == 3
    # d = (0.5, 0): 1 -> 0.3 * 0.5 = 0.15 beats 3 -> 0.1 * 0.7 = 0.07.
    assert nash_point(POINTS, (0.5, 0.0)) == 1
    # Nothing is worth at least 0.9 to both: no bargaining set.
    assert nash_point(POINTS, (0.9, 0.9)) is None


def test_kalai_smorodinsky_differs_from_nash() -> None:
    points = [(0.9, 0.4), (0.5, 0.6), (0.0, 1.0), (1.0, 0.0)]
    # Nash products: 0.36, 0.30, 0, 0. Ideal (1, 1); KS min ratios: 0.4, 0.5, 0, 0.
    assert nash_point(points, (0, 0)) == 0
    assert kalai_smorodinsky_point(points, (0, 0)) == 1
    assert max_welfare_point(points) == 0  # 1.3 against 1.1
    assert kalai_smorodinsky_point(points, (0.95, 0.95)) is None


def test_kalai_smorodinsky_by_hand() -> None:
    # d = (0, 0.4): rational 1, 2, 3, 4, 5, 7; ideal (0.8, 1.0); spans 0.8, 0.6.
    # min ratios: 1 -> 0.1/0.6, 3 -> min(0.75, 0.5) = 0.5, 4 -> 0: 3 (5, 7 tie, later).
    assert kalai_smorodinsky_point(POINTS, (0.0, 0.4)) == 3
    assert individually_rational(POINTS, (0.0, 0.4)).tolist() == [1, 2, 3, 4, 5, 7, 8]


def test_kalai_smorodinsky_party_without_room_is_satisfied() -> None:
    # The second party gets 0.5 everywhere, which is its reservation: only the first
    # party's ratio decides.
    points = [(0.2, 0.5), (0.9, 0.5), (0.4, 0.5)]
    assert kalai_smorodinsky_point(points, (0.0, 0.5)) == 1


def test_max_welfare_ties_take_the_lowest_index() -> None:
    # Welfare 1.3 for 1, 3, 5 and (within tol) 7.
    assert max_welfare_point(POINTS) == 1
    assert max_welfare_point(np.zeros((0, 2))) is None


def test_agreement_distances_by_hand() -> None:
    got = agreement_distances((0.5, 0.5), POINTS, (0.0, 0.0))
    # Frontier distances: 1 (0.8, 0.5) is 0.3 away, 3 (0.6, 0.7) hypot(0.1, 0.2) = 0.224,
    # which is also the Nash and KS point; max welfare is 1.
    assert got["pareto"] == pytest.approx(math.hypot(0.1, 0.2))
    assert got["nash"] == pytest.approx(math.hypot(0.1, 0.2))
    assert got["kalai_smorodinsky"] == pytest.approx(math.hypot(0.1, 0.2))
    assert got["max_welfare"] == pytest.approx(0.3)
    assert got["welfare_loss"] == pytest.approx(0.3)
    on = agreement_distances(POINTS[3], POINTS)
    assert on["pareto"] == 0.0
    assert math.isnan(on["nash"]) and math.isnan(on["kalai_smorodinsky"])


def _brute_force_frontier(points: np.ndarray, tol: float) -> list[int]:
    keep = []
    for i, p in enumerate(points):
        dominated = any(
            (q >= p - tol).all() and (q > p + tol).any() for j, q in enumerate(points) if j != i
        )
        if not dominated:
            keep.append(i)
    return keep


_coordinate = st.integers(0, 10).map(lambda k: k / 10) | st.floats(0, 1)
_nudge = st.sampled_from([0.0, 0.0, 5e-10, -5e-10, 2e-9])


@given(st.lists(st.tuples(_coordinate, _coordinate, _nudge), min_size=1, max_size=40))
def test_frontier_matches_the_definition(raw: list[tuple[float, float, float]]) -> None:
    points = np.array([(a + n, b) for a, b, n in raw])
    assert pareto_frontier(points).tolist() == _brute_force_frontier(points, TOL)
    assert pareto_frontier(points, 0.0).tolist() == _brute_force_frontier(points, 0.0)


# -- a scenario solved by hand ---------------------------------------------------------

TOY = """
[scenario]
name = "toy"
description = "price x speed"
domain = "generic"
start = 2025-01-01
time_unit = "step"
horizon = 20

[negotiation]
protocol = "sao"
parties = ["buyer", "seller"]
n_steps = 20
review = false

[[negotiation.issues]]
name = "price"
values = [1, 2, 3]

[[negotiation.issues]]
name = "speed"
values = ["slow", "fast"]

[parties.buyer]
name = "Buyer"
strategy = "boulware"
reservation = 0.45
weights = { price = 0.5, speed = 0.5 }
values = { price = "decreasing-by-rank", speed = { slow = 0.0, fast = 1.0 } }

[parties.seller]
name = "Seller"
strategy = "conceder"
reservation = { dist = "uniform", low = 0.0, high = 0.0 }
weights = { price = 0.75, speed = 0.25 }
values = { price = "increasing-by-rank", speed = { slow = 1.0, fast = 0.0 } }
"""

# Outcomes in product order (price varies slowest), utilities (buyer, seller):
# 0 (1, slow) 0.5, 0.25   1 (1, fast) 1.0, 0.0    2 (2, slow) 0.25, 0.625
# 3 (2, fast) 0.75, 0.375 4 (3, slow) 0.0, 1.0    5 (3, fast) 0.5, 0.75
TOY_POINTS = [(0.5, 0.25), (1.0, 0.0), (0.25, 0.625), (0.75, 0.375), (0.0, 1.0), (0.5, 0.75)]


@pytest.fixture
def toy(tmp_path: Path) -> Path:
    path = tmp_path / "toy.toml"
    path.write_text(TOY)
    return path


def test_outcome_utilities_of_a_scenario(toy: Path) -> None:
    space, points = outcome_utilities(load_scenario(toy))
    assert space.size == 6
    assert points == pytest.approx(np.array(TOY_POINTS))


def test_outcome_analysis_by_hand(toy: Path) -> None:
    analysis = OutcomeAnalysis.of(load_scenario(toy))
    assert analysis.parties == ("buyer", "seller")
    # 5 dominates 0 and 2; 1, 3, 4 and 5 are undominated.
    assert analysis.frontier.tolist() == [1, 3, 4, 5]
    assert analysis.disagreement.tolist() == [0.45, 0.0]
    # Rational: 0, 1, 3, 5. Nash products: 3 -> 0.30 * 0.375 = 0.1125, 5 -> 0.05 * 0.75,
    # 1 -> 0. KS: ideal (1.0, 0.75), spans 0.55, 0.75: 3 -> min(0.545, 0.5) = 0.5 best.
    assert analysis.nash == 3
    assert analysis.kalai_smorodinsky == 3
    assert analysis.max_welfare == 5  # 1.25
    assert analysis.space.as_dict(3) == {"price": 2, "speed": "fast"}
    got = analysis.distances(2)
    assert got["pareto"] == pytest.approx(math.hypot(0.25, 0.125))  # to 5
    assert got["welfare_loss"] == pytest.approx(0.375)
    assert got["nash"] == pytest.approx(math.hypot(0.5, 0.25))
    interest = analysis.points_of_interest()
    assert interest["nash"] == {
        "index": 3,
        "terms": {"price": 2, "speed": "fast"},
        "buyer": 0.75,
        "seller": 0.375,
    }


def test_outcome_analysis_is_cached_and_reads_summary_rows(toy: Path) -> None:
    scenario = load_scenario(toy)
    analysis = OutcomeAnalysis.of(scenario)
    # Strategy changes leave the outcome analysis alone: the same object comes back.
    other = scenario.with_overrides({"parties.buyer.strategy": "linear"})
    assert OutcomeAnalysis.of(other) is analysis
    moved = scenario.with_overrides({"parties.buyer.reservation": 0.0})
    assert OutcomeAnalysis.of(moved) is not analysis
    row = {"agreement": True, "terms_price": np.int64(3), "terms_speed": "fast"}
    assert analysis.index_of_row(row) == 5
    assert analysis.index_of_row({"agreement": False}) is None
    assert analysis.is_pareto_optimal(5) and not analysis.is_pareto_optimal(0)


def test_expected_value_of_distributions() -> None:
    assert expected_value(0.3) == 0.3
    assert expected_value(Distribution("uniform", low=0.3, high=0.55)) == pytest.approx(0.425)
    assert expected_value(Distribution("triangular", low=0, mode=3, high=6)) == pytest.approx(3)
    assert expected_value(Distribution("normal", mean=2.0, sd=1.0, high=1.5)) == 1.5
    assert expected_value(
        Distribution("choice", values=(1, 2), weights=(3.0, 1.0))
    ) == pytest.approx(1.25)


def test_builtin_scenarios_have_a_bargaining_set() -> None:
    for name in ("msft-openai", "bilateral-demo"):
        analysis = OutcomeAnalysis.of(load_scenario(name))
        assert analysis.nash is not None and analysis.kalai_smorodinsky is not None
        assert analysis.is_pareto_optimal(analysis.nash)
        assert analysis.is_pareto_optimal(analysis.max_welfare)
