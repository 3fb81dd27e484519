"""Variance-based sensitivity: a Saltelli design run as a batch, Sobol indices by SALib.

The design lives on the unit cube (SALib's Sobol sampler, ``N`` base samples,
``N * (D + 2)`` runs, no second-order terms) and is mapped to parameter values through
each parameter's own distribution (its inverse CDF: exactly how ``Distribution.draw``
turns one uniform number into a value), so the indices are those of the scenario's
declared distributions.

The model is stochastic (the run's seed drives every actor), and the seed is treated as
one more input that is not analysed: in block ``j`` the rows of matrix A and the
"A with column i from B" rows share seed ``S:2j``, matrix B's row has ``S:2j+1``.
Then SALib's estimators see A and B differ in every input (the seed included) while
``AB_i`` differs from A only in input ``i``: the first-order index of ``i`` is
``Var(E[Y | X_i]) / Var(Y)`` and its total index ``E[Var(Y | X_~i, seed)] / Var(Y)``,
with the variance the seeds cause counted in ``Var(Y)`` and attributed to no parameter.

Runs go through the Monte Carlo machinery: the batch executors (process pool or Dask),
an optional crash-safe batch store (one row per run, ``sweep_<key>`` columns holding
the row's values) and ``resume``. SALib is an optional extra: ``negsim[sensitivity]``.
"""

from __future__ import annotations

import math
import os
import statistics
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, Final

import attrs
import orjson

from events import __version__
from events.errors import InputError
from sim.batch.execution import Execution
from sim.batch.plan import scenario_digest
from sim.batch.runner import execute
from sim.batch.store import BatchStore, PackedRun
from sim.batch.worker import Chunk, run_chunk
from sim.run.summary import summary_columns
from sim.scenario import Distribution, Scenario

META_KIND: Final = "negsim-sobol"
ROWS_PER_TASK: Final = 16
_EPS: Final = 1e-12


def require_salib() -> Any:
    """SALib's Sobol sampler and analyser, or a one-line InputError naming the extra."""
    try:
        from SALib.analyze import sobol as analyze
        from SALib.sample import sobol as sample
    except ImportError:
        raise InputError(
            "method sobol needs SALib, which is not installed: "
            "pip install '.[sensitivity]' in a clone of negsim (or 'negsim[sensitivity]')"
        ) from None
    return sample, analyze


class _Quantile:
    """A stand-in generator whose one draw is ``u``: ``Distribution.draw`` then returns
    the ``u`` quantile (uniform, triangular and choice draws are inverse CDFs of one
    ``random()``; a normal draw is ``mean + sd * standard_normal()``)."""

    def __init__(self, u: float) -> None:
        self.u = min(max(float(u), _EPS), 1.0 - _EPS)

    def random(self) -> float:
        return self.u

    def standard_normal(self) -> float:
        return statistics.NormalDist().inv_cdf(self.u)


def quantile(distribution: Distribution, u: float) -> float | int:
    """The value of ``distribution`` at cumulative probability ``u``."""
    return distribution.draw(_Quantile(u))  # type: ignore[arg-type]


@attrs.frozen
class Design:
    """The runs of a Saltelli design: row ``r`` sets ``values[r]`` and has seed ``seeds[r]``."""

    keys: tuple[str, ...]
    n_base: int
    values: tuple[tuple[float | int, ...], ...]
    seeds: tuple[str, ...]

    @property
    def total(self) -> int:
        return len(self.values)


def make_design(
    params: Sequence[tuple[str, Distribution]], n_base: int, seed: int, sample: Any
) -> Design:
    d = len(params)
    problem = {"num_vars": d, "names": [key for key, _ in params], "bounds": [[0.0, 1.0]] * d}
    unit = sample.sample(problem, n_base, calc_second_order=False, scramble=True, seed=seed)
    values = tuple(
        tuple(quantile(dist, u) for (_, dist), u in zip(params, row, strict=True)) for row in unit
    )
    seeds = []
    for row in range(len(values)):
        block, position = divmod(row, d + 2)
        seeds.append(f"{seed}:{2 * block + (1 if position == d + 1 else 0)}")
    return Design(tuple(key for key, _ in params), n_base, values, tuple(seeds))


@attrs.frozen
class DesignTask:
    """Some rows of a design: each run is ``base`` with its row's values set."""

    base: Scenario
    keys: tuple[str, ...]
    runs: tuple[tuple[int, str, tuple[float | int, ...]], ...]
    param_keys: tuple[str, ...]
    kinds: tuple[tuple[str, str], ...]
    keep_log: bool


def run_design_task(task: DesignTask) -> list[PackedRun]:
    """Worker side: build each row's scenario and run it as a one-run batch chunk."""
    out: list[PackedRun] = []
    for run, seed, values in task.runs:
        setting = dict(zip(task.keys, values, strict=True))
        scenario = task.base.with_overrides(setting)
        sweep = tuple((f"sweep_{key}", value) for key, value in setting.items())
        chunk = Chunk(scenario, ((run, seed),), task.param_keys, sweep, task.kinds, task.keep_log)
        out.extend(run_chunk(chunk))
    return out


@attrs.frozen
class DesignJob:
    """A Saltelli design as a :class:`~sim.batch.runner.StoredJob`: every row a run
    (``sweep_<key>`` columns hold its values), in tasks of ``ROWS_PER_TASK`` rows."""

    base: Scenario
    design: Design
    source: str
    overrides: tuple[str, ...]
    param_keys: tuple[str, ...]
    columns: tuple[tuple[str, str], ...]

    @classmethod
    def of(cls, base: Scenario, design: Design, source: str, overrides: Sequence[str]) -> DesignJob:
        probe = base.with_overrides(dict(zip(design.keys, design.values[0], strict=True)))
        param_keys = tuple(key for key, _ in probe.distributions())
        columns = (
            *((f"param_{key}", "REAL") for key in param_keys),
            *((f"sweep_{key}", "REAL") for key in design.keys),
            *summary_columns(base),
        )
        return cls(base, design, source, tuple(overrides), param_keys, columns)

    @property
    def total(self) -> int:
        return self.design.total

    def meta(self) -> dict[str, str]:
        return {
            "kind": META_KIND,
            "scenario": self.base.name,
            "scenario_source": self.source,
            "scenario_sha256": scenario_digest(self.base),
            "overrides": orjson.dumps(list(self.overrides)).decode(),
            "params": orjson.dumps(list(self.design.keys)).decode(),
            "n_base": str(self.design.n_base),
            "seeds": self.design.seeds[0].split(":")[0],
            "version": __version__,
        }

    def adopt(self, store: BatchStore) -> None:
        mine, theirs = self.meta(), store.meta
        differs = [key for key in ("kind", "scenario_sha256", "params", "n_base", "seeds")]
        differs = [key for key in differs if theirs.get(key) != mine[key]]
        if differs or tuple(store.columns) != self.columns:
            what = ", ".join(differs) or "columns"
            raise InputError(
                f"{store.path}: cannot resume: the store was made for another design ({what})"
            )

    def tasks(
        self, pending: Sequence[int], execution: Execution, keep_log: bool
    ) -> tuple[int, Iterator[DesignTask]]:
        return -(-len(pending) // ROWS_PER_TASK), self._tasks(pending, keep_log)

    def _tasks(self, pending: Sequence[int], keep_log: bool) -> Iterator[DesignTask]:
        design = self.design
        for start in range(0, len(pending), ROWS_PER_TASK):
            runs = tuple(
                (run, design.seeds[run], design.values[run])
                for run in pending[start : start + ROWS_PER_TASK]
            )
            yield DesignTask(self.base, design.keys, runs, self.param_keys, self.columns, keep_log)

    work = staticmethod(run_design_task)


def run_design(
    base: Scenario,
    design: Design,
    *,
    source: str,
    overrides: Sequence[str],
    execution: Execution,
    store: str | os.PathLike[str] | None,
    resume: bool,
) -> list[dict[str, Any]]:
    """Run every row of ``design``; the rows' summary rows, ordered by run."""
    job = DesignJob.of(base, design, source, overrides)
    done = execute(job, execution, store=None if store is None else Path(store), resume=resume)
    if done.rows is not None:
        return [_row(row) for row in done.rows]
    assert done.store is not None
    with BatchStore.open(done.store) as stored:
        rows = list(stored.rows())
    for row in rows:
        row.pop("params", None)
    return rows


def _row(row: dict[str, Any]) -> dict[str, Any]:
    """An in-memory row as a stored row reads back: without the event count."""
    return {key: value for key, value in row.items() if key != "events"}


def analyse(
    analyze: Any,
    keys: Sequence[str],
    values: Sequence[float | None],
    n_base: int,
    seed: int,
    resamples: int = 200,
) -> tuple[dict[str, tuple[float, float, float, float]], int] | None:
    """``{key: (S1, S1 half-width, ST, ST half-width)}`` (95%) and the blocks used.

    An outcome undefined in some runs (no deal, so no agreement time) is analysed over
    the blocks where it is defined in every row; None if fewer than 4 such blocks, or
    if it does not vary at all.
    """
    width = len(keys) + 2
    kept: list[float] = []
    blocks = 0
    for block in range(n_base):
        part = values[block * width : (block + 1) * width]
        if len(part) == width and all(v is not None for v in part):
            kept.extend(float(v) for v in part)  # type: ignore[arg-type]
            blocks += 1
    if blocks < 4:
        return None
    import numpy as np

    y = np.asarray(kept, dtype=float)
    problem = {"num_vars": len(keys), "names": list(keys), "bounds": [[0.0, 1.0]] * len(keys)}
    if float(np.var(y)) == 0.0:
        return {key: (0.0, 0.0, 0.0, 0.0) for key in keys}, blocks
    with np.errstate(all="ignore"):
        result = analyze.analyze(
            problem,
            y,
            calc_second_order=False,
            num_resamples=resamples,
            conf_level=0.95,
            seed=seed + 1,  # SALib ignores a seed of 0 (`if seed:`) and resamples at random
        )
    out = {}
    for index, key in enumerate(keys):
        numbers = (
            result["S1"][index],
            result["S1_conf"][index],
            result["ST"][index],
            result["ST_conf"][index],
        )
        out[key] = tuple(0.0 if not math.isfinite(x) else float(x) for x in numbers)
    return out, blocks  # type: ignore[return-value]


__all__ = ["Design", "analyse", "make_design", "quantile", "require_salib", "run_design"]
