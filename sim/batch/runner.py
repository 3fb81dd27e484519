"""Batches with a store: :func:`execute` runs a :class:`StoredJob` through
:func:`~sim.batch.execution.run_tasks` into a crash-safe batch store (or into memory),
and :func:`run_batch` is the Monte Carlo batch (``negsim mc``, sweeps) built on it.

The parent is the only writer: as tasks finish it writes their runs to the store in
one transaction (``put_many``), so a SIGKILL loses at most the runs in flight and a
resumed batch never stores a run twice. It keeps no logs: workers compress them, the
store receives them, and the result reads rows back from the store when asked.
"""

from __future__ import annotations

import contextlib
import re
import sys
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any, Protocol

import attrs

from events.errors import InputError, OutputError
from sim.batch.background import BackgroundWriter
from sim.batch.execution import Execution, run_tasks
from sim.batch.plan import BatchPlan, column_value, guided_chunk_size, make_plan
from sim.batch.results import BatchResult
from sim.batch.store import BatchStore, PackedRun
from sim.batch.worker import Chunk, run_chunk
from sim.scenario import Scenario

# Logs of ~20 kB compressed: bigger pages mean fewer page writes per insert, and the
# parent shares the cores with the workers. Measured (600 runs, 2 workers): 4 kB pages
# 0.062 ms of parent time a run, 16 kB 0.034 ms, 64 kB (SQLite's largest) a little less
# again (`python -m bench mc-store`, same session: 9.5-9.9% of wall time against
# 10.1-10.2% with 16 kB pages).
STORE_PAGE_SIZE = 65536

_SAFE = re.compile(r"[^A-Za-z0-9._-]+")


def default_store_path(plan: BatchPlan) -> Path:
    """Where ``negsim mc`` stores a batch without ``--store``: one name per batch.

    The name carries the scenario, the master seed and N, and for a sweep (or
    ``--set`` overrides) a short digest of what they change, so two different batches
    never share a store: ``runs/msft-openai-mc-s7-n1000.sqlite``,
    ``runs/msft-openai-mc-s7-n300-3f9a1c2b.sqlite``.
    """
    name = _SAFE.sub("_", plan.scenario.name).strip("._") or "scenario"
    stem = f"{name}-mc-s{plan.seed}-n{plan.n}"
    if plan.axes or plan.overrides:
        stem += f"-{plan.variant_digest()[:8]}"
    return Path("runs") / f"{stem}.sqlite"


class StoredJob(Protocol):
    """A batch that can run into a store: what it is (meta, columns), how to resume it,
    and how its pending runs become tasks."""

    @property
    def total(self) -> int: ...

    @property
    def columns(self) -> tuple[tuple[str, str], ...]: ...

    def meta(self) -> dict[str, str]: ...

    def adopt(self, store: BatchStore) -> None:
        """Check that an existing store holds this batch (raise InputError if not);
        bring its meta up to date if this batch extends it."""

    def tasks(
        self, pending: Sequence[int], execution: Execution, keep_log: bool
    ) -> tuple[int, Iterator[Any]]:
        """(the number of tasks, the tasks) for the ``pending`` runs."""

    # What runs a task in a worker: a module-level function (so only the task is
    # pickled for each submission, not the job with it).
    work: Callable[..., list[PackedRun]]


@attrs.frozen
class Executed:
    """What :func:`execute` did: the store it wrote (or the rows, without one) and timings."""

    store: Path | None
    rows: list[dict[str, Any]] | None
    timing: dict[str, float]


def execute(
    job: StoredJob,
    execution: Execution,
    *,
    store: str | Path | None = None,
    resume: bool = False,
) -> Executed:
    """Run every run of ``job`` not yet in ``store``.

    With ``store`` every run, log included, goes to a batch store (an existing one only
    with ``resume=True``, after ``job.adopt`` accepted it); without, rows are kept in
    memory, ordered by run, and logs dropped. A KeyboardInterrupt stops the workers,
    keeps every stored run, and propagates; so does a WorkerLostError. A store created
    by a run that stored nothing before failing is removed.
    """
    if resume and store is None:
        raise InputError("resume: needs a batch store (store)")
    execution.check()  # before a store is created for a batch that cannot run
    started = time.perf_counter()
    path = Path(store) if store is not None else None
    created = path is not None and not path.exists()
    sink = _Sink(_open_store(job, path, resume) if path is not None else None)
    try:
        _run_pending(job, execution, sink)
        sink.finish()  # every run committed, or the writer thread's error raised
    finally:
        # a failed first attempt leaves no empty store
        sink.close(remove_if_empty=created and sys.exc_info()[0] is not None)
    sink.timing["wall"] = time.perf_counter() - started
    return sink.executed()


@attrs.define
class _Sink:
    """Where :func:`execute` puts finished runs: the store, each task's runs one
    transaction committed on a writer thread (``BackgroundWriter``) while the parent
    goes back to waiting for the workers, or rows in memory. ``store_write`` is the
    time the parent waited for the store (its critical path), ``store_busy`` the
    writer thread's own time."""

    writer: BatchStore | None
    rows: list[dict[str, Any]] = attrs.field(factory=list)
    background: BackgroundWriter | None = None
    timing: dict[str, float] = attrs.field(
        factory=lambda: {"store_write": 0.0, "store_busy": 0.0, "runs": 0.0}
    )

    def done(self) -> set[int]:
        """The runs already stored (none without a store)."""
        return set(self.writer.run_ids()) if self.writer is not None else set()

    def start(self) -> None:
        """Start the writer thread (with a store)."""
        if self.writer is not None:
            self.background = BackgroundWriter(self.writer)

    def take(self, finished: list[PackedRun]) -> None:
        if self.background is not None:
            self.background.put(finished)
        else:
            self.rows.extend(run_row(run) for run in finished)

    def finish(self) -> None:
        """Wait until every run handed over is committed; the writer's error if any."""
        if self.background is not None:
            self.background.close()

    def close(self, *, remove_if_empty: bool) -> None:
        """Close the store (its last WAL checkpoint counts as store time); remove it
        when ``remove_if_empty`` and nothing was stored. On the way out of an error
        every finished run handed over is still committed (the error in flight is
        the one reported)."""
        if self.writer is None:
            return
        stored_any = False
        if self.background is not None:
            self.background.close(raise_error=False)
            self.timing["store_write"] += self.background.waited
            self.timing["store_busy"] += self.background.busy
            stored_any = self.background.stored > 0
        began = time.perf_counter()
        self.writer.close()
        self.timing["store_write"] += time.perf_counter() - began
        if remove_if_empty and not stored_any:
            _remove_store(self.writer.path)

    def executed(self) -> Executed:
        if self.writer is not None:
            return Executed(self.writer.path, None, self.timing)
        self.rows.sort(key=lambda row: row["run"])
        return Executed(None, self.rows, self.timing)


def _run_pending(job: StoredJob, execution: Execution, sink: _Sink) -> None:
    """Run the job's runs the sink does not hold yet, handing each finished task's runs
    to the sink as it comes (so a stop keeps everything finished before it)."""
    done = sink.done()
    pending = [run for run in range(job.total) if run not in done]
    sink.timing["runs"] = float(len(pending))
    n_tasks, tasks = job.tasks(pending, execution, sink.writer is not None)
    stream = run_tasks(tasks, job.work, execution, n_tasks=n_tasks, total=job.total, done=len(done))
    sink.start()
    with contextlib.closing(stream):
        for finished in stream:
            sink.take(finished)


def run_row(run: PackedRun) -> dict[str, Any]:
    """A finished run as a table row: ``run``, ``seed``, ``digest``, ``events``, summary."""
    return {
        "run": run.run,
        "seed": run.seed,
        "digest": run.digest,
        "events": run.events,
        **run.summary,
    }


def _remove_store(path: Path) -> None:
    for leftover in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        with contextlib.suppress(OSError):
            leftover.unlink()


def _open_store(job: StoredJob, path: Path, resume: bool) -> BatchStore:
    if path.exists():
        if not resume:
            raise InputError(
                f"{path}: batch store already exists; pass --resume to continue it, "
                "or choose another --store path"
            )
        store = BatchStore.open(path, write=True)
        try:
            job.adopt(store)
        except BaseException:
            store.close()
            raise
        return store
    parent = path.parent if str(path.parent) else Path(".")
    try:
        parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"{parent}: cannot create directory ({exc.strerror or exc})") from None
    return BatchStore.create(path, job.meta(), job.columns, page_size=STORE_PAGE_SIZE)


# ---------------------------------------------------------------------- Monte Carlo


@attrs.frozen
class MonteCarloJob:
    """A :class:`~sim.batch.plan.BatchPlan` as a :class:`StoredJob`: chunks of runs of
    one sweep cell each, run by :func:`~sim.batch.worker.run_chunk`."""

    plan: BatchPlan

    @property
    def total(self) -> int:
        return self.plan.total

    @property
    def columns(self) -> tuple[tuple[str, str], ...]:
        return self.plan.columns

    def meta(self) -> dict[str, str]:
        return self.plan.meta()

    def adopt(self, store: BatchStore) -> None:
        self.plan.adopt(store)

    def tasks(
        self, pending: Sequence[int], execution: Execution, keep_log: bool
    ) -> tuple[int, Iterator[Chunk]]:
        size: int | Callable[[int], int]
        if execution.inline:
            size = self.plan.n  # one task per cell: no pool to balance
        else:
            size = execution.chunk_size or guided_chunk_size(execution.worker_count)
        first = size if isinstance(size, int) else size(len(pending))
        n_tasks = -(-len(pending) // first) if pending else 0
        return n_tasks, self._chunks(pending, size, keep_log)

    def _chunks(
        self, pending: Sequence[int], size: int | Callable[[int], int], keep_log: bool
    ) -> Iterator[Chunk]:
        plan = self.plan
        kinds = dict(plan.columns)
        for cell, runs in plan.chunks(pending, size):
            sweep = tuple(
                (f"sweep_{key}", column_value(kinds[f"sweep_{key}"], value))
                for key, value in cell.values
            )
            yield Chunk(
                cell.scenario,
                tuple((run, str(plan.run_seed(run))) for run in runs),
                plan.param_keys,
                sweep,
                plan.columns,
                keep_log,
            )

    work = staticmethod(run_chunk)


def run_batch(
    scenario: Scenario | str = "msft-openai",
    n: int | None = None,
    *,
    seed: int = 0,
    overrides: Sequence[str] = (),
    sweep: Iterable[Any] = (),
    execution: Execution | None = None,
    store: str | Path | None = None,
    resume: bool = False,
) -> BatchResult:
    """Run ``n`` seeded runs (per sweep cell) of ``scenario`` and return their table.

    Run ``i`` (of cell ``c``: index ``c * n + i``) has seed ``f"{seed}:{i}"``; see
    :mod:`sim.batch.plan`. ``sweep`` takes ``"KEY=V1,V2"`` strings (or ``(key, values)``
    pairs). ``execution`` says where the runs go (default: a process pool of one worker
    per CPU). With ``store`` (a path) every run, log included, goes to a batch store
    (an existing one only with ``resume=True``, which checks it belongs to this batch
    and skips the runs it holds; a store of the same batch with a smaller ``n`` is
    extended); without, rows are kept in memory and logs dropped. A KeyboardInterrupt
    stops the workers, keeps every stored run, and propagates.
    """
    if n is None:
        raise TypeError("run_batch() needs n, the number of runs (per sweep cell)")
    plan = make_plan(scenario, n, seed=seed, overrides=overrides, sweep=sweep)
    done = execute(MonteCarloJob(plan), execution or Execution(), store=store, resume=resume)
    if done.store is not None:
        return BatchResult(plan.columns, plan.meta(), store=done.store, timing=done.timing)
    assert done.rows is not None
    return BatchResult(plan.columns, plan.meta(), rows=done.rows, timing=done.timing)


__all__ = [
    "Executed",
    "MonteCarloJob",
    "StoredJob",
    "default_store_path",
    "execute",
    "run_batch",
    "run_row",
]
