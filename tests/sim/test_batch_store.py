"""The crash-safe SQLite store of a Monte Carlo batch."""

from __future__ import annotations

import hashlib
import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import zlib
from pathlib import Path

import pytest

from events.errors import InputError, IntegrityError
from sim.batch.store import BatchStore, RunRecord, log_digest

META = {"scenario": "ab" * 32, "master_seed": "12345", "n": "10", "schema": "1"}
COLUMNS = [("deal", "INTEGER"), ("utility_ms", "REAL"), ("outcome", "TEXT")]


def make_log(run: int, n: int = 3) -> bytes:
    """A small hash-chained JSONL log, unique per run."""
    prev = "0" * 64
    lines = []
    for seq in range(n):
        line = (
            f'{{"seq":{seq},"t":{seq * 0.5},"type":"Step","v":1,'
            f'"data":{{"run":{run}}},"prev":"{prev}"}}'
        ).encode()
        lines.append(line)
        prev = hashlib.sha256(line).hexdigest()
    return b"\n".join(lines) + b"\n"


def record(run: int, n: int = 3) -> RunRecord:
    log = make_log(run, n)
    return RunRecord(
        run=run,
        seed=f"seed-{run}",
        params={"b": run, "a": [1.5, None], "z": {"y": True}},
        summary={"deal": run % 2 == 0, "utility_ms": run / 4, "outcome": f"o{run}"},
        digest=log_digest(log),
        events=n,
        log=log,
    )


def put(store: BatchStore, rec: RunRecord) -> None:
    store.put(rec.run, rec.seed, rec.params, rec.summary, rec.digest, rec.events, rec.log)


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "batch.sqlite"


def test_digest_is_sha256_of_last_line() -> None:
    log = b'{"a":1}\n{"b":2}\n'
    assert log_digest(log) == hashlib.sha256(b'{"b":2}').hexdigest()
    assert log_digest(b'{"a":1}\n') == hashlib.sha256(b'{"a":1}').hexdigest()


def test_create_put_read_back(db: Path) -> None:
    with BatchStore.create(db, META, COLUMNS) as store:
        assert store.meta == META
        assert store.columns == tuple(COLUMNS)
        for run in (3, 0, 1):
            put(store, record(run))
        assert store.run_ids() == [0, 1, 3]
        assert store.has(1) and not store.has(2)
        assert store.log(3) == make_log(3)
    with BatchStore.open(db) as store:
        assert store.meta == META
        assert store.columns == tuple(COLUMNS)
        assert store.run_ids() == [0, 1, 3]
        assert [store.log(r) for r in (0, 1, 3)] == [make_log(r) for r in (0, 1, 3)]
        with pytest.raises(InputError, match=r"no run 7; the store holds runs 0\.\.3 \(3 runs"):
            store.log(7)


def test_rows_types_and_order(db: Path) -> None:
    with BatchStore.create(db, META, COLUMNS) as store:
        for run in (2, 0, 1):
            put(store, record(run))
        store.put(5, "s5", {}, {"deal": None, "utility_ms": 2, "outcome": None}, *_log(5))
        rows = list(store.rows())
    assert [r["run"] for r in rows] == [0, 1, 2, 5]
    first = rows[0]
    assert set(first) == {
        "run",
        "seed",
        "digest",
        "events",
        "params",
        "deal",
        "utility_ms",
        "outcome",
    }
    assert first == {
        "run": 0,
        "seed": "seed-0",
        "digest": log_digest(make_log(0)),
        "events": 3,
        "params": {"a": [1.5, None], "b": 0, "z": {"y": True}},
        "deal": 1,
        "utility_ms": 0.0,
        "outcome": "o0",
    }
    assert rows[1]["deal"] == 0 and type(rows[1]["deal"]) is int
    assert type(rows[1]["utility_ms"]) is float
    assert rows[3]["deal"] is None and rows[3]["outcome"] is None
    assert rows[3]["utility_ms"] == 2.0 and type(rows[3]["utility_ms"]) is float


def _log(run: int) -> tuple[str, int, bytes]:
    log = make_log(run)
    return log_digest(log), 3, log


def test_plain_sql_layout(db: Path) -> None:
    with BatchStore.create(db, META, COLUMNS) as store:
        for run in range(3):
            put(store, record(run))
        peek = sqlite3.connect(db)  # while written: WAL, for crash-safe commits
        assert peek.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        peek.close()
    conn = sqlite3.connect(db)
    try:
        assert conn.execute("SELECT run, digest FROM runs ORDER BY run").fetchall() == [
            (r, log_digest(make_log(r))) for r in range(3)
        ]
        meta = dict(conn.execute("SELECT key, value FROM meta"))
        assert meta == {**META, "format": "negsim-batch", "format_version": "1"}
        params, blob = conn.execute("SELECT params, log FROM runs WHERE run = 1").fetchone()
        assert params == '{"a":[1.5,null],"b":1,"z":{"y":true}}'  # canonical: sorted keys
        assert zlib.decompress(blob) == make_log(1)
        cols = [row[1] for row in conn.execute("PRAGMA table_info(runs)")]
        assert cols == [
            "run",
            "seed",
            "digest",
            "events",
            "params",
            *(n for n, _ in COLUMNS),
            "log",
        ]
        # at rest: one self-contained file, so readers leave no -wal/-shm beside it
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
    finally:
        conn.close()


def test_reading_a_closed_store_leaves_no_files_beside_it(db: Path) -> None:
    with BatchStore.create(db, META, COLUMNS) as store:
        put(store, record(0))
    with BatchStore.open(db) as reader:
        assert reader.run_ids() == [0]
    assert sorted(p.name for p in db.parent.iterdir()) == [db.name]
    with BatchStore.open(db, write=True) as writer:  # a resumed batch writes in WAL again
        put(writer, record(1))
        with BatchStore.open(db) as reader:  # a reader during the write: skip the switch
            assert reader.run_ids() == [0, 1]
            writer.close()
        assert Path(f"{db}-wal").exists()  # the reader held it: the store stayed in WAL
    with BatchStore.open(db, write=True):
        pass
    assert sorted(p.name for p in db.parent.iterdir()) == [db.name]


def test_create_refuses_existing_file(db: Path) -> None:
    db.write_bytes(b"")
    with pytest.raises(InputError, match="already exists"):
        BatchStore.create(db, META, COLUMNS)
    assert db.read_bytes() == b""


@pytest.mark.parametrize(
    ("columns", "message"),
    [
        ([("run", "INTEGER")], "reserved"),
        ([("Digest", "TEXT")], "reserved"),
        ([("1x", "REAL")], "not an identifier"),
        ([("a b", "REAL")], "not an identifier"),
        ([("x", "BLOB")], "expected one of INTEGER, REAL, TEXT"),
        ([("x", "REAL"), ("X", "TEXT")], "given twice"),
    ],
)
def test_create_validates_columns(db: Path, columns: list[tuple[str, str]], message: str) -> None:
    with pytest.raises(InputError, match=message):
        BatchStore.create(db, META, columns)
    assert not db.exists()


def test_create_refuses_reserved_meta(db: Path) -> None:
    with pytest.raises(InputError, match="reserved"):
        BatchStore.create(db, {"format": "x"}, COLUMNS)


def test_duplicate_run_refused_and_not_stored_twice(db: Path) -> None:
    with BatchStore.create(db, META, COLUMNS) as store:
        put(store, record(4))
        with pytest.raises(InputError, match=r"batch\.sqlite: run 4 is already stored"):
            put(store, record(4))
        assert store.run_ids() == [4]
    conn = sqlite3.connect(db)
    assert conn.execute("SELECT count(*) FROM runs WHERE run = 4").fetchone() == (1,)
    conn.close()


def test_put_many_is_all_or_nothing(db: Path) -> None:
    with BatchStore.create(db, META, COLUMNS) as store:
        store.put_many([record(0), record(1)])
        # run 1 is a duplicate in the middle of the group: none of 2, 3 is kept
        with pytest.raises(InputError, match="run 1 is already stored"):
            store.put_many([record(2), record(1), record(3)])
        assert store.run_ids() == [0, 1]
        # a duplicate inside the group itself
        with pytest.raises(InputError, match="run 5 is already stored"):
            store.put_many([record(5), record(6), record(5)])
        assert store.run_ids() == [0, 1]
        store.put_many([record(2), record(3)])
        assert store.run_ids() == [0, 1, 2, 3]


def test_put_checks_digest_and_summary(db: Path) -> None:
    with BatchStore.create(db, META, COLUMNS) as store:
        rec = record(0)
        with pytest.raises(ValueError, match="does not match its log"):
            store.put(0, "s", {}, rec.summary, "0" * 64, 3, rec.log)
        with pytest.raises(ValueError, match="events=2"):
            store.put(0, "s", {}, rec.summary, rec.digest, 2, rec.log)
        with pytest.raises(InputError, match="missing outcome; unknown extra"):
            store.put(0, "s", {}, {"deal": 1, "utility_ms": 1.0, "extra": 1}, *_log(0))
        with pytest.raises(InputError, match="'deal' is INTEGER"):
            store.put(0, "s", {}, {**rec.summary, "deal": "yes"}, *_log(0))
        assert store.run_ids() == []


def test_second_writer_refused_while_first_open(db: Path) -> None:
    writer = BatchStore.create(db, META, COLUMNS)
    try:
        with pytest.raises(InputError) as info:
            BatchStore.open(db, write=True)
        assert str(info.value) == (
            f"{db}: batch store is being written by another process (pid {os.getpid()})"
        )
        assert "\n" not in str(info.value)
        put(writer, record(0))  # the first writer is unaffected
    finally:
        writer.close()
    with BatchStore.open(db, write=True) as again:  # released on close
        put(again, record(1))
        assert again.run_ids() == [0, 1]


def test_second_writer_in_another_process(db: Path) -> None:
    with BatchStore.create(db, META, COLUMNS):
        code = textwrap.dedent(
            f"""
            from sim.batch.store import BatchStore
            from events.errors import InputError
            try:
                BatchStore.open({str(db)!r}, write=True)
            except InputError as exc:
                print(exc)
            """
        )
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.stdout.strip() == (
        f"{db}: batch store is being written by another process (pid {os.getpid()})"
    )


def test_reader_while_writer_open(db: Path) -> None:
    with BatchStore.create(db, META, COLUMNS) as writer:
        put(writer, record(0))
        with BatchStore.open(db) as reader:
            assert reader.run_ids() == [0]
            put(writer, record(1))
            assert reader.run_ids() == [0, 1]
            assert reader.log(1) == make_log(1)
            assert [r["run"] for r in reader.rows()] == [0, 1]
            with pytest.raises(InputError, match="read-only"):
                put(reader, record(2))


def test_refuses_non_sqlite_file(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_bytes(b"this is not a database, just some text\n" * 100)
    for write in (False, True):
        with pytest.raises(InputError, match=r"notes\.txt: not a negsim batch store \("):
            BatchStore.open(path, write=write)
    assert not (tmp_path / "notes.txt.lock").exists()


def test_refuses_foreign_sqlite_db(tmp_path: Path) -> None:
    path = tmp_path / "other.db"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT)")
    conn.execute("INSERT INTO meta VALUES ('format', 'something-else')")
    conn.execute("CREATE TABLE runs (run INTEGER PRIMARY KEY)")
    conn.commit()
    conn.close()
    with pytest.raises(InputError, match=r"other\.db: not a negsim batch store \(meta format"):
        BatchStore.open(path)
    empty = tmp_path / "empty.db"
    sqlite3.connect(empty).close()
    with pytest.raises(InputError, match="not a negsim batch store"):
        BatchStore.open(empty)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such file"):
        BatchStore.open(tmp_path / "nope.sqlite")


def test_tampered_blob_detected(db: Path) -> None:
    with BatchStore.create(db, META, COLUMNS) as store:
        put(store, record(0))
        put(store, record(1))
    tampered = make_log(1).replace(b'"seq":2', b'"seq":9')
    conn = sqlite3.connect(db)
    conn.execute("UPDATE runs SET log = ? WHERE run = 1", (zlib.compress(tampered),))
    conn.execute("UPDATE runs SET log = ? WHERE run = 0", (b"garbage",))
    conn.commit()
    conn.close()
    with BatchStore.open(db) as store:
        with pytest.raises(IntegrityError, match="run 1: stored log does not match its digest"):
            store.log(1)
        with pytest.raises(IntegrityError, match="run 0: stored log is corrupt"):
            store.log(0)


def test_sigkill_keeps_exactly_the_committed_runs(db: Path) -> None:
    code = textwrap.dedent(
        f"""
        import os, signal, sys
        sys.path.insert(0, {str(Path(__file__).parent)!r})
        from test_batch_store import COLUMNS, META, put, record
        from sim.batch.store import BatchStore
        store = BatchStore.create({str(db)!r}, META, COLUMNS)
        for run in range(100):
            if run == 7:
                store.put_many([record(7), record(8), record(9)])
                continue
            if run in (8, 9):
                continue
            put(store, record(run))
            print(run, flush=True)
            if run == 12:
                os.kill(os.getpid(), signal.SIGKILL)
        """
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert proc.returncode == -signal.SIGKILL, proc.stderr
    printed = [int(x) for x in proc.stdout.split()]
    assert printed[-1] == 12
    with BatchStore.open(db) as store:
        assert store.meta == META
        assert store.run_ids() == list(range(13))
        for run in store.run_ids():
            log = store.log(run)
            assert log == make_log(run)
            assert log_digest(log) == record(run).digest
    with BatchStore.open(db, write=True) as store:  # the dead writer's lock is gone
        put(store, record(13))
        assert store.run_ids() == list(range(14))


def test_closed_store(db: Path) -> None:
    store = BatchStore.create(db, META, COLUMNS)
    store.close()
    store.close()
    with pytest.raises(InputError, match="closed"):
        store.run_ids()
    assert not Path(f"{db}.lock").exists()


def test_sigkill_at_an_arbitrary_moment(db: Path) -> None:
    """Killed from a timer thread wherever the writer is: a prefix of runs survives."""
    code = textwrap.dedent(
        f"""
        import os, signal, sys, threading
        sys.path.insert(0, {str(Path(__file__).parent)!r})
        from test_batch_store import COLUMNS, META, put, record
        from sim.batch.store import BatchStore
        store = BatchStore.create({str(db)!r}, META, COLUMNS)
        threading.Timer(0.3, os.kill, (os.getpid(), signal.SIGKILL)).start()
        for run in range(100000):
            put(store, record(run, n=50))
            print(run, flush=True)
        """
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert proc.returncode == -signal.SIGKILL, proc.stderr
    printed = [int(x) for x in proc.stdout.split()]
    assert printed
    with BatchStore.open(db) as store:
        runs = store.run_ids()
        assert runs == list(range(len(runs)))
        assert len(printed) <= len(runs) <= len(printed) + 1
        for run in runs:
            assert store.log(run) == make_log(run, n=50)


def test_disk_full_is_an_output_error(db: Path) -> None:
    from events.errors import OutputError

    with BatchStore.create(db, META, COLUMNS) as store:
        put(store, record(0))
        # simulate a full disk: SQLite reports SQLITE_FULL once the file may not grow
        pages = store._db().execute("PRAGMA page_count").fetchone()[0]
        store._db().execute(f"PRAGMA max_page_count = {pages}")
        big = b"".join(os.urandom(64).hex().encode() + b"\n" for _ in range(2000))
        with pytest.raises(OutputError, match=r"batch\.sqlite: cannot write batch store \("):
            store.put(1, "s", {}, record(1).summary, log_digest(big), 2000, big)
        assert store.run_ids() == [0]
        put(store, record(2))  # still usable after the failed transaction
        assert store.run_ids() == [0, 2]
