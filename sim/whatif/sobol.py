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

import contextlib
import math
import os
import statistics
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, Final

import attrs
import orjson

from events import __version__
from events.batch_store import BatchStore, PackedRun
from events.errors import InputError, OutputError
from sim.batch.executors import make_executor
from sim.batch.plan import scenario_digest
from sim.batch.progress import tracker
from sim.batch.runner import run_unordered
from sim.batch.worker import Chunk, run_chunk
from sim.scenario import Distribution, Scenario
from sim.summary import summary_columns

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
            "--method sobol needs SALib, which is not installed: "
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


def run_design(
    base: Scenario,
    design: Design,
    *,
    source: str,
    overrides: Sequence[str],
    workers: int | None,
    executor: str,
    address: str | None,
    store: str | os.PathLike[str] | None,
    resume: bool,
    progress: bool,
) -> list[dict[str, Any]]:
    """Run every row of ``design``; the rows' summary rows, ordered by run."""
    probe = base.with_overrides(dict(zip(design.keys, design.values[0], strict=True)))
    param_keys = tuple(key for key, _ in probe.distributions())
    kinds = (
        *((f"param_{key}", "REAL") for key in param_keys),
        *((f"sweep_{key}", "REAL") for key in design.keys),
        *summary_columns(base),
    )
    meta = {
        "kind": META_KIND,
        "scenario": base.name,
        "scenario_source": source,
        "scenario_sha256": scenario_digest(base),
        "overrides": orjson.dumps(list(overrides)).decode(),
        "params": orjson.dumps(list(design.keys)).decode(),
        "n_base": str(design.n_base),
        "seeds": design.seeds[0].split(":")[0],
        "version": __version__,
    }
    writer = _open(Path(store), meta, kinds, resume) if store is not None else None
    rows: list[dict[str, Any]] = []
    try:
        done = set(writer.run_ids()) if writer is not None else set()
        pending = [run for run in range(design.total) if run not in done]
        tasks = _tasks(base, design, pending, param_keys, kinds, writer is not None)
        workers = workers or os.cpu_count() or 1
        if pending:
            with tracker(progress, design.total, len(done)) as bar:
                pool = make_executor(executor, min(workers, len(pending)), address)
                try:
                    stream = run_unordered(pool, tasks, run_design_task)
                    with contextlib.closing(stream):
                        for finished in stream:
                            if writer is not None:
                                writer.put_many(finished)
                            else:
                                rows.extend(_row(run) for run in finished)
                            bar.advance(len(finished))
                finally:
                    pool.close()
        if writer is not None:
            rows = list(writer.rows())
            for row in rows:
                row.pop("params", None)
    finally:
        if writer is not None:
            writer.close()
    rows.sort(key=lambda row: row["run"])
    return rows


def _open(
    path: Path, meta: dict[str, str], kinds: Sequence[tuple[str, str]], resume: bool
) -> BatchStore:
    if path.exists():
        if not resume:
            raise InputError(
                f"{path}: batch store already exists; pass --resume to continue it, "
                "or choose another --store"
            )
        store = BatchStore.open(path, write=True)
        theirs = store.meta
        differs = [key for key in ("kind", "scenario_sha256", "params", "n_base", "seeds")]
        differs = [key for key in differs if theirs.get(key) != meta[key]]
        if differs or tuple(store.columns) != tuple(kinds):
            store.close()
            what = ", ".join(differs) or "columns"
            raise InputError(
                f"{path}: cannot resume: the store was made for another design ({what})"
            )
        return store
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(
            f"{path.parent}: cannot create directory ({exc.strerror or exc})"
        ) from None
    return BatchStore.create(path, meta, kinds)


def _tasks(
    base: Scenario,
    design: Design,
    pending: Sequence[int],
    param_keys: tuple[str, ...],
    kinds: tuple[tuple[str, str], ...],
    keep_log: bool,
) -> Iterator[DesignTask]:
    for start in range(0, len(pending), ROWS_PER_TASK):
        runs = tuple(
            (run, design.seeds[run], design.values[run])
            for run in pending[start : start + ROWS_PER_TASK]
        )
        yield DesignTask(base, design.keys, runs, param_keys, kinds, keep_log)


def _row(run: PackedRun) -> dict[str, Any]:
    return {"run": run.run, "seed": run.seed, "digest": run.digest, **run.summary}


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
