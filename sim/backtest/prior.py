"""The parameters a calibration fits and their prior: the scenario's own distributions,
or ``--param K=LOW:HIGH`` ranges (uniform priors set in the scenario as distributions).

Densities are those the batch draws from: uniform, triangular, and normal (a normal
with ``low``/``high`` is drawn clipped, so its draws pile up on the bounds; here it
is treated as truncated to them, which is what a calibration can fit). ``choice``
priors are discrete: ABC rejection and Optuna handle them, ABC-SMC (whose kernel moves
particles continuously) refuses them.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import attrs
import numpy as np

from events.errors import InputError
from sim.scenario import Distribution, Scenario, ScenarioError


@attrs.frozen(slots=True)
class Prior:
    """The calibrated keys (sorted) and their distributions."""

    keys: tuple[str, ...]
    distributions: tuple[Distribution, ...]

    @property
    def continuous(self) -> bool:
        return all(d.dist != "choice" for d in self.distributions)

    def draw(self, rng: np.random.Generator, size: int) -> np.ndarray:
        """``size`` draws, one row each (keys in order, drawn in that order per row)."""
        out = np.empty((size, len(self.keys)))
        for row in range(size):
            for column, distribution in enumerate(self.distributions):
                out[row, column] = float(distribution.draw(rng))
        return out

    def density(self, theta: np.ndarray) -> np.ndarray:
        """The prior density (product over keys) of each row of ``theta``."""
        theta = np.atleast_2d(theta)
        out = np.ones(theta.shape[0])
        for column, distribution in enumerate(self.distributions):
            out *= _density(distribution, theta[:, column])
        return out

    def bounds(self) -> list[tuple[float, float]]:
        return [d.support() for d in self.distributions]


def _density(d: Distribution, x: np.ndarray) -> np.ndarray:
    if d.dist == "uniform":
        low, high = float(d.low), float(d.high)  # type: ignore[arg-type]
        width = high - low
        inside = (x >= low) & (x <= high)
        return np.where(inside, 1.0 / width if width > 0 else 1.0, 0.0)
    if d.dist == "triangular":
        low, mode, high = float(d.low), float(d.mode), float(d.high)  # type: ignore[arg-type]
        if high == low:
            return np.where(x == low, 1.0, 0.0)
        up = np.where(mode > low, 2 * (x - low) / ((high - low) * max(mode - low, 1e-300)), 0.0)
        down = np.where(
            high > mode, 2 * (high - x) / ((high - low) * max(high - mode, 1e-300)), 0.0
        )
        value = np.where(x < mode, up, down)
        return np.where((x >= low) & (x <= high), np.maximum(value, 0.0), 0.0)
    if d.dist == "normal":
        mean, sd = float(d.mean), float(d.sd)  # type: ignore[arg-type]
        low = -math.inf if d.low is None else d.low
        high = math.inf if d.high is None else d.high
        mass = _phi((high - mean) / sd) - _phi((low - mean) / sd)
        pdf = np.exp(-0.5 * ((x - mean) / sd) ** 2) / (sd * math.sqrt(2 * math.pi))
        return np.where((x >= low) & (x <= high), pdf / max(mass, 1e-300), 0.0)
    if d.dist == "choice":
        weights = np.asarray(d.weights or (1.0,) * len(d.values), dtype=float)
        weights = weights / weights.sum()
        out = np.zeros_like(x, dtype=float)
        for point, weight in zip(d.values, weights, strict=True):
            out += np.where(np.isclose(x, float(point)), weight, 0.0)
        return out
    raise ValueError(f"unknown distribution {d.dist!r}")  # pragma: no cover


def _phi(z: float) -> float:
    if math.isinf(z):
        return 0.0 if z < 0 else 1.0
    return 0.5 * (1.0 + math.erf(z / math.sqrt(2.0)))


def parse_range(text: str) -> tuple[str, float, float]:
    """``"K=LOW:HIGH"`` -> ``(K, LOW, HIGH)``; InputError naming ``--param`` otherwise."""
    key, sep, rest = text.partition("=")
    low_text, colon, high_text = rest.partition(":")
    try:
        if not sep or not colon or not key.strip():
            raise ValueError
        low, high = float(low_text), float(high_text)
    except ValueError:
        raise InputError(f"--param {text}: expected K=LOW:HIGH, e.g. {_EXAMPLE}") from None
    if not (math.isfinite(low) and math.isfinite(high)) or not low < high:
        raise InputError(f"--param {text}: expected finite LOW < HIGH")
    return key.strip(), low, high


_EXAMPLE = "parties.seller.reservation=0.1:0.6"


def with_prior(
    scenario: Scenario, params: Sequence[str], ranges: Mapping[str, tuple[float, float]]
) -> tuple[Scenario, Prior]:
    """``scenario`` with each ``--param`` range set as a uniform distribution, and the
    prior of ``params`` (plus the ranged keys): an InputError names a key that is
    neither a distribution in the scenario nor given a range."""
    if ranges:
        assignments = [
            f'{key}={{dist="uniform", low={low!r}, high={high!r}}}'
            for key, (low, high) in ranges.items()
        ]
        try:
            scenario = scenario.with_overrides(assignments=assignments)
        except ScenarioError as exc:
            raise InputError(exc.message.replace("--set ", "--param ", 1)) from None
    wanted = sorted(set(params) | set(ranges))
    if not wanted:
        raise InputError("--params: expected at least one parameter to calibrate")
    available = dict(scenario.distributions())
    missing = [key for key in wanted if key not in available]
    if missing:
        known = ", ".join(available) or "none"
        raise InputError(
            f"--params {missing[0]}: not a distribution in scenario {scenario.name!r} "
            f"(its distributions: {known}); give a range with --param {missing[0]}=LOW:HIGH"
        )
    return scenario, Prior(tuple(wanted), tuple(available[key] for key in wanted))
