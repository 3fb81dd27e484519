"""Batch statistics: Wilson and Student-t intervals against hand-computed values."""

from __future__ import annotations

import math
import statistics

import pytest

from sim.batch.stats import (
    Z95,
    SummaryAccumulator,
    mean_interval,
    t_cdf,
    t_quantile,
    wilson_interval,
)


def test_wilson_8_of_10_matches_the_textbook_formula() -> None:
    k, n, z = 8, 10, 1.96
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    low, high = wilson_interval(k, n, z=z)
    assert low == pytest.approx(centre - half, abs=1e-12)
    assert high == pytest.approx(centre + half, abs=1e-12)
    # the published figure (e.g. Newcombe 1998): 8/10 -> [0.490, 0.943]
    assert (round(low, 3), round(high, 3)) == (0.490, 0.943)


def test_wilson_edges_stay_in_0_1() -> None:
    assert wilson_interval(0, 5)[0] == 0.0
    assert wilson_interval(5, 5)[1] == 1.0
    with pytest.raises(ValueError):
        wilson_interval(0, 0)


@pytest.mark.parametrize(
    ("df", "expected"),
    [(1, 12.7062), (2, 4.3027), (5, 2.5706), (9, 2.2622), (29, 2.0452), (120, 1.9799)],
)
def test_t_quantile_reproduces_the_table(df: int, expected: float) -> None:
    assert t_quantile(0.975, df) == pytest.approx(expected, abs=1e-4)


def test_t_quantile_tends_to_the_normal() -> None:
    assert t_quantile(0.975, 1e7) == pytest.approx(Z95, abs=1e-5)
    assert t_cdf(0.0, 7) == pytest.approx(0.5)
    assert t_cdf(-2.0, 4) == pytest.approx(1 - t_cdf(2.0, 4))


def test_mean_interval_by_hand() -> None:
    values = [2.0, 4.0, 4.0, 5.0, 7.0, 8.0]
    mean, sd = statistics.fmean(values), statistics.stdev(values)
    low, high = mean_interval(len(values), mean, sd)
    half = 2.570582 * sd / math.sqrt(6)  # t_{0.975, 5}
    assert low == pytest.approx(mean - half, abs=1e-5)
    assert high == pytest.approx(mean + half, abs=1e-5)


def test_accumulator_groups_by_cell_and_applies_denominators() -> None:
    rows = []
    for run in range(8):  # two cells of n=4
        rows.append(
            {
                "run": run,
                "sweep_agi.at": 100 if run < 4 else 150,
                "agreement": int(run % 2 == 0),
                "regulator_outcome": ["approved", None, "blocked", None][run % 4],
                "agreement_time": [90.0, None, 94.0, None][run % 4],
                "agi_time": None if run == 7 else 120.0,
                "after_agi.license.models": None if run == 7 else int(run < 2),
                "utility_microsoft": 0.5,
            }
        )
    columns = ["agi_time", "after_agi.license.models", "utility_microsoft"]
    acc = SummaryAccumulator(columns, 4, ["agi.at"])
    for row in reversed(rows):  # order must not matter
        acc.add(row)
    got = {(e.outcome, e.group["agi.at"]): e for e in acc.estimates()}
    assert got[("agreement", 100)].value == 0.5 and got[("agreement", 100)].n == 4
    assert got[("regulator_approved", 100)].value == 0.5  # 1 approved of 2 reviewed deals
    assert got[("regulator_approved", 100)].n == 2
    assert got[("after_agi.license.models", 150)].n == 3  # run 7 never saw AGI
    assert got[("after_agi.license.models", 100)].value == 0.5
    mean = got[("agreement_time", 150)]
    assert (mean.value, mean.n) == (92.0, 2)
    low, high = mean_interval(2, 92.0, statistics.stdev([90.0, 94.0]))
    assert (mean.ci_low, mean.ci_high) == pytest.approx((low, high))
    # A generic scenario's columns have no milestone: no AGI outcomes at all.
    generic = SummaryAccumulator(["utility_buyer"], 4, [])
    assert not {"agi_time", "after_agi.license.models"} & set(generic.outcomes)
    flat = got[("utility_microsoft", 100)]
    assert (flat.ci_low, flat.ci_high) == (0.5, 0.5)
    assert [e.group["agi.at"] for e in acc.estimates()][:1] == [100]
