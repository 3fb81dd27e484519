"""The crash-safe SQLite store of a Monte Carlo batch.

One embedded SQLite database per batch holds a row per run: its seed, parameters,
summary columns, log digest and the run's JSONL log (zlib-compressed). Each ``put``
(or ``put_many`` group) is one transaction, so a killed batch keeps every committed
run, loses only the uncommitted ones, and never stores a run twice.

The layout is plain SQL, readable by any SQLite client::

    meta(key TEXT PRIMARY KEY, value TEXT)      -- format = negsim-batch, format_version = 1, ...
    runs(run INTEGER PRIMARY KEY, seed TEXT NOT NULL, digest TEXT NOT NULL,
         events INTEGER NOT NULL, params TEXT NOT NULL,  -- canonical JSON, sorted keys
         <summary columns ...>,                  -- e.g. "param_agi.at" (quoted)
         log BLOB NOT NULL)                       -- zlib-compressed JSONL

``log`` is the last column, so reading summaries never touches the log blobs.

Durability: WAL journal, ``synchronous=FULL``. Exactly one writer, enforced by an
exclusive non-blocking ``flock`` on the side file ``<path>.lock`` (never on the
database file itself: closing any other descriptor of it would drop SQLite's POSIX
locks). Readers take no lock and read while a writer is active; they open the
database read-only, so they never modify it.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import hashlib
import os
import re
import sqlite3
import zlib
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, Final

import attrs
import orjson

from events.convert import is_int, is_number
from events.errors import InputError, IntegrityError, OutputError

FORMAT: Final = "negsim-batch"
FORMAT_VERSION: Final = "1"
RESERVED_META: Final = ("format", "format_version")
FIXED_COLUMNS: Final = ("run", "seed", "digest", "events", "params", "log")
SUMMARY_TYPES: Final = ("INTEGER", "REAL", "TEXT")

_FIXED_DECL: Final = {
    "run": "INTEGER",
    "seed": "TEXT",
    "digest": "TEXT",
    "events": "INTEGER",
    "params": "TEXT",
    "log": "BLOB",
}
# A summary column name: an identifier, optionally followed by dot-separated parts
# (``param_agi.at``, ``sweep_regulators.cma.strictness``); names are always quoted in SQL.
_IDENTIFIER: Final = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z0-9_-]+)*\Z")
_HEX64: Final = re.compile(r"[0-9a-f]{64}\Z")
_PARAMS_OPTIONS: Final = orjson.OPT_SORT_KEYS | orjson.OPT_SERIALIZE_NUMPY


@attrs.frozen(slots=True)
class RunRecord:
    """One run as stored: the arguments of :meth:`BatchStore.put`."""

    run: int
    seed: str
    params: Mapping[str, Any]
    summary: Mapping[str, Any]
    digest: str
    events: int
    log: bytes


@attrs.frozen(slots=True)
class PackedRun:
    """A run ready to store, its log already checked and compressed (see :func:`pack_run`).

    Lets worker processes do the CPU work (digest check, compression) so that the one
    writer only inserts. ``log_z`` is trusted as given; :meth:`BatchStore.log` still
    checks the digest on every read.
    """

    run: int
    seed: str
    params: Mapping[str, Any]
    summary: Mapping[str, Any]
    digest: str
    events: int
    log_z: bytes


def pack_run(record: RunRecord, level: int = 1) -> PackedRun:
    """Check ``record``'s log against its digest and event count, and compress it.

    A pure function (no store needed), meant for worker processes. ``level`` is the
    zlib level: 1 costs a fifth of level 6's time for logs about 15% larger.
    """
    log = _checked_log(record.run, record.log, record.digest, record.events)
    return PackedRun(
        record.run,
        record.seed,
        record.params,
        record.summary,
        record.digest,
        record.events,
        zlib.compress(log, level),
    )


def _checked_log(run: Any, log: Any, digest: Any, events: Any) -> bytes:
    """``log`` as bytes, after checking it ends whole and matches digest and events."""
    if not isinstance(log, bytes | bytearray | memoryview):
        raise InputError(f"run {run}: log must be bytes")
    data = bytes(log)
    if not data.endswith(b"\n"):
        raise ValueError(f"run {run}: log does not end with a newline (torn last line?)")
    if not isinstance(digest, str) or not _HEX64.match(digest):
        raise ValueError(f"run {run}: digest {digest!r} is not lowercase hex SHA-256")
    actual = log_digest(data)
    if actual != digest:
        raise ValueError(f"run {run}: digest {digest} does not match its log ({actual})")
    if is_int(events):
        lines = data.count(b"\n")
        if lines != events:
            raise ValueError(f"run {run}: events={events} but the log has {lines} lines")
    return data


def log_digest(log: bytes) -> str:
    """The digest of a JSONL log: SHA-256 (lowercase hex) of its last line, sans newline."""
    body = log[:-1] if log.endswith(b"\n") else log
    if not body:
        raise ValueError("an empty log has no digest")
    return hashlib.sha256(body[body.rfind(b"\n") + 1 :]).hexdigest()


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _is_write_failure(exc: BaseException) -> bool:
    if isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EDQUOT, errno.EIO):
        return True
    text = str(exc).lower()
    return "disk" in text or "full" in text


def _range_text(lo: int | None, hi: int | None, n: int) -> str:
    if n == 0:
        return "the store holds no runs"
    if n == 1:
        return f"the store holds run {lo} only"
    gaps = "" if n == hi - lo + 1 else ", with gaps"  # type: ignore[operator]
    return f"the store holds runs {lo}..{hi} ({n} runs{gaps})"


class _WriterLock:
    """An exclusive, non-blocking ``flock`` on ``<db>.lock``, holding the writer's pid.

    The lock file is removed on release (while still locked); an acquirer that locks
    a file already unlinked by the previous holder notices (inode mismatch) and retries.
    """

    def __init__(self, db: Path) -> None:
        self.db = db
        self.path = db.with_name(db.name + ".lock")
        self.fd: int | None = None

    def acquire(self) -> None:
        for _ in range(100):
            try:
                fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
            except OSError as exc:
                raise OutputError(
                    f"{self.db}: cannot create lock file {self.path.name} ({exc.strerror})"
                ) from None
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                holder = os.pread(fd, 32, 0).decode("ascii", "replace").strip() or "unknown"
                os.close(fd)
                raise InputError(
                    f"{self.db}: batch store is being written by another process (pid {holder})"
                ) from None
            except BaseException:
                os.close(fd)
                raise
            try:
                same = os.fstat(fd).st_ino == os.stat(self.path).st_ino
            except FileNotFoundError:
                same = False
            if not same:  # the previous holder unlinked it between our open and flock
                os.close(fd)
                continue
            try:
                os.ftruncate(fd, 0)
                os.pwrite(fd, f"{os.getpid()}\n".encode("ascii"), 0)
            except OSError as exc:
                os.close(fd)
                raise OutputError(f"{self.db}: cannot write lock file ({exc.strerror})") from None
            self.fd = fd
            return
        raise InputError(f"{self.db}: cannot take the writer lock (lock file keeps changing)")

    def release(self) -> None:
        if self.fd is None:
            return
        with contextlib.suppress(OSError):
            os.unlink(self.path)
        os.close(self.fd)
        self.fd = None


class BatchStore:
    """A batch's runs in one SQLite file. Use :meth:`create` or :meth:`open`."""

    def __init__(
        self,
        path: Path,
        conn: sqlite3.Connection,
        *,
        writable: bool,
        lock: _WriterLock | None,
        meta: dict[str, str],
        columns: tuple[tuple[str, str], ...],
    ) -> None:
        self.path = path
        self._conn: sqlite3.Connection | None = conn
        self._writable = writable
        self._lock = lock
        self._meta = meta
        self._columns = columns

    # ------------------------------------------------------------------ opening

    @classmethod
    def create(
        cls,
        path: str | os.PathLike[str],
        meta: Mapping[str, str],
        columns: Sequence[tuple[str, str]],
        *,
        page_size: int | None = None,
    ) -> BatchStore:
        """A new, empty store opened for writing; refuses an existing file.

        ``page_size`` (bytes, a power of two from 512 to 65536; SQLite's default if
        None) suits stores of large logs: 16384 halves the writer's CPU per ~20 kB log.
        """
        path = Path(path)
        meta = cls._check_meta(path, meta)
        columns = cls._check_columns(path, columns)
        if page_size is not None and (
            isinstance(page_size, bool)
            or not isinstance(page_size, int)
            or not 512 <= page_size <= 65536
            or page_size & (page_size - 1)
        ):
            raise InputError(f"{path}: page_size must be a power of two in 512..65536")
        if path.exists():
            raise InputError(f"{path}: file already exists; refusing to overwrite it")
        if not path.parent.is_dir():
            raise InputError(f"{path}: directory {path.parent} does not exist")
        lock = _WriterLock(path)
        lock.acquire()
        try:
            cls._build(path, meta, columns, page_size)
            return cls._connect_writer(path, lock)
        except BaseException:
            lock.release()
            raise

    @classmethod
    def open(cls, path: str | os.PathLike[str], *, write: bool = False) -> BatchStore:
        """An existing store; ``write=True`` takes the single-writer lock."""
        path = Path(path)
        if not path.is_file():
            what = "is not a file" if path.exists() else "no such file"
            raise InputError(f"{path}: {what}")
        if not write:
            uri = path.resolve().as_uri() + "?mode=ro"
            try:
                conn = sqlite3.connect(uri, uri=True, isolation_level=None)
            except sqlite3.Error as exc:
                raise InputError(f"{path}: cannot open batch store ({exc})") from None
            meta, columns = cls._inspect(path, conn)
            return cls(path, conn, writable=False, lock=None, meta=meta, columns=columns)
        lock = _WriterLock(path)
        lock.acquire()
        try:
            return cls._connect_writer(path, lock)
        except BaseException:
            lock.release()
            raise

    @classmethod
    def _connect_writer(cls, path: Path, lock: _WriterLock) -> BatchStore:
        try:
            # A batch commits on a writer thread (``sim.batch.background``); one thread
            # uses the connection at a time, so sqlite3's same-thread check is lifted.
            conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        except sqlite3.Error as exc:
            raise InputError(f"{path}: cannot open batch store ({exc})") from None
        try:
            meta, columns = cls._inspect(path, conn)
            try:
                mode = conn.execute("PRAGMA journal_mode=WAL").fetchone()[0]
                conn.execute("PRAGMA synchronous=FULL")
            except sqlite3.Error as exc:
                raise OutputError(
                    f"{path}: cannot set up batch store for writing ({exc})"
                ) from None
            if str(mode).lower() != "wal":
                raise OutputError(f"{path}: filesystem does not support SQLite WAL mode")
        except BaseException:
            conn.close()
            raise
        return cls(path, conn, writable=True, lock=lock, meta=meta, columns=columns)

    @staticmethod
    def _build(
        path: Path,
        meta: dict[str, str],
        columns: tuple[tuple[str, str], ...],
        page_size: int | None = None,
    ) -> None:
        """Write the complete empty store beside ``path``, then link it into place.

        The store appears at ``path`` only whole, so a crash during creation never
        leaves a half-made file there.
        """
        tmp = path.with_name(f"{path.name}.creating-{os.getpid()}")
        summary = "".join(f"    {_quote(name)} {kind},\n" for name, kind in columns)
        ddl = (
            "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT);\n"
            "CREATE TABLE runs (\n"
            "    run INTEGER PRIMARY KEY,\n"
            "    seed TEXT NOT NULL,\n"
            "    digest TEXT NOT NULL,\n"
            "    events INTEGER NOT NULL,\n"
            "    params TEXT NOT NULL,\n"
            f"{summary}"
            "    log BLOB NOT NULL\n"
            ")"
        )
        all_meta = {"format": FORMAT, "format_version": FORMAT_VERSION, **meta}
        for leftover in (tmp, Path(f"{tmp}-wal"), Path(f"{tmp}-shm"), Path(f"{tmp}-journal")):
            with contextlib.suppress(FileNotFoundError):
                leftover.unlink()
        try:
            conn = sqlite3.connect(tmp, isolation_level=None)
            try:
                if page_size is not None:  # before the first table, or it has no effect
                    conn.execute(f"PRAGMA page_size={int(page_size)}")
                conn.execute("PRAGMA journal_mode=WAL")
                conn.execute("PRAGMA synchronous=FULL")
                conn.execute("BEGIN IMMEDIATE")
                for statement in ddl.split(";\n"):
                    conn.execute(statement)
                conn.executemany("INSERT INTO meta (key, value) VALUES (?, ?)", all_meta.items())
                conn.execute("COMMIT")
            finally:
                conn.close()  # last connection: checkpoints and removes tmp's WAL
            try:
                os.link(tmp, path)
            except FileExistsError:
                raise InputError(f"{path}: file already exists; refusing to overwrite it") from None
            except OSError as exc:
                if exc.errno not in (errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EXDEV):
                    raise
                # no hard links here: claim the name exclusively, then replace it.
                try:
                    os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644))
                except FileExistsError:
                    raise InputError(
                        f"{path}: file already exists; refusing to overwrite it"
                    ) from None
                os.replace(tmp, path)
            dirfd = os.open(path.parent, os.O_RDONLY)
            try:
                os.fsync(dirfd)
            finally:
                os.close(dirfd)
        except (sqlite3.Error, OSError) as exc:
            raise OutputError(f"{path}: cannot create batch store ({exc})") from None
        finally:
            with contextlib.suppress(FileNotFoundError):
                tmp.unlink()

    @staticmethod
    def _inspect(
        path: Path, conn: sqlite3.Connection
    ) -> tuple[dict[str, str], tuple[tuple[str, str], ...]]:
        """Check that ``conn`` is a negsim batch store; its user meta and summary columns."""

        def refuse(why: str) -> InputError:
            conn.close()
            return InputError(f"{path}: not a negsim batch store ({why})")

        try:
            tables = {
                row[0]
                for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
            }
            if not {"meta", "runs"} <= tables:
                raise refuse("no meta and runs tables")
            meta = {str(k): str(v) for k, v in conn.execute("SELECT key, value FROM meta")}
            info = [
                (row[1], str(row[2]).upper()) for row in conn.execute("PRAGMA table_info(runs)")
            ]
        except sqlite3.DatabaseError as exc:
            if isinstance(exc, sqlite3.OperationalError) and "locked" in str(exc):
                conn.close()
                raise InputError(f"{path}: cannot read batch store ({exc})") from None
            raise refuse(str(exc)) from None
        if meta.get("format") != FORMAT:
            raise refuse(f"meta format is {meta.get('format')!r}, expected {FORMAT!r}")
        if meta.get("format_version") != FORMAT_VERSION:
            conn.close()
            raise InputError(
                f"{path}: unsupported batch store format_version {meta.get('format_version')!r}"
                f" (this negsim reads {FORMAT_VERSION})"
            )
        declared = dict(info)
        for name, kind in _FIXED_DECL.items():
            if declared.get(name) != kind:
                raise refuse(f"runs has no {kind} column {name!r}")
        columns = tuple((n, k) for n, k in info if n not in _FIXED_DECL)
        user_meta = {k: v for k, v in meta.items() if k not in RESERVED_META}
        return user_meta, columns

    @staticmethod
    def _check_meta(path: Path, meta: Mapping[str, str]) -> dict[str, str]:
        out: dict[str, str] = {}
        for key, value in meta.items():
            if not isinstance(key, str) or not isinstance(value, str):
                raise InputError(f"{path}: meta {key!r} must map a string to a string")
            if key in RESERVED_META:
                raise InputError(f"{path}: meta key {key!r} is reserved")
            out[key] = value
        return out

    @staticmethod
    def _check_columns(
        path: Path, columns: Sequence[tuple[str, str]]
    ) -> tuple[tuple[str, str], ...]:
        seen: set[str] = set()
        out: list[tuple[str, str]] = []
        for item in columns:
            try:
                name, kind = item
            except (TypeError, ValueError):
                raise InputError(
                    f"{path}: summary column {item!r} must be a (name, type) pair"
                ) from None
            if not isinstance(name, str) or not _IDENTIFIER.match(name):
                raise InputError(
                    f"{path}: summary column name {name!r} is not an identifier "
                    "(letters, digits, underscore; not starting with a digit; "
                    "dots may separate parts)"
                )
            folded = name.lower()  # SQLite column names are case-insensitive
            if folded in FIXED_COLUMNS or folded.startswith("sqlite_"):
                raise InputError(f"{path}: summary column name {name!r} is reserved")
            if folded in seen:
                raise InputError(f"{path}: summary column {name!r} is given twice")
            seen.add(folded)
            upper = kind.upper() if isinstance(kind, str) else kind
            if upper not in SUMMARY_TYPES:
                raise InputError(
                    f"{path}: summary column {name!r} has type {kind!r}; "
                    f"expected one of {', '.join(SUMMARY_TYPES)}"
                )
            out.append((name, upper))
        return tuple(out)

    # ------------------------------------------------------------------ properties

    @property
    def meta(self) -> dict[str, str]:
        """Batch-level key/values as given to :meth:`create` (without format keys)."""
        return dict(self._meta)

    @property
    def columns(self) -> tuple[tuple[str, str], ...]:
        """The summary columns: (name, INTEGER|REAL|TEXT), in table order."""
        return self._columns

    @property
    def writable(self) -> bool:
        return self._writable

    def _db(self) -> sqlite3.Connection:
        if self._conn is None:
            raise InputError(f"{self.path}: batch store is closed")
        return self._conn

    # ------------------------------------------------------------------ writing

    def put(
        self,
        run: int,
        seed: str,
        params: Mapping[str, Any],
        summary: Mapping[str, Any],
        digest: str,
        events: int,
        log: bytes,
    ) -> None:
        """Store one run in one transaction; a run already stored -> InputError."""
        self.put_many([RunRecord(run, seed, params, summary, digest, events, log)])

    def put_many(self, rows: Sequence[RunRecord | PackedRun]) -> None:
        """Store a small group of runs in one transaction: all of them or none.

        Each row is a :class:`RunRecord` (checked and compressed here) or a
        :class:`PackedRun` (checked and compressed by :func:`pack_run` elsewhere).
        """
        conn = self._db()
        if not self._writable:
            raise InputError(f"{self.path}: batch store is open read-only (open with write=True)")
        prepared = [self._prepare(record) for record in rows]
        if not prepared:
            return
        names = [*FIXED_COLUMNS[:-1], *(name for name, _ in self._columns), "log"]
        sql = (
            f"INSERT INTO runs ({', '.join(_quote(n) for n in names)}) "
            f"VALUES ({', '.join('?' * len(names))})"
        )
        with self._transaction(conn):
            for values in prepared:
                try:
                    conn.execute(sql, values)
                except sqlite3.IntegrityError:
                    raise InputError(f"{self.path}: run {values[0]} is already stored") from None

    def update_meta(
        self, changes: Mapping[str, str], renumber: Callable[[int], int] | None = None
    ) -> None:
        """Change batch-level meta values, and optionally renumber every stored run
        (``renumber(old) -> new``, one-to-one), in one transaction: all or nothing.

        Used when a batch grows (``negsim mc -n 1000 --resume`` on a store of 300 runs
        per sweep cell: run ``c * 300 + i`` becomes ``c * 1000 + i``). Format keys
        cannot be changed.
        """
        conn = self._db()
        if not self._writable:
            raise InputError(f"{self.path}: batch store is open read-only (open with write=True)")
        merged = self._check_meta(self.path, {**self._meta, **changes})
        with self._transaction(conn):
            conn.executemany(
                "INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", changes.items()
            )
            if renumber is not None:
                pairs = [(renumber(old), old) for old in self.run_ids()]
                if len({new for new, _ in pairs}) != len(pairs) or any(
                    not is_int(new) or new < 0 for new, _ in pairs
                ):
                    raise InputError(f"{self.path}: renumbering must be one-to-one")
                # through negative numbers, so no new number meets an old one
                conn.executemany(
                    "UPDATE runs SET run = ? WHERE run = ?",
                    [(-1 - new, old) for new, old in pairs],
                )
                conn.execute("UPDATE runs SET run = -1 - run WHERE run < 0")
        self._meta = merged

    @contextlib.contextmanager
    def _transaction(self, conn: sqlite3.Connection) -> Iterator[None]:
        """One write transaction: committed when the block ends, rolled back on any
        exception (Ctrl-C included), so a batch store never holds half a write. A full
        disk or a permission error becomes an OutputError (exit 3)."""
        try:
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield
                conn.execute("COMMIT")
            except BaseException:
                if conn.in_transaction:
                    with contextlib.suppress(sqlite3.Error):
                        conn.execute("ROLLBACK")
                raise
        except (sqlite3.OperationalError, OSError) as exc:
            if _is_write_failure(exc):
                raise OutputError(f"{self.path}: cannot write batch store ({exc})") from None
            raise

    def _prepare(self, record: RunRecord | PackedRun) -> tuple[Any, ...]:
        path = self.path
        run = record.run
        if not is_int(run) or run < 0:
            raise InputError(f"{path}: run must be a non-negative integer, got {run!r}")
        if not isinstance(record.seed, str):
            raise InputError(f"{path}: run {run}: seed must be a string, got {record.seed!r}")
        events = record.events
        if not is_int(events) or events < 0:
            raise InputError(f"{path}: run {run}: events must be a non-negative integer")
        if isinstance(record, PackedRun):
            blob = record.log_z
            if not isinstance(blob, bytes | bytearray | memoryview) or not blob:
                raise InputError(f"{path}: run {run}: log_z must be non-empty bytes")
            if not isinstance(record.digest, str) or not _HEX64.match(record.digest):
                raise ValueError(
                    f"run {run}: digest {record.digest!r} is not lowercase hex SHA-256"
                )
            blob = bytes(blob)
        else:
            try:
                log = _checked_log(run, record.log, record.digest, events)
            except InputError as exc:
                raise InputError(f"{path}: {exc.message}") from None
            blob = zlib.compress(log, 6)
        if not isinstance(record.params, Mapping):
            raise InputError(f"{path}: run {run}: params must be a mapping")
        try:
            params = orjson.dumps(record.params, option=_PARAMS_OPTIONS).decode("utf-8")
        except TypeError as exc:
            raise InputError(
                f"{path}: run {run}: params are not JSON-serialisable ({exc})"
            ) from None
        summary = record.summary
        expected = {name for name, _ in self._columns}
        given = set(summary)
        if given != expected:
            parts = []
            if expected - given:
                parts.append("missing " + ", ".join(sorted(expected - given)))
            if given - expected:
                parts.append("unknown " + ", ".join(sorted(map(str, given - expected))))
            raise InputError(f"{path}: run {run}: summary columns: {'; '.join(parts)}")
        values = [
            self._summary_value(run, name, kind, summary[name]) for name, kind in self._columns
        ]
        return (
            run,
            record.seed,
            record.digest,
            events,
            params,
            *values,
            blob,
        )

    def _summary_value(self, run: int, name: str, kind: str, value: Any) -> Any:
        if value is None:
            return None
        if not isinstance(value, bool | int | float | str) and hasattr(value, "item"):
            value = value.item()  # a numpy scalar
        ok = False
        if kind == "INTEGER" and isinstance(value, bool | int):
            value, ok = int(value), True
        elif kind == "REAL" and is_number(value):
            value, ok = float(value), True
        elif kind == "TEXT" and isinstance(value, str):
            ok = True
        if not ok:
            raise InputError(f"{self.path}: run {run}: summary {name!r} is {kind}, got {value!r}")
        return value

    # ------------------------------------------------------------------ reading

    def run_ids(self) -> list[int]:
        """The stored runs, sorted."""
        return [row[0] for row in self._db().execute("SELECT run FROM runs ORDER BY run")]

    def __len__(self) -> int:
        return int(self._db().execute("SELECT count(*) FROM runs").fetchone()[0])

    def has(self, run: int) -> bool:
        cur = self._db().execute("SELECT 1 FROM runs WHERE run = ?", (run,))
        return cur.fetchone() is not None

    def log(self, run: int) -> bytes:
        """The run's JSONL log, checked against its stored digest."""
        conn = self._db()
        row = conn.execute("SELECT digest, log FROM runs WHERE run = ?", (run,)).fetchone()
        if row is None:
            lo, hi, n = conn.execute("SELECT min(run), max(run), count(*) FROM runs").fetchone()
            raise InputError(f"{self.path}: no run {run!r}; {_range_text(lo, hi, n)}")
        digest, blob = row
        try:
            data = zlib.decompress(blob)
        except (zlib.error, TypeError) as exc:
            raise IntegrityError(f"{self.path}: run {run}: stored log is corrupt ({exc})") from None
        try:
            actual = log_digest(data)
        except ValueError:
            actual = "(empty log)"
        if actual != digest:
            raise IntegrityError(
                f"{self.path}: run {run}: stored log does not match its digest "
                f"(stored {digest}, log has {actual})"
            )
        return data

    def row(self, run: int) -> dict[str, Any]:
        """One run's summary row (no log blob), as :meth:`rows` gives it."""
        names = ["run", "seed", "digest", "events", "params", *(n for n, _ in self._columns)]
        sql = f"SELECT {', '.join(_quote(n) for n in names)} FROM runs WHERE run = ?"
        conn = self._db()
        values = conn.execute(sql, (run,)).fetchone()
        if values is None:
            lo, hi, n = conn.execute("SELECT min(run), max(run), count(*) FROM runs").fetchone()
            raise InputError(f"{self.path}: no run {run!r}; {_range_text(lo, hi, n)}")
        row = dict(zip(names, values, strict=True))
        row["params"] = orjson.loads(row["params"])
        return row

    def rows(self) -> Iterator[dict[str, Any]]:
        """Summary rows ordered by run (no log blobs), streamed from the database."""
        names = ["run", "seed", "digest", "events", "params", *(n for n, _ in self._columns)]
        sql = f"SELECT {', '.join(_quote(n) for n in names)} FROM runs ORDER BY run"
        cur = self._db().execute(sql)
        try:
            while True:
                batch = cur.fetchmany(256)
                if not batch:
                    return
                for values in batch:
                    row = dict(zip(names, values, strict=True))
                    row["params"] = orjson.loads(row["params"])
                    yield row
        finally:
            cur.close()

    # ------------------------------------------------------------------ closing

    def close(self) -> None:
        """Close the database and release the writer lock (idempotent)."""
        conn, self._conn = self._conn, None
        try:
            if conn is not None:
                if self._writable:
                    _leave_wal(conn)
                conn.close()
        finally:
            if self._lock is not None:
                self._lock.release()
                self._lock = None

    def __enter__(self) -> BatchStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        mode = "closed" if self._conn is None else ("write" if self._writable else "read")
        return f"<BatchStore {str(self.path)!r} {mode}>"


def _leave_wal(conn: sqlite3.Connection) -> None:
    """Put a store at rest in rollback-journal mode: one self-contained file.

    A store in WAL mode makes every later reader (``export``, ``plot``, a summary)
    create ``-wal`` and ``-shm`` files beside it that a read-only connection cannot
    remove. Switching back checkpoints the WAL (fsynced, as ``synchronous=FULL`` asks)
    and deletes it; the next writer switches to WAL again. If a reader holds the store
    just now, the switch is skipped (no waiting): the store stays in WAL mode, which is
    just as correct.
    """
    with contextlib.suppress(sqlite3.Error):
        conn.execute("PRAGMA busy_timeout=0")
        conn.execute("PRAGMA journal_mode=DELETE")
