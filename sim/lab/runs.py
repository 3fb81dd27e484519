"""Seeded batches of runs for the lab, through the Monte Carlo machinery (``sim.batch``).

``run_table`` is the one place tournaments, tuning and the pytest plugin get their
runs from. It follows the batch contract (``sim.batch.plan``): sweep cells are the
cartesian product of the axes in the order given, the last varying fastest; run
``cell * n + i`` has seed ``S:i`` in every cell (common random numbers); rows come back
ordered by run, typed as the batch store types them. So a result depends on the master
seed only, never on the worker count.

With one worker (the default) the batch's own plan and worker code run in this
process: the small batches of a tournament cell or a tuning trial would otherwise
spend more time starting a process pool than running. With more, ``run_batch`` runs
them on its pool (logs are not kept either way).
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

from sim.batch import BatchResult, make_plan, run_batch
from sim.batch.plan import column_value
from sim.batch.worker import Chunk, run_chunk
from sim.scenario import Scenario, load_scenario


def load(scenario: Scenario | str, overrides: Sequence[str] = ()) -> Scenario:
    """A scenario object from a built-in name, a path or a scenario, with overrides."""
    if isinstance(scenario, Scenario):
        return scenario.with_overrides(assignments=overrides) if overrides else scenario
    return load_scenario(scenario, overrides)


def run_table(
    scenario: Scenario | str,
    n: int,
    *,
    seed: int = 0,
    overrides: Sequence[str] = (),
    sweep: Sequence[Any] = (),
    workers: int | None = 1,
) -> BatchResult:
    """``n`` seeded runs per sweep cell as a ``BatchResult`` (rows in memory).

    ``sweep`` takes what ``run_batch`` takes (``"KEY=V1,V2"`` strings or
    ``(key, values)`` pairs). ``workers=None`` means one per CPU, as for ``run_batch``.
    """
    if workers is not None and workers != 1:
        return run_batch(scenario, n, seed=seed, overrides=overrides, sweep=sweep, workers=workers)
    started = time.perf_counter()
    plan = make_plan(scenario, n, seed=seed, overrides=overrides, sweep=sweep)
    kinds = dict(plan.columns)
    rows: list[dict[str, Any]] = []
    for cell, runs in plan.chunks(range(plan.total), plan.n):
        chunk = Chunk(
            cell.scenario,
            tuple((run, str(plan.run_seed(run))) for run in runs),
            plan.param_keys,
            tuple(
                (f"sweep_{key}", column_value(kinds[f"sweep_{key}"], value))
                for key, value in cell.values
            ),
            plan.columns,
            keep_log=False,
        )
        for packed in run_chunk(chunk):
            rows.append(
                {
                    "run": packed.run,
                    "seed": packed.seed,
                    "digest": packed.digest,
                    "events": packed.events,
                    **packed.summary,
                }
            )
    timing = {"wall": time.perf_counter() - started, "runs": float(len(rows))}
    return BatchResult(plan.columns, plan.meta(), rows=rows, timing=timing)


def run_rows(
    scenario: Scenario | str,
    n: int,
    *,
    seed: int = 0,
    overrides: Sequence[str] = (),
    sweep: Sequence[Any] = (),
    workers: int | None = 1,
) -> list[dict[str, Any]]:
    """The rows of :func:`run_table`, as fresh dicts the caller may extend."""
    table = run_table(scenario, n, seed=seed, overrides=overrides, sweep=sweep, workers=workers)
    return [dict(row) for row in table.rows]


def sweep_value(row: dict[str, Any], key: str) -> Any:
    """A row's value of swept ``key`` (the batch's ``sweep_<key>`` column)."""
    return row[f"sweep_{key}"]


__all__ = ["load", "run_rows", "run_table", "sweep_value"]
