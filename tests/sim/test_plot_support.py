"""Fixtures and independent re-computations shared by the plot tests.

Real inputs: logs of ``simulate(load_scenario(...), seed)`` written with ``write_log``,
and small batches made here by calling ``simulate`` in a loop (not through
``sim.batch``), written as Parquet, CSV and a batch store. Utilities are recomputed
from the scenario's weights and value tables (``PartySpec.weight``/``value_of``), not
through the plotting code's ``utility_for``.
"""

from __future__ import annotations

import csv
import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

from events.verify import verify_file
from events.writer import write_log
from sim.batch.store import BatchStore
from sim.engine import simulate
from sim.run.summary import summary_columns
from sim.scenario import Scenario, load_scenario

PNG = b"\x89PNG\r\n\x1a\n"
MAGIC = {"png": (PNG,), "pdf": (b"%PDF",), "svg": (b"<?xml", b"<svg")}

SEED = 0  # msft-openai seed 0: a deal, three rulings, ROFR, AGI declared after the deal
SEED_AGI_IN_TALKS = 3  # with AGI_IN_TALKS: AGI declared and verified while talks go on
# An early AGI (verified for sure) that falls inside the talks of 2025-26.
AGI_IN_TALKS = ("agi.at=2025-09-01", "agi.verification_probability=1")


def has_magic(data: bytes, fmt: str) -> bool:
    return len(data) > 1000 and data.startswith(MAGIC[fmt])


def scenario_of(path: Path) -> tuple[list[Any], Scenario]:
    records = verify_file(path).records
    return records, Scenario.from_data(records[0].event.scenario)


def utility(scenario: Scenario, party: str, terms: Any) -> float:
    """sum_i weight_i * value_i(terms[i]), from the scenario's tables."""
    spec = scenario.party(party)
    return math.fsum(
        spec.weight(issue) * spec.value_of(issue, terms.get(issue))
        for issue in scenario.negotiation.issue_names
    )


def wilson(k: int, n: int) -> tuple[float, float]:
    """The 95% Wilson score interval, written out from its textbook formula."""
    z = 1.959963984540054
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return max(0.0, centre - half), min(1.0, centre + half)


def write_run(
    directory: Path, scenario: str, seed: int, overrides: Sequence[str] = ()
) -> Path:
    result = simulate(load_scenario(scenario, list(overrides)), seed)
    changed = "-changed" if overrides else ""  # never overwrite the plain run's log
    path = directory / f"{scenario}-{seed}{changed}.jsonl"
    write_log(path, result.log_bytes())
    return path


# --------------------------------------------------------------------------- batches

FIXED = ("run", "seed", "digest", "events")


def batch_runs(n: int, sweep: Sequence[float] = ()) -> tuple[list[dict[str, Any]], list[Any]]:
    """Rows (results-file columns) and the RunResults of a small msft-openai batch.

    With ``sweep`` values, ``agi.at`` is swept: ``n`` runs per value, same seeds.
    """
    base = load_scenario("msft-openai")
    cells = [(value, base.with_overrides({"agi.at": value})) for value in sweep] or [(None, base)]
    rows, results = [], []
    for value, scenario in cells:
        for i in range(n):
            result = simulate(scenario, f"7:{i}")
            row: dict[str, Any] = {
                "run": len(rows),
                "seed": result.seed,
                "digest": result.digest,
                "events": len(result.records),
            }
            row.update({f"param_{k}": v for k, v in sorted(result.drawn.items())})
            if value is not None:
                row["sweep_agi.at"] = value
            row.update(result.summary)
            rows.append(row)
            results.append(result)
    return rows, results


def _typed(row: dict[str, Any]) -> dict[str, Any]:
    """As the batch results files hold them: yes/no as 0/1."""
    return {k: int(v) if isinstance(v, bool) else v for k, v in row.items()}


def write_parquet(path: Path, rows: list[dict[str, Any]]) -> Path:
    import pyarrow as pa
    import pyarrow.parquet as pq

    typed = [_typed(row) for row in rows]
    names = list(rows[0])
    pq.write_table(pa.Table.from_pylist(typed, schema=None).select(names), path)
    return path


def write_csv(path: Path, rows: list[dict[str, Any]], names: Sequence[str] | None = None) -> Path:
    names = list(names or rows[0])
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(names)
        for row in rows:
            typed = _typed(row)
            writer.writerow(["" if typed[k] is None else typed[k] for k in names])
    return path


def write_store(path: Path, rows: list[dict[str, Any]], results: list[Any]) -> Path:
    scenario = load_scenario("msft-openai")
    params = [k for k in rows[0] if k.startswith(("param_", "sweep_"))]
    columns = [(k, "REAL") for k in params] + summary_columns(scenario)
    meta = {"kind": "test", "scenario": scenario.name, "n": str(len(rows))}
    store = BatchStore.create(path, meta, columns)
    try:
        for row, result in zip(rows, results, strict=True):
            summary = {name: row[name] for name, _ in columns}
            store.put(
                row["run"],
                row["seed"],
                dict(result.drawn),
                summary,
                row["digest"],
                row["events"],
                result.log_bytes(),
            )
    finally:
        store.close()
    return path


def empty_store(path: Path) -> Path:
    scenario = load_scenario("msft-openai")
    BatchStore.create(path, {"kind": "test"}, summary_columns(scenario)).close()
    return path


# --------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def plot_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("plots")


@pytest.fixture(scope="module")
def log_path(plot_dir: Path) -> Path:
    return write_run(plot_dir, "msft-openai", SEED)


@pytest.fixture(scope="module")
def batch_rows() -> tuple[list[dict[str, Any]], list[Any]]:
    return batch_runs(40)


def test_every_ruling_outcome_has_a_colour() -> None:
    # A new outcome without a colour crashed every timeline with it (exit 70).
    from events.model import RULING_OUTCOMES
    from sim.plots.style import OUTCOME_COLORS

    assert set(RULING_OUTCOMES) <= set(OUTCOME_COLORS)
