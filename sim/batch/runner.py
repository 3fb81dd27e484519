"""``run_batch``: run a Monte Carlo batch on a pool of workers, the parent the only writer.

The parent keeps a small window of chunks in flight (four per worker, so a slow commit
never leaves a worker idle), and as chunks finish it writes their runs to the store in
one transaction (``put_many``), so a SIGKILL loses at most the runs in flight and a
resumed batch never stores a run twice.
It keeps no logs: workers compress them, the store receives them, and the result
reads rows back from the store when asked.
"""

from __future__ import annotations

import contextlib
import os
import sys
import time
from collections.abc import Callable, Generator, Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

from events.batch_store import BatchStore, PackedRun
from events.errors import InputError, OutputError, WorkerLostError
from sim.batch.executors import EXECUTORS, make_executor, require_dask
from sim.batch.interrupts import InterruptLatch, deferred_interrupts
from sim.batch.plan import BatchPlan, column_value, guided_chunk_size, make_plan
from sim.batch.progress import tracker
from sim.batch.results import BatchResult
from sim.batch.worker import Chunk, run_chunk
from sim.scenario import Scenario

# Logs of ~20 kB compressed: bigger pages mean fewer page writes per insert, and the
# parent shares the cores with the workers. Measured (600 runs, 2 workers): 4 kB pages
# 0.062 ms of parent time a run, 16 kB 0.034 ms, 64 kB (SQLite's largest) a little less
# again (`python -m bench mc-store`, same session: 9.5-9.9% of wall time against
# 10.1-10.2% with 16 kB pages).
STORE_PAGE_SIZE = 65536
WINDOW_PER_WORKER = 4  # chunks in flight per worker: one running, the rest queued


def default_store_path(scenario_name: str, seed: int) -> Path:
    """Where ``negsim mc`` stores a batch without ``--store``."""
    return Path("runs") / f"{scenario_name}-mc-{seed}.sqlite"


def run_batch(
    scenario: Scenario | str = "msft-openai",
    n: int | None = None,
    *,
    seed: int = 0,
    overrides: Sequence[str] = (),
    sweep: Iterable[Any] = (),
    workers: int | None = None,
    executor: str = "process",
    address: str | None = None,
    store: str | os.PathLike[str] | None = None,
    resume: bool = False,
    progress: bool = False,
    chunk_size: int | None = None,
) -> BatchResult:
    """Run ``n`` seeded runs (per sweep cell) of ``scenario`` and return their table.

    Run ``i`` (of cell ``c``: index ``c * n + i``) has seed ``f"{seed}:{i}"``; see
    :mod:`sim.batch.plan`. ``sweep`` takes ``"KEY=V1,V2"`` strings (or ``(key, values)``
    pairs). With ``store`` (a path) every run, log included, goes to a batch store
    (an existing one only with ``resume=True``, which checks it belongs to this batch
    and skips the runs it holds); without, rows are kept in memory and logs dropped.
    ``executor`` is ``"process"`` (``workers`` local processes, default the CPU
    count) or ``"dask"`` (the cluster at ``address``, else a ``LocalCluster`` of
    ``workers`` processes). A KeyboardInterrupt stops the workers, keeps every stored
    run, and propagates.
    """
    if n is None:
        raise TypeError("run_batch() needs n, the number of runs (per sweep cell)")
    if executor not in EXECUTORS:
        raise InputError(f"--executor: expected one of {', '.join(EXECUTORS)}, got {executor!r}")
    if address is not None and executor != "dask":
        raise InputError("--address needs --executor dask")
    if workers is None:
        workers = os.cpu_count() or 1
    if isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
        raise InputError(f"--workers: expected a positive integer, got {workers!r}")
    if chunk_size is not None and (not isinstance(chunk_size, int) or chunk_size < 1):
        raise InputError(f"chunk_size: expected a positive integer, got {chunk_size!r}")
    if resume and store is None:
        raise InputError("--resume needs a batch store (--store)")
    plan = make_plan(scenario, n, seed=seed, overrides=overrides, sweep=sweep)

    if executor == "dask":
        require_dask()  # before a store is created for a batch that cannot run
    started = time.perf_counter()
    created = store is not None and not Path(store).exists()
    writer = _open_store(plan, Path(store), resume) if store is not None else None
    stored_any = False
    timing = {"store_write": 0.0, "runs": 0.0, "chunk_size": 0.0}
    try:
        done = set(writer.run_ids()) if writer is not None else set()
        pending = [run for run in range(plan.total) if run not in done]
        rows: list[dict[str, Any]] = []
        timing["runs"] = float(len(pending))
        if pending:
            size = chunk_size or guided_chunk_size(workers)
            first = size if isinstance(size, int) else size(len(pending))
            chunks = _chunks(plan, pending, size, keep_log=writer is not None)
            n_chunks = -(-len(pending) // first)
            timing["chunk_size"] = float(first)
            with tracker(progress, plan.total, len(done)) as bar:
                pool = make_executor(executor, min(workers, n_chunks), address)
                timing["startup"] = time.perf_counter() - started
                try:
                    with contextlib.closing(run_unordered(pool, chunks)) as stream:
                        for finished in stream:
                            began = time.perf_counter()
                            if writer is not None:
                                writer.put_many(finished)
                                stored_any = True
                            else:
                                rows.extend(_row(run) for run in finished)
                            timing["store_write"] += time.perf_counter() - began
                            bar.advance(len(finished))
                finally:
                    pool.close()
    finally:
        if writer is not None:
            began = time.perf_counter()
            writer.close()  # the last checkpoint of the WAL: store time too
            timing["store_write"] += time.perf_counter() - began
            if created and not stored_any and sys.exc_info()[0] is not None:
                _remove_store(writer.path)  # a failed first attempt leaves no empty store
    timing["wall"] = time.perf_counter() - started
    if writer is not None:
        return BatchResult(plan.columns, plan.meta(), store=writer.path, timing=timing)
    rows.sort(key=lambda row: row["run"])
    return BatchResult(plan.columns, plan.meta(), rows=rows, timing=timing)


def _remove_store(path: Path) -> None:
    for leftover in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        with contextlib.suppress(OSError):
            leftover.unlink()


def _open_store(plan: BatchPlan, path: Path, resume: bool) -> BatchStore:
    if path.exists():
        if not resume:
            raise InputError(
                f"{path}: batch store already exists; pass --resume to continue it, "
                "or choose another --store path"
            )
        store = BatchStore.open(path, write=True)
        try:
            plan.check_resume(path, store.meta, store.columns)
        except BaseException:
            store.close()
            raise
        return store
    parent = path.parent if str(path.parent) else Path(".")
    try:
        parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"{parent}: cannot create directory ({exc.strerror or exc})") from None
    return BatchStore.create(path, plan.meta(), plan.columns, page_size=STORE_PAGE_SIZE)


def _chunks(
    plan: BatchPlan, pending: list[int], size: int | Callable[[int], int], *, keep_log: bool
) -> Iterator[Chunk]:
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


def run_unordered(
    pool: Any, tasks: Iterator[Any], work: Callable[[Any], list[PackedRun]] = run_chunk
) -> Generator[list[PackedRun], None, None]:
    """Finished runs, grouped by whatever finished together; a bounded window of
    ``work(task)`` calls in flight on ``pool`` (also used by Sobol designs).

    Ctrl-C is held while the generator is alive (see :mod:`sim.batch.interrupts`) and
    raised here, between waits; close the generator (``contextlib.closing``) so the
    previous SIGINT handler returns as soon as the caller stops consuming.
    """
    with deferred_interrupts() as interrupts:
        yield from _unordered(pool, tasks, work, interrupts)


def _unordered(
    pool: Any,
    tasks: Iterator[Any],
    work: Callable[[Any], list[PackedRun]],
    interrupts: InterruptLatch,
) -> Generator[list[PackedRun], None, None]:
    window = max(1, pool.workers * WINDOW_PER_WORKER)
    lost: tuple[type[BaseException], ...] = getattr(pool, "lost", ())
    in_flight: set[Any] = set()

    def refill() -> None:
        while len(in_flight) < window:
            task = next(tasks, None)
            if task is None:
                return
            in_flight.add(pool.submit(work, task))

    try:  # a dead worker surfaces in submit, wait or result, whichever comes first
        refill()
        while in_flight:
            interrupts.check()
            finished = pool.wait(in_flight, 0.5)
            interrupts.check()
            if not finished:
                continue
            in_flight.difference_update(finished)
            runs: list[PackedRun] = []
            for future in finished:
                runs.extend(future.result())
            refill()  # before the parent writes, so workers never wait for the store
            yield runs
    except lost as exc:
        raise WorkerLostError(
            f"a batch worker process died (killed, or out of memory?): {type(exc).__name__}"
        ) from exc


def _row(run: PackedRun) -> dict[str, Any]:
    return {
        "run": run.run,
        "seed": run.seed,
        "digest": run.digest,
        "events": run.events,
        **run.summary,
    }
