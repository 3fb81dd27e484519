"""Statistics (sim.stats) against SciPy, the textbooks, and the batch summary's denominators."""

from __future__ import annotations

import math
import statistics

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.batch.estimates import SummaryAccumulator
from sim.stats import (
    Z95,
    RunningMean,
    RunningShare,
    mean_ci,
    mean_interval,
    proportion_ci,
    t_cdf,
    t_quantile,
    wilson_interval,
)

scipy_stats = pytest.importorskip("scipy.stats")  # in the test extra: never skipped in CI
scipy_special = pytest.importorskip("scipy.special")


def scipy_wilson(k: int, n: int) -> tuple[float, float]:
    ci = scipy_stats.binomtest(k, n).proportion_ci(confidence_level=0.95, method="wilson")
    return float(ci.low), float(ci.high)


# -- Wilson -----------------------------------------------------------------------------


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


@pytest.mark.parametrize(("k", "n"), [(0, 1), (1, 1), (0, 10), (10, 10), (0, 5000), (5000, 5000)])
def test_wilson_edges_are_exact_and_agree_with_scipy(k: int, n: int) -> None:
    low, high = wilson_interval(k, n)
    assert (low, high) == pytest.approx(scipy_wilson(k, n), abs=1e-12)
    if k == 0:
        assert low == 0.0  # exactly, not 1e-17
    if k == n:
        assert high == 1.0  # exactly, not 0.9999999999999999
    assert 0.0 <= low <= k / n <= high <= 1.0


def test_wilson_of_one_observation() -> None:
    # n = 1: the far end is 1 / (1 + z^2), by the formula's algebra
    other = 1 / (1 + Z95**2)
    assert wilson_interval(1, 1) == pytest.approx((other, 1.0), abs=1e-15)
    assert wilson_interval(0, 1) == pytest.approx((0.0, 1 - other), abs=1e-15)


@settings(max_examples=300, deadline=None)
@given(st.integers(1, 5000).flatmap(lambda n: st.tuples(st.integers(0, n), st.just(n))))
def test_wilson_agrees_with_scipy_for_every_n_up_to_5000(case: tuple[int, int]) -> None:
    k, n = case
    low, high = wilson_interval(k, n)
    ref_low, ref_high = scipy_wilson(k, n)
    assert low == pytest.approx(ref_low, rel=1e-9, abs=1e-12)
    assert high == pytest.approx(ref_high, rel=1e-9, abs=1e-12)
    assert 0.0 <= low <= k / n <= high <= 1.0
    assert (low == 0.0) == (k == 0) and (high == 1.0) == (k == n)


def test_wilson_exact_at_k_equals_n_for_every_n_up_to_5000() -> None:
    # the old batch version missed 1.0 at k = n for 1,544 of these
    assert all(wilson_interval(n, n)[1] == 1.0 for n in range(1, 5001))
    assert all(wilson_interval(0, n)[0] == 0.0 for n in range(1, 5001))


def test_wilson_refuses_impossible_counts() -> None:
    with pytest.raises(ValueError, match=r"^n: "):
        wilson_interval(0, 0)
    with pytest.raises(ValueError, match=r"^successes: "):
        wilson_interval(6, 5)


# -- Student t --------------------------------------------------------------------------


@pytest.mark.parametrize("df", [1, 2, 3, 5, 9, 29, 30, 31, 120, 1000, 5000, 10**6])
@pytest.mark.parametrize("p", [0.9, 0.95, 0.975, 0.995])
def test_t_quantile_agrees_with_scipy(df: int, p: float) -> None:
    # the continued fraction converges more slowly for huge df: 1e-8 there is still
    # far below any interval's printed digits
    rel = 1e-11 if df <= 5000 else 1e-8
    assert t_quantile(p, df) == pytest.approx(float(scipy_stats.t.ppf(p, df)), rel=rel)


@settings(max_examples=200, deadline=None)
@given(st.integers(1, 5000), st.floats(-50, 50))
def test_t_cdf_agrees_with_scipy(df: int, t: float) -> None:
    # P(T <= t) = 1/2 +- I_y(1/2, df/2) / 2 with y = t^2 / (df + t^2), by SciPy's betainc;
    # scipy.stats.t.cdf itself loses digits next to 0 (df=1, t=1e-6: 1.4e-11 off)
    central = 0.5 * float(scipy_special.betainc(0.5, df / 2, t * t / (df + t * t)))
    expected = 0.5 + central if t >= 0 else 0.5 - central
    # Above ~1,000 degrees of freedom the incomplete beta's continued fraction keeps
    # about 11 digits (df=2914, t=-1.5: 1.2e-11 relative), so the bound is 1e-10 there.
    rel = 1e-11 if df <= 1000 else 1e-10
    assert t_cdf(t, df) == pytest.approx(expected, rel=rel, abs=1e-15)
    assert t_cdf(t, df) == pytest.approx(float(scipy_stats.t.cdf(t, df)), rel=1e-9, abs=1e-15)


@pytest.mark.parametrize("t", [1e-9, 1e-6, 0.5, 1.0, 3.0, -2.0])
def test_t_cdf_of_one_degree_of_freedom_is_the_cauchy_cdf(t: float) -> None:
    assert t_cdf(t, 1) == pytest.approx(0.5 + math.atan(t) / math.pi, rel=1e-14)


def test_t_quantile_tends_to_the_normal() -> None:
    assert t_quantile(0.975, 1e7) == pytest.approx(Z95, abs=1e-5)
    assert pytest.approx(float(scipy_stats.norm.ppf(0.975)), abs=1e-15) == Z95


def test_t_quantile_refuses_what_it_cannot_compute() -> None:
    with pytest.raises(ValueError, match=r"^p: "):
        t_quantile(0.4, 3)
    with pytest.raises(ValueError, match=r"^df: "):
        t_quantile(0.975, 0)


# -- means and shares as estimates ------------------------------------------------------


@settings(max_examples=100, deadline=None)
@given(st.lists(st.floats(-1e6, 1e6), min_size=2, max_size=200))
def test_mean_ci_agrees_with_scipy(values: list[float]) -> None:
    est = mean_ci(values)
    mean, sem = statistics.fmean(values), scipy_stats.sem(values)
    if sem == 0:
        assert est.low == est.high == pytest.approx(mean)
        return
    low, high = scipy_stats.t.interval(0.95, len(values) - 1, loc=mean, scale=sem)
    scale = max(1.0, abs(mean), abs(high - low))
    assert est.mean == pytest.approx(mean, abs=1e-9 * scale)
    assert est.low == pytest.approx(low, abs=1e-8 * scale)
    assert est.high == pytest.approx(high, abs=1e-8 * scale)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.floats(-1e3, 1e3), max_size=50))
def test_streaming_and_two_pass_means_agree(values: list[float]) -> None:
    running = RunningMean()
    for value in values:
        running.add(value)
    one, two = running.estimate(), mean_ci(values)
    assert one.n == two.n
    for a, b in ((one.mean, two.mean), (one.low, two.low), (one.high, two.high)):
        assert (math.isnan(a) and math.isnan(b)) or a == pytest.approx(b, rel=1e-7, abs=1e-7)


def test_estimates_at_zero_and_one_observation() -> None:
    est = mean_ci([1.0, 2.0, 3.0, None, float("nan")])
    assert (est.mean, est.n, est.kind) == (2.0, 3, "mean")
    assert est.half_width == pytest.approx(float(scipy_stats.t.ppf(0.975, 2)) / math.sqrt(3))
    one = mean_ci([1.0])
    assert one.n == 1 and math.isinf(one.half_width) and not one.has_interval
    assert one.format() == "1.000"
    none = mean_ci([])
    assert none.n == 0 and none.format() == "-" and none.as_dict()["mean"] is None
    rate = proportion_ci([True] * 10)
    assert (rate.mean, rate.high, rate.kind) == (1.0, 1.0, "proportion")
    assert rate.low == pytest.approx(scipy_wilson(10, 10)[0], abs=1e-12)
    share = RunningShare()
    for hit in (True, False, True, True):
        share.add(hit)
    assert share.estimate() == proportion_ci([1, 0, 1, 1])


def test_mean_interval_by_hand() -> None:
    values = [2.0, 4.0, 4.0, 5.0, 7.0, 8.0]
    mean, sd = statistics.fmean(values), statistics.stdev(values)
    low, high = mean_interval(len(values), mean, sd)
    half = 2.570582 * sd / math.sqrt(6)  # t_{0.975, 5}
    assert low == pytest.approx(mean - half, abs=1e-5)
    assert high == pytest.approx(mean + half, abs=1e-5)


# -- the batch summary ------------------------------------------------------------------


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
