"""``calibrate``: fit a scenario's uncertain parameters to what was observed.

    from sim.backtest import calibrate
    fit = calibrate("bilateral-demo", "observed.toml", n=400,
                    ranges={"parties.seller.reservation": (0.1, 0.6)}, generations=3)
    fit.summary(), fit.generations[-1].ess, fit.write_scenario("fitted.toml")

Methods (see :mod:`sim.backtest.abc` for the algorithms and their literature):

- ``abc``: ``generations=1`` is ABC rejection (``n`` prior draws, the closest
  ``quantile`` kept); more generations run ABC-SMC, ``n`` proposals each.
- ``optuna``: Optuna's TPE sampler minimises the same distance over ``n`` trials (one
  run each, so the noise of a run is part of the objective); the trials closest to
  the observations (the ``quantile``) are reported with equal weights. That is a
  near-optimal region, not a Bayesian posterior: use ``abc`` for credible intervals.

Every run goes through the batch runner into one batch store (``S:r`` is row ``r``'s
seed, rows numbered across generations), so a calibration killed part-way resumes
from its store; the stored parameter values are checked against the ones this
calibration proposes, so a store is never mixed with another calibration's runs.
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Final

import attrs
import numpy as np

from events.errors import InputError
from sim.backtest import abc
from sim.backtest.backtest import as_observations, store_path
from sim.backtest.observations import Observation, check_against
from sim.backtest.prior import Prior, with_prior
from sim.backtest.runs import ObservationFailed, quantity_values, run_values, stored_values
from sim.run.summary import summary_columns
from sim.scenario import Scenario, load_scenario

METHODS: Final = ("abc", "optuna")
OPTUNA_ROUND: Final = 16  # trials asked and run together (one batch each)


@attrs.frozen(slots=True)
class Generation:
    """One population (ABC) or the whole search (Optuna): runs, kept, tolerance, ESS."""

    index: int
    simulated: int
    accepted: int
    epsilon: float
    ess: float

    @property
    def acceptance_rate(self) -> float:
        return self.accepted / self.simulated if self.simulated else 0.0

    def to_data(self) -> dict[str, Any]:
        return {
            "generation": self.index,
            "simulated": self.simulated,
            "accepted": self.accepted,
            "acceptance_rate": self.acceptance_rate,
            "epsilon": self.epsilon,
            "ess": self.ess,
        }


@attrs.frozen
class CalibrationResult:
    """The posterior sample (``theta[i]`` with ``weights[i]``) and how it was reached."""

    scenario: Scenario  # with the prior set (ranges applied)
    source: str
    observations_source: str
    method: str
    seed: int
    prior: Prior
    theta: np.ndarray = attrs.field(eq=False)
    weights: np.ndarray = attrs.field(eq=False)
    distances: np.ndarray = attrs.field(eq=False)
    runs: tuple[int, ...]
    generation_of: tuple[int, ...]
    generations: tuple[Generation, ...]
    scales: tuple[float, ...]
    store: str | None = None

    @property
    def keys(self) -> tuple[str, ...]:
        return self.prior.keys

    def marginal(self, key: str) -> tuple[np.ndarray, np.ndarray]:
        return self.theta[:, self.keys.index(key)], self.weights

    def summary(self) -> dict[str, dict[str, float]]:
        """Per key: the weighted mean and sd and the 5%, 50% and 95% quantiles."""
        out = {}
        w = self.weights / self.weights.sum()
        for column, key in enumerate(self.keys):
            x = self.theta[:, column]
            mean = float(w @ x)
            sd = math.sqrt(max(0.0, float(w @ (x - mean) ** 2)))
            out[key] = {
                "mean": mean,
                "sd": sd,
                "q05": abc.weighted_quantile(x, w, 0.05),
                "q50": abc.weighted_quantile(x, w, 0.5),
                "q95": abc.weighted_quantile(x, w, 0.95),
            }
        return out

    @property
    def ess(self) -> float:
        return abc.effective_sample_size(self.weights)

    def rows(self) -> list[dict[str, Any]]:
        """The posterior table: run, generation, ``param_<key>``..., distance, weight."""
        out = []
        for i, run in enumerate(self.runs):
            row: dict[str, Any] = {"run": run, "generation": self.generation_of[i]}
            for column, key in enumerate(self.keys):
                row[f"param_{key}"] = float(self.theta[i, column])
            row["distance"] = float(self.distances[i])
            row["weight"] = float(self.weights[i])
            out.append(row)
        return out

    def table_columns(self) -> list[tuple[str, str]]:
        return [
            ("run", "INTEGER"),
            ("generation", "INTEGER"),
            *((f"param_{key}", "REAL") for key in self.keys),
            ("distance", "REAL"),
            ("weight", "REAL"),
        ]

    def write_table(self, path: str | os.PathLike[str]) -> Path:
        """The posterior sample as Parquet or CSV (by suffix), written atomically."""
        from sim.table_file import write_table

        columns = self.table_columns()
        return write_table(
            path, [c for c, _ in columns], self.rows(), types=[t for _, t in columns]
        )

    def to_data(self) -> dict[str, Any]:
        """The ``negsim calibrate --json`` object."""
        last = self.generations[-1]
        return {
            "scenario": self.scenario.name,
            "method": self.method,
            "seed": self.seed,
            "params": list(self.keys),
            "store": self.store,
            "posterior": self.summary(),
            "acceptance_rate": last.acceptance_rate,
            "ess": self.ess,
            "generations": [g.to_data() for g in self.generations],
            "scales": list(self.scales),
            "fitted": self.fitted(),
        }

    def fitted(self) -> dict[str, dict[str, Any]]:
        """Each key's fitted distribution, as a scenario table (see :mod:`.fitted`)."""
        from sim.backtest.fitted import fitted_distributions

        return fitted_distributions(self)

    def write_scenario(self, path: str | os.PathLike[str]) -> Path:
        """A scenario TOML with the fitted distributions and a comment on their origin."""
        from sim.backtest.fitted import write_fitted_scenario

        return write_fitted_scenario(self, path)


def parse_ranges(texts: Sequence[str]) -> dict[str, tuple[float, float]]:
    """``--param K=LOW:HIGH`` texts -> ``{K: (LOW, HIGH)}`` (a key given twice refused)."""
    from sim.backtest.prior import parse_range

    out: dict[str, tuple[float, float]] = {}
    for text in texts:
        key, low, high = parse_range(text)
        if key in out:
            raise InputError(f"--param {key}: the key is given twice")
        out[key] = (low, high)
    return out


def calibrate(
    scenario: Scenario | str,
    observations: str | os.PathLike[str] | Sequence[Observation],
    *,
    params: Sequence[str] = (),
    n: int,
    method: str = "abc",
    ranges: Mapping[str, tuple[float, float]] | None = None,
    generations: int = 1,
    quantile: float = 0.1,
    seed: int = 0,
    workers: int | None = None,
    store: str | os.PathLike[str] | None = None,
    overrides: Sequence[str] = (),
    progress: bool = False,
) -> CalibrationResult:
    """Fit ``params`` (and the ``ranges`` keys) of ``scenario`` to ``observations``."""
    if method not in METHODS:
        raise InputError(f"--method: expected one of {', '.join(METHODS)}, got {method!r}")
    if isinstance(n, bool) or not isinstance(n, int) or n < 2:
        raise InputError(f"-n: expected at least 2 runs (per generation), got {n!r}")
    if isinstance(generations, bool) or not isinstance(generations, int) or generations < 1:
        raise InputError(f"--generations: expected a positive integer, got {generations!r}")
    if not 0 < quantile <= 1:
        raise InputError(f"--quantile: expected a share in (0, 1], got {quantile!r}")
    observed, obs_source = as_observations(observations)
    source = scenario.name if isinstance(scenario, Scenario) else str(scenario)
    loaded = scenario if isinstance(scenario, Scenario) else load_scenario(scenario, overrides)
    base, prior = with_prior(loaded, params, dict(ranges or {}))
    check_against(observed, [name for name, _ in summary_columns(base)], obs_source)
    if method == "abc" and generations > 1 and not prior.continuous:
        raise InputError(
            "--generations > 1 (ABC-SMC) moves parameters continuously; a 'choice' prior "
            "needs ABC rejection (--generations 1) or --method optuna"
        )
    context = _Context(base, prior, observed, obs_source, seed, workers, progress)
    with store_path(store) as path:
        context.store = path
        if method == "abc":
            result = _abc(context, n, generations, quantile)
        else:
            result = _optuna(context, n, quantile)
        kept = str(path) if store is not None else None
    return attrs.evolve(result, source=source, store=kept)


@attrs.define
class _Context:
    """What every round of a calibration needs; ``rows`` holds every row so far."""

    base: Scenario
    prior: Prior
    observed: tuple[Observation, ...]
    obs_source: str
    seed: int
    workers: int | None
    progress: bool
    store: Path = Path()
    rows: list[tuple[float, ...]] = attrs.Factory(list)

    def simulate(self, theta: np.ndarray, per_round: int) -> list[list[Any]]:
        """Run ``theta``'s rows (after every earlier row) and read their quantities."""
        first = len(self.rows)
        new = [self._typed(row) for row in theta]
        stored = stored_values(self.store, self.prior.keys)
        for offset, row in enumerate(new):
            theirs = stored.get(first + offset)
            if theirs is not None and not np.allclose(theirs, row, rtol=1e-12, atol=1e-12):
                raise InputError(
                    f"{self.store}: cannot resume: run {first + offset} of the store has "
                    f"other parameter values than this calibration proposes (another "
                    "scenario, observations, method or seed?); choose another --store"
                )
        self.rows.extend(new)
        seeds = [f"{self.seed}:{r}" for r in range(len(self.rows))]
        run_values(
            self.base,
            self.prior.keys,
            self.rows,
            seeds,
            per_round=per_round,
            store=self.store,
            workers=self.workers,
            progress=self.progress,
        )
        wanted = range(first, len(self.rows))
        try:
            found = dict(quantity_values(self.observed, self.store, wanted))
        except ObservationFailed as exc:
            raise InputError(f"{self.obs_source}: {exc.message}") from None
        return [found[r] for r in wanted]

    def _typed(self, row: np.ndarray) -> tuple[float, ...]:
        out: list[Any] = []
        for value, distribution in zip(row, self.prior.distributions, strict=True):
            ints = distribution.dist == "choice" and all(
                isinstance(v, int) and not isinstance(v, bool) for v in distribution.values
            )
            out.append(round(value) if ints else float(value))
        return tuple(out)


def _abc(context: _Context, n: int, generations: int, quantile: float) -> CalibrationResult:
    prior = context.prior
    theta = prior.draw(np.random.default_rng(np.random.SeedSequence([context.seed, 0])), n)
    values = context.simulate(theta, n)
    unit = abc.scales(context.observed, values)
    d = abc.distances(context.observed, values, unit)
    mask, epsilon = abc.accept(d, quantile)
    kept, weights = theta[mask], np.full(int(mask.sum()), 1.0 / int(mask.sum()))
    runs = np.flatnonzero(mask)
    history = [Generation(0, n, int(mask.sum()), epsilon, abc.effective_sample_size(weights))]
    for g in range(1, generations):
        rng = np.random.default_rng(np.random.SeedSequence([context.seed, g]))
        cov = abc.kernel_covariance(kept, weights)
        proposals = abc.propose(rng, prior, kept, weights, cov, n)
        values = context.simulate(proposals, n)
        d_new = abc.distances(context.observed, values, unit)
        mask, epsilon = abc.accept(d_new, quantile)
        weights = abc.importance_weights(prior, proposals[mask], kept, weights, cov)
        kept, d = proposals[mask], d_new
        runs = g * n + np.flatnonzero(mask)
        history.append(
            Generation(g, n, int(mask.sum()), epsilon, abc.effective_sample_size(weights))
        )
    return CalibrationResult(
        context.base,
        "",
        context.obs_source,
        "abc" if generations == 1 else "abc-smc",
        context.seed,
        prior,
        np.asarray([context.rows[r] for r in runs], dtype=float),
        weights,
        d[mask],
        tuple(int(r) for r in runs),
        tuple(int(r) // n for r in runs),
        tuple(history),
        tuple(unit),
    )


def _optuna(context: _Context, n: int, quantile: float) -> CalibrationResult:
    optuna = _require_optuna()
    prior = context.prior
    pairs = zip(prior.keys, prior.distributions, strict=True)
    spaces = {key: _space(optuna, d) for key, d in pairs}
    sampler = optuna.samplers.TPESampler(seed=context.seed)
    study = optuna.create_study(direction="minimize", sampler=sampler)
    unit: list[float] | None = None
    all_d: list[float] = []
    theta_all: list[tuple[float, ...]] = []
    while len(all_d) < n:
        size = min(OPTUNA_ROUND, n - len(all_d))
        trials = [study.ask(spaces) for _ in range(size)]
        theta = np.asarray(
            [[float(t.params[key]) for key in prior.keys] for t in trials], dtype=float
        )
        values = context.simulate(theta, OPTUNA_ROUND)
        if unit is None:
            unit = abc.scales(context.observed, values)
        d = abc.distances(context.observed, values, unit)
        for trial, distance in zip(trials, d, strict=True):
            study.tell(trial, float(distance))
        all_d.extend(float(x) for x in d)
        theta_all.extend(context.rows[-size:])
    assert unit is not None
    distances = np.asarray(all_d)
    mask, epsilon = abc.accept(distances, quantile)
    kept = int(mask.sum())
    weights = np.full(kept, 1.0 / kept)
    runs = np.flatnonzero(mask)
    return CalibrationResult(
        context.base,
        "",
        context.obs_source,
        "optuna",
        context.seed,
        prior,
        np.asarray(theta_all, dtype=float)[mask],
        weights,
        distances[mask],
        tuple(int(r) for r in runs),
        tuple(int(r) // OPTUNA_ROUND for r in runs),
        (Generation(0, n, kept, epsilon, float(kept)),),
        tuple(unit),
    )


def _require_optuna() -> Any:
    try:
        import optuna
    except ImportError:
        raise InputError("--method optuna needs optuna: install negsim[optuna]") from None
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    return optuna


def _space(optuna: Any, d: Any) -> Any:
    if d.dist == "choice":
        return optuna.distributions.CategoricalDistribution(tuple(d.values))
    low, high = d.support()
    if d.dist == "normal":
        low = max(low, d.mean - 4 * d.sd)
        high = min(high, d.mean + 4 * d.sd)
    return optuna.distributions.FloatDistribution(float(low), float(high))
