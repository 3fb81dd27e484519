"""Seeded batches of runs for the lab: through ``sim.batch`` when it is there.

``run_rows`` is the one place tournaments, tuning and the pytest plugin get their runs
from. It follows the Monte Carlo contract (``sim.batch.plan``): sweep cells are the
cartesian product of the axes in the order given, the last varying fastest; run
``cell * n + i`` has seed ``S:i`` in every cell (common random numbers); rows come back
ordered by run, with ``run``, ``seed``, ``digest``, ``events``, ``param_<key>`` (drawn
values), ``sweep_<key>`` and the
summary columns. So a result depends on the master seed only, never on the worker
count.

Until ``sim.batch.run_batch`` exists (it is being built beside this), a small local
loop with the same contract stands in for it (``backend()`` says which is used).
"""

from __future__ import annotations

import concurrent.futures as cf
import itertools
import multiprocessing
import os
from collections.abc import Mapping, Sequence
from typing import Any

from events.errors import InputError
from sim.scenario import Scenario, load_scenario, parse_value


def backend() -> str:
    """``"sim.batch"`` when the Monte Carlo machinery is importable, else ``"local"``."""
    return "sim.batch" if _run_batch() is not None else "local"


def _run_batch() -> Any:
    try:
        from sim.batch import run_batch
    except ImportError:
        return None
    return run_batch


def load(scenario: Scenario | str, overrides: Sequence[str] = ()) -> Scenario:
    """A scenario object from a built-in name, a path or a scenario, with overrides."""
    if isinstance(scenario, Scenario):
        return scenario.with_overrides(assignments=overrides) if overrides else scenario
    return load_scenario(scenario, overrides)


def run_rows(
    scenario: Scenario | str,
    n: int,
    *,
    seed: int = 0,
    overrides: Sequence[str] = (),
    sweep: Sequence[tuple[str, Sequence[Any]]] = (),
    workers: int | None = None,
) -> list[dict[str, Any]]:
    """The summary rows of ``n`` seeded runs per sweep cell, ordered by run.

    ``sweep`` is ``[(dotted_key, values), ...]``; ``workers=None`` or 1 runs in this
    process with the local loop (small batches are dominated by pool start-up).
    """
    run_batch = _run_batch()
    if run_batch is not None and workers not in (None, 0, 1):
        result = run_batch(
            scenario,
            n,
            seed=seed,
            overrides=tuple(overrides),
            sweep=tuple((key, tuple(values)) for key, values in sweep),
            workers=workers,
        )
        return [dict(row) for row in result.rows]
    return _local_rows(scenario, n, seed, tuple(overrides), tuple(sweep), workers or 1)


def cell_assignments(sweep: Sequence[tuple[str, Sequence[Any]]]) -> list[dict[str, Any]]:
    """The sweep grid's cells as ``{key: value}``, in run order (last axis fastest)."""
    keys = [key for key, _ in sweep]
    return [
        dict(zip(keys, picks, strict=True))
        for picks in itertools.product(*(tuple(values) for _, values in sweep))
    ]


def _local_rows(
    scenario: Scenario | str,
    n: int,
    seed: int,
    overrides: tuple[str, ...],
    sweep: tuple[tuple[str, Sequence[Any]], ...],
    workers: int,
) -> list[dict[str, Any]]:
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise InputError(f"expected a positive number of runs, got {n!r}")
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise InputError(f"expected a non-negative integer master seed, got {seed!r}")
    base = load(scenario, overrides)
    tasks = []
    for index, cell in enumerate(cell_assignments(sweep)):
        values = {key: parse_value(v) if isinstance(v, str) else v for key, v in cell.items()}
        cell_scenario = base.with_overrides(values) if values else base
        tasks.append((cell_scenario, index * n, n, seed, tuple(cell.items())))
    if workers <= 1 or len(tasks) * n < 2 * workers:
        chunks = [_run_cell(task) for task in tasks]
    else:
        ctx = multiprocessing.get_context(
            "forkserver" if "forkserver" in multiprocessing.get_all_start_methods() else "spawn"
        )
        with cf.ProcessPoolExecutor(
            max_workers=min(workers, os.cpu_count() or 1), mp_context=ctx
        ) as pool:
            chunks = list(pool.map(_run_cell, tasks))
    return [row for chunk in chunks for row in chunk]


def _run_cell(
    task: tuple[Scenario, int, int, int, tuple[tuple[str, Any], ...]],
) -> list[dict[str, Any]]:
    from sim.engine import simulate

    scenario, first_run, n, seed, cell = task
    rows = []
    for i in range(n):
        result = simulate(scenario, f"{seed}:{i}")
        row: dict[str, Any] = {
            "run": first_run + i,
            "seed": f"{seed}:{i}",
            "digest": result.digest,
            "events": len(result.records),
        }
        for key in sorted(result.drawn):
            row[f"param_{key}"] = result.drawn[key]
        for key, value in cell:
            row[f"sweep_{key}"] = value
        row.update(result.summary)
        rows.append(row)
    return rows


def sweep_value(row: Mapping[str, Any], key: str) -> Any:
    """A row's value of swept ``key`` (``sweep_<key>``)."""
    return row[f"sweep_{key}"]


__all__ = ["backend", "cell_assignments", "load", "run_rows", "sweep_value"]
