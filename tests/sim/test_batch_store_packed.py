"""The batch store's extensions for batches: packed runs, one-row reads, dotted columns."""

from __future__ import annotations

import zlib
from pathlib import Path

import pytest

from events.errors import InputError, IntegrityError
from sim.batch.store import BatchStore, PackedRun, RunRecord, pack_run
from sim.engine import simulate
from sim.scenario import load_scenario

COLUMNS = [
    ("param_agi.at", "REAL"),
    ("sweep_regulators.cma-x.strictness", "REAL"),
    ("deal", "INTEGER"),
]


def _record(run: int) -> RunRecord:
    result = simulate(load_scenario("bilateral-demo"), f"0:{run}")
    summary = {"param_agi.at": 1.5, "sweep_regulators.cma-x.strictness": 0.2, "deal": 1}
    return RunRecord(
        run, result.seed, {"a": 1}, summary, result.digest, len(result.records), result.log_bytes()
    )


def test_packed_runs_store_like_plain_ones(tmp_path: Path) -> None:
    records = [_record(run) for run in range(3)]
    with BatchStore.create(tmp_path / "b.sqlite", {"k": "v"}, COLUMNS) as store:
        store.put_many([pack_run(records[0]), records[1], pack_run(records[2], level=9)])
        for record in records:
            assert store.log(record.run) == record.log
        row = store.row(1)
        assert row["param_agi.at"] == 1.5 and row["params"] == {"a": 1}
        assert [r["run"] for r in store.rows()] == [0, 1, 2]
        with pytest.raises(InputError, match=r"no run 7; the store holds runs 0\.\.2"):
            store.row(7)
        with pytest.raises(InputError, match="already stored"):
            store.put_many([pack_run(records[0])])


def test_pack_run_checks_the_log() -> None:
    record = _record(0)
    with pytest.raises(ValueError, match="does not match"):
        pack_run(RunRecord(0, "s", {}, {}, "0" * 64, record.events, record.log))
    with pytest.raises(ValueError, match="events="):
        pack_run(RunRecord(0, "s", {}, {}, record.digest, record.events + 1, record.log))
    with pytest.raises(ValueError, match="newline"):
        pack_run(RunRecord(0, "s", {}, {}, record.digest, record.events, record.log[:-1]))


def test_a_bad_packed_log_is_caught_on_read(tmp_path: Path) -> None:
    record = _record(0)
    bad = PackedRun(0, "s", {}, record.summary, record.digest, 3, zlib.compress(b"x\n"))
    with BatchStore.create(tmp_path / "b.sqlite", {}, COLUMNS) as store:
        store.put_many([bad])
        with pytest.raises(IntegrityError, match="does not match its digest"):
            store.log(0)


def test_column_names_may_have_dotted_parts_only_after_an_identifier(tmp_path: Path) -> None:
    for name in (".x", "a..b", "1a.b", "a b.c"):
        with pytest.raises(InputError, match="not an identifier"):
            BatchStore.create(tmp_path / f"{len(name)}.sqlite", {}, [(name, "REAL")])


def test_page_size_is_set_at_creation(tmp_path: Path) -> None:
    import sqlite3

    with BatchStore.create(tmp_path / "p.sqlite", {}, COLUMNS, page_size=16384) as store:
        store.put_many([pack_run(_record(0))])
    with sqlite3.connect(tmp_path / "p.sqlite") as conn:
        assert conn.execute("PRAGMA page_size").fetchone()[0] == 16384
    with pytest.raises(InputError, match="page_size"):
        BatchStore.create(tmp_path / "q.sqlite", {}, COLUMNS, page_size=1000)
