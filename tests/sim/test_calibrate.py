"""``calibrate`` and ``negsim calibrate``: priors, the ABC pieces against their
formulas, resuming from a store, the posterior table and the fitted scenario."""

from __future__ import annotations

import csv
import math
from pathlib import Path

import numpy as np
import orjson
import pytest

from sim.backtest import abc
from sim.backtest.prior import Prior
from sim.batch.store import BatchStore
from sim.scenario import Distribution, load_scenario
from tests.cli_helpers import assert_one_line_error, run_cli

SCENARIO = str(Path(__file__).parent / "data" / "sbc-bilateral.toml")
KEY = "parties.seller.reservation"
OBSERVED = """
[[observed]]
name = "when"
quantity = "agreement_time"
value = 21.0

[[observed]]
name = "price"
quantity = "terms_price"
value = 14
"""


@pytest.fixture
def observed(tmp_path: Path) -> Path:
    path = tmp_path / "observed.toml"
    path.write_text(OBSERVED, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    "distribution",
    [
        Distribution("uniform", low=0.2, high=0.7),
        Distribution("triangular", low=0.0, mode=0.2, high=1.0),
        Distribution("normal", mean=0.5, sd=0.2, low=0.1, high=0.8),
        Distribution("normal", mean=-1.0, sd=2.0),
    ],
)
def test_prior_densities_integrate_to_one(distribution: Distribution) -> None:
    prior = Prior(("k",), (distribution,))
    grid = np.linspace(-10, 10, 400_001)
    y = prior.density(grid[:, None])
    mass = float(np.sum((y[1:] + y[:-1]) / 2 * np.diff(grid)))  # the trapezoid rule
    assert mass == pytest.approx(1.0, abs=1e-3)


def test_importance_weights_match_the_formula() -> None:
    rng = np.random.default_rng(0)
    prior = Prior(
        ("a", "b"),
        (Distribution("uniform", low=0, high=1), Distribution("triangular", low=0, mode=1, high=1)),
    )
    previous = rng.uniform(0.2, 0.8, size=(7, 2))
    w_prev = rng.uniform(0.1, 1.0, size=7)
    theta = rng.uniform(0.1, 0.9, size=(5, 2))
    cov = abc.kernel_covariance(previous, w_prev)
    got = abc.importance_weights(prior, theta, previous, w_prev, cov)
    inverse = np.linalg.inv(cov)
    expected = []
    for t in theta:
        mixture = sum(
            w * math.exp(-0.5 * (t - p) @ inverse @ (t - p))
            for w, p in zip(w_prev / w_prev.sum(), previous, strict=True)
        )
        density = 1.0 * 2 * t[1]  # uniform(0, 1) times triangular(0, 1, 1)
        expected.append(density / mixture)
    expected_arr = np.asarray(expected) / sum(expected)
    assert got == pytest.approx(expected_arr, rel=1e-9)
    # twice the weighted covariance (Beaumont et al. 2009)
    w = w_prev / w_prev.sum()
    centred = previous - w @ previous
    assert cov == pytest.approx(2 * (centred.T * w) @ centred, abs=1e-9)


def test_accept_keeps_the_closest_share_and_every_tie() -> None:
    d = np.asarray([3.0, 0.0, 1.0, 0.0, 2.0, 0.0, 5.0, 4.0, 6.0, 7.0])
    mask, epsilon = abc.accept(d, 0.2)
    assert epsilon == 0.0 and mask.tolist() == [d_i == 0 for d_i in d]  # three ties kept
    mask, epsilon = abc.accept(d, 0.5)
    assert epsilon == 2.0 and int(mask.sum()) == 5
    assert abc.effective_sample_size(np.ones(8)) == pytest.approx(8.0)
    assert abc.effective_sample_size(np.asarray([1.0, 0, 0])) == pytest.approx(1.0)


def test_weighted_quantile_and_rank() -> None:
    x = np.asarray([1.0, 2.0, 3.0, 4.0])
    w = np.asarray([0.1, 0.2, 0.3, 0.4])
    assert abc.weighted_quantile(x, w, 0.05) == 1.0
    assert abc.weighted_quantile(x, w, 0.3) == 2.0
    assert abc.weighted_quantile(x, w, 0.95) == 4.0
    assert abc.posterior_rank(x, w, 2.5) == pytest.approx(0.3)
    assert abc.posterior_rank(x, w, 3.0) == pytest.approx(0.3 + 0.15)


def calibrate_args(observed: Path, store: Path, *extra: str) -> list[str]:
    return [
        *("calibrate", SCENARIO, "--observed", str(observed), "--params", KEY),
        *("-n", "120", "--workers", "2", "--store", str(store), "--json", *extra),
    ]


def test_abc_smc_end_to_end_resumes_and_writes_a_fitted_scenario(
    capsys: pytest.CaptureFixture[str], observed: Path, tmp_path: Path
) -> None:
    store = tmp_path / "cal.sqlite"
    fitted, table = tmp_path / "fitted.toml", tmp_path / "post.csv"
    args = calibrate_args(observed, store, "--generations", "3", "--quantile", "0.2")
    result = run_cli(capsys, [*args, "--out", str(table), "--write-scenario", str(fitted)])
    assert result.code == 0, result.err
    report = orjson.loads(result.out)
    assert report["method"] == "abc-smc" and report["params"] == [KEY]
    generations = report["generations"]
    assert [g["simulated"] for g in generations] == [120, 120, 120]
    assert all(g["accepted"] >= 24 for g in generations)
    assert 0 < report["ess"] <= generations[-1]["accepted"]
    posterior = report["posterior"][KEY]
    prior_sd = (0.75 - 0.05) / math.sqrt(12)
    assert 0.05 <= posterior["q05"] <= posterior["q50"] <= posterior["q95"] <= 0.75
    assert posterior["sd"] < prior_sd  # the observations were informative
    with BatchStore.open(store) as opened:
        assert len(opened) == 360
        digests = [row["digest"] for row in opened.rows()]

    with table.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert {row["generation"] for row in rows} == {"2"}
    weights = [float(row["weight"]) for row in rows]
    assert sum(weights) == pytest.approx(1.0)

    # the fitted scenario: a normal with the posterior's mean and sd, clipped to the prior
    text = fitted.read_text(encoding="utf-8")
    assert text.startswith("# Fitted by negsim calibrate")
    assert "abc-smc" in text and str(observed) in text
    loaded = load_scenario(fitted)
    assert loaded.name == "sbc-bilateral-fitted"
    distribution = dict(loaded.distributions())[KEY]
    assert distribution.dist == "normal"
    assert distribution.mean == pytest.approx(posterior["mean"])
    assert distribution.sd == pytest.approx(posterior["sd"])
    assert (distribution.low, distribution.high) == (0.05, 0.75)
    nuisance = dict(loaded.distributions())["parties.buyer.reservation"]
    assert (nuisance.dist, nuisance.low, nuisance.high) == ("uniform", 0.1, 0.5)

    # the same command again: nothing re-run, the same posterior
    again = run_cli(capsys, args)
    assert again.code == 0, again.err
    assert orjson.loads(again.out)["posterior"] == report["posterior"]
    with BatchStore.open(store) as opened:
        assert [row["digest"] for row in opened.rows()] == digests

    # another calibration into the same store is refused, in one line
    other = run_cli(capsys, calibrate_args(observed, store, "--seed", "5"))
    assert_one_line_error(other, 2, str(store), "cannot resume")


def test_param_ranges_and_plots(
    capsys: pytest.CaptureFixture[str], observed: Path, tmp_path: Path
) -> None:
    table = tmp_path / "post.csv"
    result = run_cli(
        capsys,
        [
            *("calibrate", "bilateral-demo", "--observed", str(observed)),
            *("--param", "parties.buyer.reservation=0.1:0.5", "-n", "40", "--workers", "1"),
            *("--out", str(table), "--json"),
        ],
    )
    assert result.code == 0, result.err
    report = orjson.loads(result.out)
    assert report["params"] == ["parties.buyer.reservation"]
    assert report["method"] == "abc"
    assert report["generations"][0]["accepted"] >= 4
    for value in (report["posterior"]["parties.buyer.reservation"][q] for q in ("q05", "q95")):
        assert 0.1 <= value <= 0.5
    image = tmp_path / "post.png"
    plotted = run_cli(capsys, ["plot", str(table), "--out", str(image), "--json"])
    assert plotted.code == 0, plotted.err
    assert orjson.loads(plotted.out)["plot"] == "posterior"
    assert image.read_bytes().startswith(b"\x89PNG")


def test_optuna_searches_inside_the_prior(
    capsys: pytest.CaptureFixture[str], observed: Path, tmp_path: Path
) -> None:
    pytest.importorskip("optuna")
    store = tmp_path / "o.sqlite"
    args = calibrate_args(observed, store, "--method", "optuna", "--quantile", "0.25")
    args[args.index("120")] = "40"
    result = run_cli(capsys, args)
    assert result.code == 0, result.err
    report = orjson.loads(result.out)
    assert report["method"] == "optuna"
    assert report["generations"][0]["simulated"] == 40
    assert report["generations"][0]["accepted"] >= 10
    posterior = report["posterior"][KEY]
    assert 0.05 <= posterior["q05"] <= posterior["q95"] <= 0.75
    with BatchStore.open(store) as opened:
        assert len(opened) == 40


@pytest.mark.parametrize(
    ("extra", "needles"),
    [
        (("--params", "parties.seller.discount"), ("--params parties.seller.discount",)),
        (("--param", "parties.seller.reservation=0.9:0.1"), ("--param", "LOW < HIGH")),
        (("--param", "parties.seller.reservation=x"), ("--param", "K=LOW:HIGH")),
        (("--param", "parties.nobody.reservation=0.1:0.2"), ("--param", "nobody")),
        (("--method", "optuna", "--generations", "2"), ("--generations",)),
        (("--out", "post.txt"), ("--out post.txt",)),
    ],
)
def test_bad_input_is_one_line(
    capsys: pytest.CaptureFixture[str], observed: Path, extra: tuple[str, ...], needles: tuple
) -> None:
    result = run_cli(
        capsys,
        ["calibrate", "bilateral-demo", "--observed", str(observed), "-n", "4", *extra],
    )
    assert_one_line_error(result, 2, *needles)


def test_choice_priors_refuse_smc(
    capsys: pytest.CaptureFixture[str], observed: Path, tmp_path: Path
) -> None:
    result = run_cli(
        capsys,
        [
            *("calibrate", "bilateral-demo", "--observed", str(observed), "-n", "4"),
            *("--set", "parties.seller.reservation={dist='choice', values=[0.2, 0.4]}"),
            *("--params", "parties.seller.reservation", "--generations", "2"),
        ],
    )
    assert_one_line_error(result, 2, "choice", "ABC rejection")
