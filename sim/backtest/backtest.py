"""``backtest``: score a scenario's predictive distribution against what was observed.

    from sim.backtest import backtest
    result = backtest("bilateral-demo", "observed.toml", n=200, seed=0)
    result.evaluation.joint.share, [r.percentile for r in result.evaluation.observed]

Runs ``S:0..S:n-1`` go through the batch runner into a store (a temporary one unless
``store`` is given: an existing store of the same batch is reused and completed), and
each observation's quantity is read from every run. ``against`` scores a second
scenario on the same seeds, the reference a proper score needs to mean anything.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import attrs

from events.errors import InputError
from sim.backtest.observations import Observation, check_against, load_observations
from sim.backtest.report import Evaluation, evaluate
from sim.backtest.runs import ObservationFailed, quantity_values, run_scenario
from sim.run.summary import summary_columns
from sim.scenario import Scenario, load_scenario


@attrs.frozen
class BacktestResult:
    """One scenario's backtest: its evaluation, and the other scenario's if ``against``."""

    scenario: str
    n: int
    seed: int
    evaluation: Evaluation
    values: tuple[tuple[Any, ...], ...]  # values[run][i]: run's value of observation i
    store: str | None = None
    against: BacktestResult | None = None

    def skill(self) -> list[float | None]:
        """Per observation, ``1 - score / score_against`` (positive: this one is better)."""
        if self.against is None:
            return [None] * len(self.evaluation.observed)
        out: list[float | None] = []
        for mine, theirs in zip(
            self.evaluation.observed, self.against.evaluation.observed, strict=True
        ):
            if mine.score is None or theirs.score is None or theirs.score == 0:
                out.append(None)
            else:
                out.append(1.0 - mine.score / theirs.score)
        return out

    def to_data(self) -> dict[str, Any]:
        """The ``negsim backtest --json`` object."""
        observed = [report.to_data() for report in self.evaluation.observed]
        if self.against is not None:
            for entry, skill in zip(observed, self.skill(), strict=True):
                entry["skill"] = skill
        data: dict[str, Any] = {
            "scenario": self.scenario,
            "n": self.n,
            "seed": self.seed,
            "store": self.store,
            "observed": observed,
            "joint": self.evaluation.joint.to_data(),
        }
        if self.against is not None:
            data["against"] = self.against.to_data()
        return data

    def rows(self) -> list[dict[str, Any]]:
        """One table row per observation (and per scenario with ``against``)."""
        out = []
        for result in (self, self.against):
            if result is None:
                continue
            for report in result.evaluation.observed:
                row = {"scenario": result.scenario, **report.to_data()}
                row.update((key, None) for key in ("quantiles", "shares"))
                for key, value in (report.quantiles or {}).items():
                    row[key] = str(value)
                row["shares"] = _shares_text(report.shares)
                row.pop("quantiles")
                out.append(row)
        return out


TABLE_COLUMNS = (
    ("scenario", "TEXT"),
    ("name", "TEXT"),
    ("quantity", "TEXT"),
    ("kind", "TEXT"),
    ("observed", "TEXT"),
    ("percentile", "REAL"),
    ("score", "REAL"),
    ("score_name", "TEXT"),
    ("log_score", "REAL"),
    ("n", "INTEGER"),
    ("defined", "INTEGER"),
    ("matched", "INTEGER"),
    ("match_share", "REAL"),
    ("q05", "TEXT"),
    ("q25", "TEXT"),
    ("q50", "TEXT"),
    ("q75", "TEXT"),
    ("q95", "TEXT"),
    ("shares", "TEXT"),
)


def _shares_text(shares: dict[str, float] | None) -> str | None:
    if shares is None:
        return None
    return "; ".join(f"{key}={value:.3f}" for key, value in shares.items())


def write_table(result: BacktestResult, path: str | os.PathLike[str]) -> Path:
    """The per-observation table as Parquet or CSV (by suffix), written atomically."""
    from sim.table_file import write_table as write

    names = [name for name, _ in TABLE_COLUMNS]
    types = [kind for _, kind in TABLE_COLUMNS]
    return write(path, names, result.rows(), types=types)


def as_observations(
    observations: str | os.PathLike[str] | Sequence[Observation],
) -> tuple[tuple[Observation, ...], str]:
    if isinstance(observations, str | os.PathLike):
        return load_observations(observations), str(observations)
    return tuple(observations), "<observations>"


@contextlib.contextmanager
def store_path(store: str | os.PathLike[str] | None, suffix: str = "") -> Iterator[Path]:
    """``store`` (with ``suffix`` before its extension), or a temporary one, removed after."""
    if store is not None:
        path = Path(store)
        if suffix:
            path = path.with_name(f"{path.stem}{suffix}{path.suffix or '.sqlite'}")
        yield path
        return
    with tempfile.TemporaryDirectory(prefix="negsim-backtest-") as folder:
        yield Path(folder) / f"batch{suffix}.sqlite"


def backtest(
    scenario: Scenario | str,
    observations: str | os.PathLike[str] | Sequence[Observation],
    n: int,
    *,
    seed: int = 0,
    workers: int | None = None,
    store: str | os.PathLike[str] | None = None,
    against: Scenario | str | None = None,
    overrides: Sequence[str] = (),
    progress: bool = False,
) -> BacktestResult:
    """Run (or reuse) ``n`` seeded runs and score them against ``observations``."""
    observed, source = as_observations(observations)
    loaded = scenario if isinstance(scenario, Scenario) else load_scenario(scenario, overrides)
    other = None
    if against is not None:
        other = against if isinstance(against, Scenario) else load_scenario(against, overrides)
    for candidate in (loaded, other):
        if candidate is not None:
            columns = [name for name, _ in summary_columns(candidate)]
            check_against(observed, columns, source)
    result = _one(loaded, observed, source, n, seed, workers, store, "", progress)
    if other is not None:
        reference = _one(other, observed, source, n, seed, workers, store, "-against", progress)
        result = attrs.evolve(result, against=reference)
    return result


def _one(
    scenario: Scenario,
    observed: tuple[Observation, ...],
    source: str,
    n: int,
    seed: int,
    workers: int | None,
    store: str | os.PathLike[str] | None,
    suffix: str,
    progress: bool,
) -> BacktestResult:
    with store_path(store, suffix) as path:
        run_scenario(scenario, n, seed=seed, store=path, workers=workers, progress=progress)
        try:
            values = tuple(tuple(row) for _, row in quantity_values(observed, path))
        except ObservationFailed as exc:
            raise InputError(f"{source}: {exc.message}") from None
        kept = str(path) if store is not None else None
    return BacktestResult(scenario.name, n, seed, evaluate(observed, values), values, kept)
