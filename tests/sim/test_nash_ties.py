"""Every Nash point is reported when several tie; the single-point API stays the first.

Expectations come from a brute-force enumeration here (dominance, rationality and the
Nash product computed pair by pair), not from ``sim.analysis``'s own helpers.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from sim.analysis import (
    TOL,
    OutcomeAnalysis,
    agreement_distances,
    nash_point,
    nash_points,
)
from sim.engine import simulate
from sim.scenario import parse_toml, scenario_from_raw

# A split of 3 units: (1, 0), (2/3, 1/3), (1/3, 2/3), (0, 1). From d = (0, 0) the two
# middle splits have the same Nash product, 2/9.
SPLIT = np.array([(1.0, 0.0), (2 / 3, 1 / 3), (1 / 3, 2 / 3), (0.0, 1.0)])


def brute_nash(points: np.ndarray, d: np.ndarray, tol: float = TOL) -> list[int]:
    n = len(points)
    dominated = [
        any(
            all(points[j] >= points[i] - tol) and any(points[j] > points[i] + tol) for j in range(n)
        )
        for i in range(n)
    ]
    candidates = [i for i in range(n) if not dominated[i] and all(points[i] >= d - tol)]
    if not candidates:
        return []
    product = {i: max(points[i][0] - d[0], 0) * max(points[i][1] - d[1], 0) for i in candidates}
    best = max(product.values())
    return sorted(i for i in candidates if product[i] >= best - tol)


def test_a_symmetric_split_has_two_nash_points() -> None:
    d = np.zeros(2)
    assert nash_points(SPLIT, d).tolist() == [1, 2]
    assert nash_point(SPLIT, d) == 1  # the single-point API: the lowest index
    # The distance to Nash is to the nearest tied point: both middle splits are at 0.
    assert agreement_distances(SPLIT[2], SPLIT, d)["nash"] == 0.0
    assert agreement_distances(SPLIT[1], SPLIT, d)["nash"] == 0.0
    assert agreement_distances(SPLIT[3], SPLIT, d)["nash"] == pytest.approx(np.hypot(1 / 3, 1 / 3))


def test_no_rational_outcome_means_no_nash_point() -> None:
    assert nash_points(SPLIT, np.array([0.9, 0.9])).tolist() == []
    assert nash_point(SPLIT, np.array([0.9, 0.9])) is None


grid = st.integers(0, 4).map(lambda k: k / 4)  # coarse values: ties are common


@given(
    points=st.lists(st.tuples(grid, grid), min_size=1, max_size=14),
    d=st.tuples(grid, grid),
)
def test_nash_points_are_every_maximiser_of_the_nash_product(
    points: list[tuple[float, float]], d: tuple[float, float]
) -> None:
    pts, dd = np.array(points), np.array(d)
    every = nash_points(pts, dd)
    assert every.tolist() == brute_nash(pts, dd)
    assert nash_point(pts, dd) == (int(every[0]) if len(every) else None)


SCENARIO = """
[scenario]
name = "split"
domain = "generic"
start = 2025-01-01
time_unit = "step"
horizon = 10

[negotiation]
protocol = "sao"
parties = ["a", "b"]
n_steps = 10
review = false

[[negotiation.issues]]
name = "share_of_b"
values = [0, 1, 2, 3]

[parties.a]
strategy = "boulware"
weights = { share_of_b = 1.0 }
values = { share_of_b = "decreasing" }

[parties.b]
strategy = "boulware"
weights = { share_of_b = 1.0 }
values = { share_of_b = "increasing" }
"""


def split_scenario() -> object:
    return scenario_from_raw(parse_toml(SCENARIO, "split.toml"), source="split.toml")


def test_the_analysis_reports_every_tied_nash_point() -> None:
    analysis = OutcomeAnalysis.compute(split_scenario())  # type: ignore[arg-type]
    assert analysis.nash_points.tolist() == [1, 2]
    assert analysis.nash == 1
    interest = analysis.points_of_interest()
    assert [p["terms"] for p in interest["nash_points"]] == [
        {"share_of_b": 1},
        {"share_of_b": 2},
    ]
    assert interest["nash"] == interest["nash_points"][0]


def test_the_pareto_plot_marks_and_names_every_tied_nash_point() -> None:
    from sim import plots

    figure = plots.pareto(simulate(split_scenario(), 0))  # type: ignore[arg-type]
    ax = figure.axes[0]
    (nash,) = [line for line in ax.lines if line.get_gid() == "nash"]
    assert sorted(map(tuple, np.round(nash.get_xydata(), 9))) == sorted(
        map(tuple, np.round(SPLIT[[1, 2]], 9))
    )
    assert nash.get_label() == "Nash bargaining points, 2 tied: (0.67, 0.33), (0.33, 0.67)"
    table = figure.axes[1].tables[0]
    headers = [table[0, col].get_text().get_text() for col in range(1, 4)]
    assert headers == ["Nash 1/2", "Nash 2/2", "Kalai-S."]
