"""Approximate Bayesian computation: rejection and population Monte Carlo (pure numpy).

- Rejection (Pritchard et al. 1999; Beaumont, Zhang & Balding 2002, "Approximate
  Bayesian computation in population genetics", Genetics 162:2025-2035): draw
  parameters from the prior, simulate, keep the draws whose simulated observations lie
  closest to the real ones. The tolerance ``epsilon`` is the ``quantile`` of the
  distances (every draw at that distance is kept, so exact matches of a discrete
  outcome are all kept together).
- ABC-SMC / population Monte Carlo (Toni et al. 2009, "Approximate Bayesian
  computation scheme for parameter inference and model selection in dynamical
  systems", J. R. Soc. Interface 6:187-202; Beaumont, Cornuet, Marin & Robert 2009,
  "Adaptive approximate Bayesian computation", Biometrika 96:983-990): each later
  generation resamples the previous population by weight, moves each particle with a
  Gaussian kernel of twice the population's weighted covariance (Beaumont et al.'s
  choice), keeps the closest ``quantile`` again (the adaptive tolerance of
  Del Moral, Doucet & Jasra 2012 and Lenormand, Jabot & Deffuant 2013, and pyabc's
  default), and weights each kept particle by ``prior(theta) / sum_j w_j K(theta |
  theta_j)``, the importance weight that makes the population target the prior times
  the ABC likelihood again.

The distance between a run and the observations is the Euclidean norm of one term
per observation: for numbers and dates ``|x - y|`` divided by the observation's
``tolerance`` when it has one, else by the spread (standard deviation) of the
quantity over the first generation's runs; for categories 0 when the run matches and
1 otherwise; a run without the quantity (no deal, so no agreement time) is
:data:`MISSING` spreads away.

pyabc (the reference implementation) was considered: its install brings pandas,
SQLAlchemy, cloudpickle, Redis and Dask clients and more, and it runs its own
samplers and database, not negsim's batch runner and store; so the two algorithms
are written here (about a hundred lines) and tested for calibration (see
``tests/sim/test_calibrate_sbc.py``).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any, Final

import numpy as np

from sim.backtest.observations import CATEGORY, Observation
from sim.backtest.prior import Prior

MISSING: Final = 10.0


def scales(observations: Sequence[Observation], values: Sequence[Sequence[Any]]) -> list[float]:
    """Per observation, what one unit of distance is (see the module doc)."""
    out = []
    for index, observation in enumerate(observations):
        if observation.kind == CATEGORY:
            out.append(1.0)
        elif observation.tolerance > 0:
            out.append(observation.tolerance)
        else:
            xs = [observation.numeric(row[index]) for row in values]
            defined = np.asarray([x for x in xs if x is not None], dtype=float)
            spread = float(np.std(defined)) if defined.size > 1 else 0.0
            out.append(spread if spread > 0 else 1.0)
    return out


def distances(
    observations: Sequence[Observation],
    values: Sequence[Sequence[Any]],
    unit: Sequence[float],
) -> np.ndarray:
    """Each run's distance to the observations (see the module doc)."""
    out = np.zeros(len(values))
    for row, run in enumerate(values):
        total = 0.0
        for index, observation in enumerate(observations):
            value = run[index]
            if observation.kind == CATEGORY:
                term = 0.0 if observation.matches(value) else 1.0
            else:
                x = observation.numeric(value)
                y = observation.observed_numeric
                term = MISSING if x is None else abs(x - y) / unit[index]
            total += term * term
        out[row] = math.sqrt(total)
    return out


def accept(d: np.ndarray, quantile: float) -> tuple[np.ndarray, float]:
    """The kept draws (a boolean mask) and the tolerance: the ``quantile`` of ``d``,
    every draw at that distance or closer kept (at least one)."""
    k = max(1, math.ceil(quantile * d.size))
    epsilon = float(np.sort(d)[k - 1])
    return d <= epsilon + 1e-12, epsilon


def kernel_covariance(theta: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Twice the weighted covariance of the population (Beaumont et al. 2009); a tiny
    ridge keeps it positive definite when a parameter has collapsed."""
    theta = np.atleast_2d(theta)
    w = weights / weights.sum()
    mean = w @ theta
    centred = theta - mean
    cov = 2.0 * (centred * w[:, None]).T @ centred
    scale = np.maximum(np.abs(mean), 1.0)
    return np.asarray(cov + np.diag((1e-10 * scale) ** 2), dtype=float)


def propose(
    rng: np.random.Generator,
    prior: Prior,
    theta: np.ndarray,
    weights: np.ndarray,
    cov: np.ndarray,
    size: int,
    max_tries: int = 1000,
) -> np.ndarray:
    """``size`` particles: resampled by weight, moved by the Gaussian kernel, redrawn
    until inside the prior's support."""
    w = weights / weights.sum()
    out = np.empty((size, theta.shape[1]))
    chol = np.linalg.cholesky(cov)
    for row in range(size):
        for _ in range(max_tries):
            j = int(rng.choice(theta.shape[0], p=w))
            candidate = theta[j] + chol @ rng.standard_normal(theta.shape[1])
            if prior.density(candidate)[0] > 0:
                out[row] = candidate
                break
        else:  # pragma: no cover - a population entirely on a support's edge
            raise RuntimeError("ABC-SMC: no proposal inside the prior's support")
    return out


def importance_weights(
    prior: Prior,
    theta: np.ndarray,
    previous: np.ndarray,
    previous_weights: np.ndarray,
    cov: np.ndarray,
) -> np.ndarray:
    """``prior(theta_i) / sum_j w_j K(theta_i | theta_j)``, normalised."""
    inverse = np.linalg.inv(cov)
    w = previous_weights / previous_weights.sum()
    diff = theta[:, None, :] - previous[None, :, :]
    quad = np.einsum("ijk,kl,ijl->ij", diff, inverse, diff)
    mixture = np.exp(-0.5 * quad) @ w  # the kernel's constant cancels on normalising
    weights = prior.density(theta) / np.maximum(mixture, 1e-300)
    total = weights.sum()
    return weights / total if total > 0 else np.full(len(theta), 1.0 / len(theta))


def effective_sample_size(weights: np.ndarray) -> float:
    """Kish's effective sample size ``(sum w)^2 / sum w^2``."""
    w = np.asarray(weights, dtype=float)
    return float(w.sum() ** 2 / np.sum(w * w)) if w.size else 0.0


def weighted_quantile(x: np.ndarray, weights: np.ndarray, q: float) -> float:
    """The ``q`` quantile of a weighted sample (inverse of its step CDF)."""
    order = np.argsort(x, kind="stable")
    cumulative = np.cumsum(weights[order]) / weights.sum()
    index = int(np.searchsorted(cumulative, q - 1e-12))
    return float(x[order][min(index, x.size - 1)])


def posterior_rank(x: np.ndarray, weights: np.ndarray, truth: float) -> float:
    """The posterior mass below ``truth`` plus half the mass equal to it, in [0, 1]."""
    w = weights / weights.sum()
    below = float(w[x < truth - 1e-12].sum())
    tied = float(w[np.abs(x - truth) <= 1e-12].sum())
    return below + 0.5 * tied
