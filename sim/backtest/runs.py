"""Where backtests and calibrations get their runs: the batch runners and the store.

Every simulation of this package goes through the two functions below, each one call
of an existing batch runner (``sim.batch.run_batch`` for a scenario's own draws,
``sim.whatif.sobol.run_design`` for runs with given parameter values), always into a
batch store, so a killed backtest or calibration resumes where it stopped and every
run's log can be read back. Quantities are then read from the store: the summary row
for summary columns, the run's log (decoded and verified with the ``events`` APIs)
for state fields and first events.
"""

from __future__ import annotations

import datetime as dt
import functools
import os
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import orjson

from events.errors import InputError
from events.replay import state_at
from events.verify import verify_bytes
from sim.backtest.observations import Observation
from sim.backtest.quantities import (
    FIRST,
    STATE,
    SUMMARY,
    Quantity,
    QuantityError,
    first_time,
    resolve_path,
    time_to_value,
)
from sim.batch.store import BatchStore
from sim.scenario import Scenario


def run_scenario(
    scenario: Scenario | str,
    n: int,
    *,
    seed: int,
    store: Path,
    workers: int | None = None,
    overrides: Sequence[str] = (),
    progress: bool = False,
) -> None:
    """Runs ``S:0..S:n-1`` of ``scenario`` into ``store`` (created, or resumed if there)."""
    from sim.batch import run_batch
    from sim.batch.execution import Execution

    run_batch(
        scenario,
        n,
        seed=seed,
        overrides=overrides,
        execution=Execution(workers=workers, progress=progress),
        store=store,
        resume=True,
    )


def run_values(
    base: Scenario,
    keys: Sequence[str],
    values: Sequence[Sequence[float]],
    seeds: Sequence[str],
    *,
    per_round: int,
    store: Path,
    workers: int | None = None,
    progress: bool = False,
) -> None:
    """Row ``r`` runs ``base`` with ``keys`` set to ``values[r]`` and seed ``seeds[r]``.

    Rows already in ``store`` are skipped (they must be the same rows: the caller
    checks their values, see :func:`stored_values`).
    """
    from sim.batch.execution import Execution
    from sim.whatif.sobol import Design, run_design

    design = Design(tuple(keys), per_round, tuple(tuple(v) for v in values), tuple(seeds))
    run_design(
        base,
        design,
        source=base.name,
        overrides=(),
        execution=Execution(workers=workers, progress=progress),
        store=store,
        resume=True,
    )


def stored_values(store: Path, keys: Sequence[str]) -> dict[int, tuple[float, ...]]:
    """``{run: values of keys}`` as the design runner stored them (``sweep_<key>``)."""
    if not store.exists():
        return {}
    with BatchStore.open(store) as opened:
        return {
            row["run"]: tuple(float(row[f"sweep_{key}"]) for key in keys) for row in opened.rows()
        }


class ObservationFailed(InputError):
    """A quantity that could not be read from a run (names the observation)."""


def quantity_values(
    observations: Sequence[Observation],
    store: str | os.PathLike[str],
    runs: Sequence[int] | None = None,
) -> Iterator[tuple[int, list[Any]]]:
    """``(run, [value of each observation])`` for the store's runs (or ``runs``), in order."""
    needs_log = any(o.quantity.kind != SUMMARY for o in observations)
    wanted = set(runs) if runs is not None else None
    with BatchStore.open(store) as opened:
        for row in opened.rows():
            run = row["run"]
            if wanted is not None and run not in wanted:
                continue
            records = verify_bytes(opened.log(run)).records if needs_log else ()
            yield run, values_of_run(observations, row, records)


def values_of_run(
    observations: Sequence[Observation], row: dict[str, Any], records: Sequence[Any]
) -> list[Any]:
    """Each observation's quantity in one run (summary ``row``, decoded ``records``)."""
    out: list[Any] = []
    start: dt.date | None = None
    unit = "month"
    if records:
        started = records[0].event
        start, unit = dt.date.fromisoformat(started.start_date), started.time_unit
    states: dict[float, dict[str, Any]] = {}
    for index, observation in enumerate(observations):
        try:
            value = _quantity_value(observation.quantity, row, records, start, unit, states)
            observation.check(value)  # a text where a number was observed: say so now
            out.append(value)
        except KeyError as exc:
            raise ObservationFailed(_where(index, observation, str(exc.args[0]))) from None
        except QuantityError as exc:
            raise ObservationFailed(_where(index, observation, str(exc))) from None
    return out


def _quantity_value(
    quantity: Quantity,
    row: dict[str, Any],
    records: Sequence[Any],
    start: dt.date | None,
    unit: str,
    states: dict[float, dict[str, Any]],
) -> Any:
    """One quantity in one run: a summary column, a state field at a time, or the time
    of a first event. ``states`` caches the state at each time already asked for."""
    if quantity.kind == SUMMARY:
        return row[quantity.target]
    assert start is not None and quantity.when is not None
    t = quantity.when.time(start, unit)
    if quantity.kind == STATE:
        if t not in states:
            states[t] = state_at(records, t).to_data()
        return _state_value(states[t], quantity.target, records)
    assert quantity.kind == FIRST
    return time_to_value(first_time(records, quantity.target, t), start, unit)


def _state_value(state: dict[str, Any], path: str, records: Sequence[Any]) -> Any:
    """The state field at ``path``; a right the run never granted reads as not held
    (False), when the scenario can grant it at all (else the usual KeyError)."""
    try:
        return resolve_path(state, path)
    except KeyError:
        right = path.removeprefix("rights.")
        if right != path and right in _possible_rights(records[0].event.scenario):
            return False
        raise


def _possible_rights(scenario: dict[str, Any]) -> frozenset[str]:
    return _possible_rights_of(orjson.dumps(scenario, option=orjson.OPT_SORT_KEYS))


@functools.lru_cache(maxsize=8)
def _possible_rights_of(scenario_json: bytes) -> frozenset[str]:
    from sim.scenario import Scenario

    return frozenset(Scenario.from_data(orjson.loads(scenario_json)).possible_rights())


def _where(index: int, observation: Observation, message: str) -> str:
    return f"observed[{index}] ({observation.name}): key 'quantity': {message}"
