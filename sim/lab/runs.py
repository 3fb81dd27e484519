"""Seeded batches of runs for the lab, through the Monte Carlo machinery (``sim.batch``).

``run_table`` is the one place tournaments, tuning and the pytest plugin get their
runs from. It follows the batch contract (``sim.batch.plan``): sweep cells are the
cartesian product of the axes in the order given, the last varying fastest; run
``cell * n + i`` has seed ``S:i`` in every cell (common random numbers); rows come back
ordered by run, typed as the batch store types them. So a result depends on the master
seed only, never on the worker count.

By default one worker, which means this process (``sim.batch.execution``): the small
batches of a tournament cell or a tuning trial would otherwise spend more time starting
a process pool than running. Logs are not kept.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sim.batch import BatchResult, run_batch
from sim.batch.execution import Execution
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
    execution: Execution | None = None,
) -> BatchResult:
    """``n`` seeded runs per sweep cell as a ``BatchResult`` (rows in memory).

    ``sweep`` takes what ``run_batch`` takes (``"KEY=V1,V2"`` strings or
    ``(key, values)`` pairs). ``execution`` defaults to one worker: this process.
    """
    return run_batch(
        scenario,
        n,
        seed=seed,
        overrides=overrides,
        sweep=sweep,
        execution=execution or Execution(workers=1),
    )


def run_rows(
    scenario: Scenario | str,
    n: int,
    *,
    seed: int = 0,
    overrides: Sequence[str] = (),
    sweep: Sequence[Any] = (),
    execution: Execution | None = None,
) -> list[dict[str, Any]]:
    """The rows of :func:`run_table`, as fresh dicts the caller may extend."""
    table = run_table(scenario, n, seed=seed, overrides=overrides, sweep=sweep, execution=execution)
    return [dict(row) for row in table.rows]


def sweep_value(row: dict[str, Any], key: str) -> Any:
    """A row's value of swept ``key`` (the batch's ``sweep_<key>`` column)."""
    return row[f"sweep_{key}"]


__all__ = ["load", "run_rows", "run_table", "sweep_value"]
