"""run_batch: determinism across N, workers and executors; stores, resume, results files."""

from __future__ import annotations

import contextlib
import csv
import os
import tracemalloc
from functools import cache
from pathlib import Path

import pytest

from events.errors import InputError, OutputError
from sim.batch import BatchResult, run_batch
from sim.batch.execution import Execution
from sim.batch.store import BatchStore
from sim.engine import simulate
from sim.scenario import load_scenario


@cache
def reference(seed: str, *assignments: str) -> str:
    """The digest of one run simulated alone, in this process."""
    return simulate(load_scenario("msft-openai", list(assignments)), seed).digest


def digests(result: BatchResult) -> list[str]:
    return [row["digest"] for row in result.rows]


def test_run_i_does_not_depend_on_n_or_workers(tmp_path: Path) -> None:
    small = run_batch(
        "msft-openai", 10, seed=5, execution=Execution(workers=1), store=tmp_path / "a.sqlite"
    )
    large = run_batch("msft-openai", 20, seed=5, execution=Execution(workers=2, chunk_size=3))
    assert digests(large)[:10] == digests(small)
    assert digests(small) == [reference(f"5:{i}") for i in range(10)]
    assert [row["run"] for row in large.rows] == list(range(20))
    assert [row["seed"] for row in large.rows][:3] == ["5:0", "5:1", "5:2"]
    # a store-backed result and an in-memory one hold the same rows
    assert large.rows[:10] == small.rows


def test_process_and_dask_give_the_same_digests() -> None:
    pytest.importorskip("distributed")
    one = run_batch("msft-openai", 8, execution=Execution(workers=1))
    two = run_batch("msft-openai", 8, execution=Execution(workers=2, chunk_size=1))
    dask = run_batch(
        "msft-openai", 8, execution=Execution(workers=2, executor="dask", chunk_size=2)
    )
    assert digests(one) == digests(two) == digests(dask)
    assert one.rows == dask.rows


def test_a_local_dask_cluster_is_quiet_when_port_8787_is_taken() -> None:
    pytest.importorskip("distributed")
    import socket
    import warnings

    with socket.socket() as taken, warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        taken.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        with contextlib.suppress(OSError):  # already taken by someone else: as good
            taken.bind(("", 8787))
            taken.listen()
        result = run_batch("msft-openai", 2, execution=Execution(workers=1, executor="dask"))
    assert digests(result) == [reference(f"0:{i}") for i in range(2)]
    assert not [str(w.message) for w in caught if "already in use" in str(w.message)]


def test_dask_at_an_address_is_used_and_left_running() -> None:
    distributed = pytest.importorskip("distributed")
    import logging

    with distributed.LocalCluster(
        n_workers=1, processes=False, dashboard_address=None, silence_logs=logging.ERROR
    ) as cluster:
        result = run_batch(
            "msft-openai",
            4,
            seed=9,
            execution=Execution(executor="dask", address=cluster.scheduler_address),
        )
        assert digests(result) == [reference(f"9:{i}") for i in range(4)]
        assert cluster.scheduler_info["workers"]  # still up: not ours to close


def test_sweep_cells_share_seeds_and_get_columns(tmp_path: Path) -> None:
    result = run_batch(
        "msft-openai",
        3,
        sweep=["agi.at=100,150"],
        execution=Execution(workers=2),
        store=tmp_path / "s.sqlite",
    )
    rows = result.rows
    assert [row["seed"] for row in rows] == ["0:0", "0:1", "0:2"] * 2
    assert [row["sweep_agi.at"] for row in rows] == [100] * 3 + [150] * 3
    assert "param_agi.at" not in result.columns  # fixed by the sweep, not drawn
    assert rows[4]["digest"] == reference("0:1", "agi.at=150")
    groups = [e["group"] for e in result.summary() if e["outcome"] == "agreement"]
    assert groups == [{"agi.at": 100}, {"agi.at": 150}]


def test_the_parent_keeps_no_logs() -> None:
    """Peak traced memory of the parent does not grow with N (logs stream to the store).

    Both batches are larger than the window of chunks in flight (2 workers x 4 chunks x
    8 runs), so both peaks include a full window of results however the workers and
    the parent happen to be scheduled; what N may not add is the logs themselves.
    """

    def peak(n: int, path: Path) -> int:
        tracemalloc.start()
        try:
            run_batch("msft-openai", n, execution=Execution(workers=2, chunk_size=8), store=path)
            return tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()

    import sqlite3
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        run_batch("msft-openai", 2, execution=Execution(workers=2), store=Path(tmp) / "warm.sqlite")
        small = peak(80, Path(tmp) / "small.sqlite")
        large = peak(800, Path(tmp) / "large.sqlite")
        with sqlite3.connect(Path(tmp) / "large.sqlite") as conn:
            log_bytes = conn.execute("SELECT avg(length(log)) FROM runs").fetchone()[0]
    kept_if_leaked = (800 - 80) * log_bytes  # ~14 MB of compressed logs
    assert large < small + kept_if_leaked / 2, (small, large, kept_if_leaked)


def test_resume_skips_stored_runs_and_never_stores_twice(tmp_path: Path) -> None:
    path = tmp_path / "r.sqlite"
    full = run_batch("msft-openai", 12, execution=Execution(workers=2))
    first = run_batch("msft-openai", 12, execution=Execution(workers=2), store=path)
    # drop some runs as if they had been in flight when the batch was killed
    import sqlite3

    with sqlite3.connect(path) as conn:
        conn.execute("DELETE FROM runs WHERE run IN (3, 7, 11)")
    result = run_batch("msft-openai", 12, execution=Execution(workers=2), store=path, resume=True)
    assert result.timing["runs"] == 3
    assert digests(result) == digests(full) == digests(first)
    again = run_batch("msft-openai", 12, execution=Execution(workers=1), store=path, resume=True)
    assert again.timing["runs"] == 0 and len(again) == 12


@pytest.mark.parametrize(
    ("kwargs", "needle"),
    [
        ({"seed": 1}, "seed (the store's is 0, this one 1)"),
        ({"n": 3}, "n (the store holds a batch of 4 runs per cell, this one asks for 3"),
        ({"overrides": ["agi.at=100"]}, "scenario (the store's is 'msft-openai'"),
        ({"sweep": ["agi.at=100,120"]}, "sweep (the store's is none, this one agi.at=100,120)"),
    ],
)
def test_resume_mismatch_is_one_clear_line(tmp_path: Path, kwargs: dict, needle: str) -> None:
    path = tmp_path / "m.sqlite"
    run_batch("msft-openai", 4, execution=Execution(workers=1), store=path)
    args = {"n": 4, "execution": Execution(workers=1), "store": path, "resume": True} | kwargs
    with pytest.raises(InputError) as info:
        run_batch("msft-openai", **args)
    assert needle in info.value.message and "\n" not in info.value.message
    assert "cannot resume" in info.value.message


def test_existing_store_needs_resume_and_one_writer(tmp_path: Path) -> None:
    path = tmp_path / "e.sqlite"
    run_batch("msft-openai", 2, execution=Execution(workers=1), store=path)
    with pytest.raises(InputError, match="already exists; pass --resume"):
        run_batch("msft-openai", 2, execution=Execution(workers=1), store=path)
    with (
        BatchStore.open(path, write=True),
        pytest.raises(InputError, match="being written by another process"),
    ):
        run_batch("msft-openai", 2, execution=Execution(workers=1), store=path, resume=True)


def test_bad_arguments() -> None:
    # library errors name the parameter; the CLI maps parameters to its flags
    with pytest.raises(InputError, match=r"^executor: expected one of process, dask"):
        Execution(executor="threads")
    with pytest.raises(InputError, match=r"^address: needs executor 'dask'"):
        Execution(address="tcp://127.0.0.1:1")
    with pytest.raises(InputError, match=r"^resume: needs a batch store"):
        run_batch("msft-openai", 2, resume=True)
    for bad in (0, True, 1.5, "2"):
        with pytest.raises(InputError, match=r"^workers: expected a positive integer"):
            Execution(workers=bad)
    with pytest.raises(InputError, match=r"^chunk_size: expected a positive integer"):
        Execution(chunk_size=0)
    with pytest.raises(InputError, match=r"^n: expected a positive integer, got 0"):
        run_batch("msft-openai", 0)
    with pytest.raises(TypeError):
        run_batch("msft-openai")


def test_unwritable_store_is_an_output_error(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("")
    with pytest.raises(OutputError):
        run_batch(
            "msft-openai", 2, execution=Execution(workers=1), store=tmp_path / "file" / "b.sqlite"
        )


def test_parquet_and_csv_one_row_per_run(tmp_path: Path) -> None:
    pq = pytest.importorskip("pyarrow.parquet")
    path = tmp_path / "b.sqlite"
    result = run_batch(
        "msft-openai", 6, seed=2, execution=Execution(workers=2, progress=True), store=path
    )
    result.write(tmp_path / "out" / "r.parquet")
    result.write(tmp_path / "r.csv")
    table = pq.read_table(tmp_path / "out" / "r.parquet")
    assert table.num_rows == 6
    assert table.column_names[:4] == ["run", "seed", "digest", "events"]
    assert table.column("digest").to_pylist() == digests(result)
    assert table.column_names == result.columns
    with open(tmp_path / "r.csv", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [int(row["run"]) for row in rows] == list(range(6))
    assert [row["digest"] for row in rows] == digests(result)
    assert set(rows[0]) == set(result.columns)
    # a result reopened from its store is the same table
    again = BatchResult.from_store(path)
    assert again.rows == result.rows and again.summary() == result.summary()
    assert not list(tmp_path.glob("**/*.tmp"))
    with pytest.raises(InputError, match=r"\.parquet or \.csv"):
        result.write(tmp_path / "r.xlsx")
    with BatchStore.create(tmp_path / "other.sqlite", {}, []):
        pass
    with pytest.raises(InputError, match="not a negsim mc batch store"):
        BatchResult.from_store(tmp_path / "other.sqlite")


def test_a_script_on_stdin_gets_a_clear_error_not_dead_workers(tmp_path: Path) -> None:
    import subprocess
    import sys

    script = (
        "from sim.batch import run_batch\n"
        "from sim.batch.execution import Execution\n"
        "from events.errors import InputError\n"
        "try:\n"
        "    run_batch('msft-openai', 2, execution=Execution(workers=2))\n"
        "except InputError as exc:\n"
        "    print(exc)\n"
    )
    root = Path(__file__).resolve().parents[2]
    done = subprocess.run(
        [sys.executable, "-"],
        input=script,
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(root)},
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert "cannot re-import the main script '<stdin>'" in done.stdout
    as_file = tmp_path / "script.py"  # the same script from a file runs
    guarded = "if __name__ == '__main__':\n" + "".join(
        f"    {line}\n"
        for line in script.replace("print(exc)", "print('refused', exc)").splitlines()
    )
    as_file.write_text(guarded + "    print('ok')\n")
    done = subprocess.run(
        [sys.executable, str(as_file)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(root)},
        timeout=120,
    )
    assert done.stdout.strip() == "ok", done.stdout + done.stderr
