"""Scores against their definitions, computed independently."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from sim.backtest.scoring import brier, category_mid_rank, crps, log_score, mid_rank, quantiles

finite = st.floats(min_value=-1e3, max_value=1e3, allow_nan=False)


@given(st.lists(finite, min_size=1, max_size=40), finite)
def test_crps_is_the_energy_form(xs: list[float], y: float) -> None:
    # Gneiting & Raftery (2007), eq. 21: E|X - y| - E|X - X'| / 2, by brute force
    first = sum(abs(x - y) for x in xs) / len(xs)
    pairs = sum(abs(a - b) for a in xs for b in xs) / len(xs) ** 2
    assert crps(xs, y) == pytest.approx(first - pairs / 2, abs=1e-6)


@given(st.lists(st.integers(-20, 20), min_size=1, max_size=15), st.integers(-25, 25))
def test_crps_is_the_integral_of_the_squared_cdf_gap(xs: list[int], y: int) -> None:
    # CRPS(F, y) = integral (F(z) - 1{z >= y})^2 dz, exact on integer steps
    grid = np.arange(-30, 30)
    xs_arr = np.asarray(xs)
    cdf = np.array([(xs_arr <= z).mean() for z in grid])
    step = (grid >= y).astype(float)
    assert crps(xs, y) == pytest.approx(float(np.sum((cdf - step) ** 2)), abs=1e-9)


def test_crps_of_a_sure_right_forecast_is_zero_and_grows_with_error() -> None:
    assert crps([5.0] * 10, 5.0) == 0.0
    assert crps([5.0] * 10, 8.0) == 3.0
    assert crps([0.0, 10.0], 5.0) < crps([0.0, 10.0], 12.0)


halves = st.integers(-40, 40).map(lambda k: k / 2)


@given(st.lists(halves, min_size=1, max_size=40), halves)
def test_mid_rank_counts_below_and_half_the_ties(xs: list[float], y: float) -> None:
    # values on a grid: mid_rank counts values within 1e-9 as ties (times from floats)
    below = sum(x < y for x in xs)
    equal = sum(x == y for x in xs)
    assert mid_rank(xs, y) == pytest.approx((below + equal / 2) / len(xs))
    assert 0.0 <= mid_rank(xs, y) <= 1.0


def test_mid_rank_is_uniform_for_a_draw_from_the_forecast() -> None:
    rng = np.random.default_rng(1)
    ranks = [mid_rank(rng.normal(size=200), rng.normal()) for _ in range(2000)]
    counts, _ = np.histogram(ranks, bins=10, range=(0, 1))
    # each decile expects 200; 4 sigma of a binomial(2000, 0.1) is ~54
    assert np.all(np.abs(counts - 200) < 54), counts


def test_quantiles_interpolate_like_numpy() -> None:
    qs = quantiles(list(range(101)))
    assert qs == {"q05": 5.0, "q25": 25.0, "q50": 50.0, "q75": 75.0, "q95": 95.0}


def test_category_mid_rank_orders_rarest_first() -> None:
    shares = {"a": 0.6, "b": 0.3, "c": 0.1}
    assert category_mid_rank(shares, "c") == pytest.approx(0.05)
    assert category_mid_rank(shares, "b") == pytest.approx(0.1 + 0.15)
    assert category_mid_rank(shares, "a") == pytest.approx(0.4 + 0.3)
    assert category_mid_rank({"a": 0.5, "b": 0.5}, "a") == pytest.approx(0.5)
    assert category_mid_rank(shares, "never") == 0.0


def test_brier_and_log_scores() -> None:
    assert brier(10, 10) == 0.0
    assert brier(0, 10) == 1.0
    assert brier(5, 10) == 0.25
    assert log_score(9, 10) == pytest.approx(-math.log(9.5 / 11))
    assert math.isfinite(log_score(0, 10))
    assert log_score(0, 10) > log_score(5, 10) > log_score(10, 10)
