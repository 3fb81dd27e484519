"""Simulation-based calibration of ``calibrate`` (Talts, Betancourt, Simpson, Vehtari &
Gelman 2018, "Validating Bayesian inference algorithms with simulation-based
calibration", arXiv:1804.06788).

On ``tests/sim/data/sbc-bilateral.toml`` (the seller's reservation value calibrated,
the buyer's a nuisance drawn anew in every run), each trial draws a true value from the
prior, simulates one "true" run with its own seed, takes its outcome as the
observations (whether a deal was made, and if so when and at what price), and
calibrates. If the calibration is right, the true value's rank in its posterior is
uniform over trials, and the 90% credible intervals cover it in about 90% of trials.

The default (CI) run uses ABC rejection on one shared reference table of prior runs:
every trial calls ``calibrate`` with the same store and seed, so the prior draws are
simulated once and read back from the store afterwards (the resume path). Trials are
then not independent (they share the table), which widens the rank histogram's
spread a little; the tolerances below allow for it. With ``HYPOTHESIS_PROFILE=thorough``
(or ``NEGSIM_SBC=thorough``) the test runs more trials on a bigger table, and ABC-SMC
(two generations) in each trial.

Stated tolerances, at fixed seeds (so the test is deterministic):
- ranks: Pearson's chi-square over 5 equal bins must stay below the 0.999 quantile of
  chi-square with 4 degrees of freedom (18.47): a uniformity test at level 0.001;
- coverage of the central 90% interval: within [0.75, 1.0] (60 trials: a binomial(60,
  0.9) count falls below 45 with probability < 0.001).
"""

from __future__ import annotations

import math
import os
import shutil
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from sim.backtest import calibrate, observations_from_data
from sim.backtest.abc import posterior_rank, weighted_quantile
from sim.engine import simulate
from sim.scenario import load_scenario

SCENARIO = Path(__file__).parent / "data" / "sbc-bilateral.toml"
KEY = "parties.seller.reservation"
THOROUGH = "thorough" in (os.environ.get("HYPOTHESIS_PROFILE"), os.environ.get("NEGSIM_SBC"))
TRIALS = 120 if THOROUGH else 60
TABLE = 800 if THOROUGH else 400  # prior runs per calibration (per generation)
QUANTILE = 0.1
CHI2_4_999 = 18.467  # 0.999 quantile of chi-square with 4 degrees of freedom
COVERAGE_BAND = (0.75, 1.0)


def observations_of(summary: dict[str, Any]) -> list[Any]:
    entries: list[dict[str, Any]] = [
        {"name": "deal", "quantity": "agreement", "value": bool(summary["agreement"])}
    ]
    if summary["agreement"]:
        entries += [
            {"name": "when", "quantity": "agreement_time", "value": summary["agreement_time"]},
            {"name": "price", "quantity": "terms_price", "value": summary["terms_price"]},
        ]
    return list(observations_from_data({"observed": entries}))


def sbc(
    store_dir: Path, trials: int, *, mismatch: bool = False, seed: int = 20180406
) -> tuple[np.ndarray, float, float]:
    """Rank histogram (5 bins), its chi-square and the 90% coverage over ``trials``.

    With ``mismatch`` each trial is scored against the truth of the *previous* trial:
    a posterior that does not belong to its truth, which the check must reject.
    """
    scenario = load_scenario(SCENARIO)
    prior = dict(scenario.distributions())[KEY]
    shared = store_dir / "reference.sqlite"
    rng = np.random.default_rng(seed)
    ranks, covered = [], 0
    previous = float(prior.draw(rng))
    if THOROUGH:  # the prior draws (generation 0) of every trial, simulated once
        nothing = observations_of({"agreement": False})
        calibrate(scenario, nothing, params=[KEY], n=TABLE, seed=11, workers=2, store=shared)
    for trial in range(trials):
        truth = float(prior.draw(rng))
        true_run = simulate(scenario.with_overrides({KEY: truth}), f"7919:{trial}")
        store = shared
        if THOROUGH:  # SMC: later generations depend on the observations; copy gen 0
            store = store_dir / f"trial-{trial}.sqlite"
            shutil.copyfile(shared, store)
        fit = calibrate(
            scenario,
            observations_of(true_run.summary),
            params=[KEY],
            n=TABLE,
            generations=2 if THOROUGH else 1,
            quantile=QUANTILE,
            seed=11,
            workers=2,
            store=store,
        )
        scored = previous if mismatch else truth
        previous = truth
        x, w = fit.marginal(KEY)
        ranks.append(posterior_rank(x, w, scored))
        low, high = weighted_quantile(x, w, 0.05), weighted_quantile(x, w, 0.95)
        covered += low <= scored <= high
    counts, _ = np.histogram(ranks, bins=5, range=(0.0, 1.0))
    expected = trials / 5
    chi2 = float(np.sum((counts - expected) ** 2 / expected))
    return counts, chi2, covered / trials


def test_posterior_ranks_are_uniform_and_intervals_cover(tmp_path: Path) -> None:
    counts, chi2, coverage = sbc(tmp_path, TRIALS)
    report = f"rank bins {counts.tolist()}, chi2 {chi2:.2f}, 90% coverage {coverage:.3f}"
    print(report)
    assert chi2 < CHI2_4_999, report
    assert COVERAGE_BAND[0] <= coverage <= COVERAGE_BAND[1], report


def test_the_check_rejects_posteriors_of_the_wrong_truth(tmp_path: Path) -> None:
    """The same statistics have power: posteriors scored against another trial's truth
    (each is narrower than the prior, so an unrelated truth falls outside too often)."""
    counts, chi2, coverage = sbc(tmp_path, TRIALS, mismatch=True)
    report = f"rank bins {counts.tolist()}, chi2 {chi2:.2f}, 90% coverage {coverage:.3f}"
    print(report)
    assert chi2 >= CHI2_4_999 or coverage < COVERAGE_BAND[0], report


@pytest.mark.parametrize("quantile", [0.02, 0.05])
def test_rejection_posterior_is_the_prior_restricted_to_matching_runs(
    tmp_path: Path, quantile: float
) -> None:
    """With exact matches in the table, rejection keeps exactly the prior draws whose
    run matched (a deterministic check of what the posterior is)."""
    scenario = load_scenario(SCENARIO)
    observed = observations_of({"agreement": False})
    fit = calibrate(
        scenario,
        observed,
        params=[KEY],
        n=200,
        quantile=quantile,
        seed=1,
        workers=2,
        store=tmp_path / "s.sqlite",
    )
    from sim.batch.store import BatchStore

    with BatchStore.open(tmp_path / "s.sqlite") as opened:
        rows = list(opened.rows())
    no_deal = sorted(row["run"] for row in rows if not row["agreement"])
    assert len(no_deal) >= math.ceil(quantile * 200)  # enough exact matches: distance 0
    assert sorted(fit.runs) == no_deal
    values = {row["run"]: row[f"sweep_{KEY}"] for row in rows}
    x, w = fit.marginal(KEY)
    assert sorted(x.tolist()) == sorted(values[r] for r in no_deal)
    assert np.allclose(w, 1 / len(no_deal))
