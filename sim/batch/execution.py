"""How batch-shaped work runs: one :class:`Execution` value and one loop, :func:`run_tasks`.

Every feature that runs many independent tasks (Monte Carlo batches and sweeps, Sobol
designs, tournaments, tuning) goes through :func:`run_tasks`, so they share one
behaviour:

- ``workers == 1`` with the process executor runs the tasks here, in this process (a
  small batch would spend longer starting a pool than running); otherwise a process
  pool or a Dask cluster (:mod:`sim.batch.executors`) runs them;
- a bounded window of tasks in flight (four per worker: one running, the rest queued);
- Ctrl-C is held in a latch while the loop runs and raised between waits
  (:mod:`sim.batch.interrupts`), so a store commit is never cut in half;
- a worker that dies (killed, out of memory) ends the loop with one
  :class:`~sim.batch.errors.WorkerLostError` (exit code 3);
- a main script that worker processes cannot re-import is refused up front;
- an optional progress bar on stderr.

Results come back in the order tasks finish; callers that need task order carry an
index in what ``work`` returns.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Generator, Iterable, Iterator
from typing import Any, Final, TypeVar

import attrs

from events.convert import check_int
from events.errors import InputError
from sim.batch.errors import WorkerLostError
from sim.batch.executors import EXECUTORS, Executor, make_executor, require_dask
from sim.batch.interrupts import InterruptLatch, deferred_interrupts
from sim.batch.progress import tracker

T = TypeVar("T")
R = TypeVar("R")

WINDOW_PER_WORKER: Final = 4  # tasks in flight per worker: one running, the rest queued


def _executor(instance: Execution, attribute: attrs.Attribute[str], value: str) -> None:
    if value not in EXECUTORS:
        raise InputError(f"executor: expected one of {', '.join(EXECUTORS)}, got {value!r}")


def _address(
    instance: Execution, attribute: attrs.Attribute[str | None], value: str | None
) -> None:
    if value is not None and (not isinstance(value, str) or not value):
        raise InputError(
            f"address: expected a scheduler address such as tcp://HOST:PORT, got {value!r}"
        )
    if value is not None and instance.executor != "dask":
        raise InputError("address: needs executor 'dask'")


def _workers(value: Any) -> int | None:
    return None if value is None else check_int(value, "workers", 1)


def _chunk_size(value: Any) -> int | None:
    return None if value is None else check_int(value, "chunk_size", 1)


@attrs.frozen(kw_only=True)
class Execution:
    """Where and how a batch's tasks run; the same results whatever these are.

    - ``workers``: worker processes (``None``: the CPU count; with Dask and an
      ``address``, the cluster's threads). One worker with the process executor means
      "in this process".
    - ``executor``: ``"process"`` (a local process pool) or ``"dask"`` (the cluster at
      ``address``, else a ``LocalCluster`` of ``workers`` processes).
    - ``chunk_size``: runs per task (``None``: guided self-scheduling, large chunks first).
    - ``progress``: draw a progress bar on stderr.
    """

    workers: int | None = attrs.field(default=None, converter=_workers)
    executor: str = attrs.field(default="process", validator=_executor)
    address: str | None = attrs.field(default=None, validator=_address)
    chunk_size: int | None = attrs.field(default=None, converter=_chunk_size)
    progress: bool = attrs.field(default=False, converter=bool)

    @property
    def worker_count(self) -> int:
        """``workers``, or the CPU count."""
        return self.workers if self.workers is not None else os.cpu_count() or 1

    @property
    def inline(self) -> bool:
        """Whether tasks run in this process (one worker, the process executor)."""
        return self.executor == "process" and self.workers == 1

    def check(self) -> None:
        """Fail early, before any file is written, for an executor that cannot run here."""
        if self.executor == "dask":
            require_dask()


def run_tasks(
    tasks: Iterable[T],
    work: Callable[[T], list[R]],
    execution: Execution,
    *,
    n_tasks: int,
    total: int,
    done: int = 0,
    description: str = "runs",
) -> Generator[list[R], None, None]:
    """Run ``work(task)`` for every task; yield each finished task's results.

    ``n_tasks`` bounds the pool's size (no more workers than tasks); ``total`` and
    ``done`` are what the progress bar counts (one unit per result). Close the generator
    (``contextlib.closing``) when stopping early: that shuts the workers down and gives
    Ctrl-C back to its previous handler.
    """
    execution.check()
    with tracker(execution.progress, total, done, description) as bar:
        if execution.inline or n_tasks <= 0:
            with deferred_interrupts() as interrupts:
                for task in tasks:
                    interrupts.check()
                    results = work(task)
                    interrupts.check()
                    bar.advance(len(results))
                    yield results
            return
        pool = make_executor(
            execution.executor, min(execution.worker_count, n_tasks), execution.address
        )
        try:
            with contextlib.closing(run_unordered(pool, iter(tasks), work)) as stream:
                for results in stream:
                    bar.advance(len(results))
                    yield results
        finally:
            pool.close()


def run_unordered(
    pool: Executor, tasks: Iterator[T], work: Callable[[T], list[R]]
) -> Generator[list[R], None, None]:
    """``work(task)`` on ``pool`` for every task, a bounded window in flight; each
    finished batch of results as it comes (the part of :func:`run_tasks` after the pool
    is made: Ctrl-C latched and raised between waits, a dead worker a WorkerLostError)."""
    with deferred_interrupts() as interrupts:
        yield from _unordered(pool, tasks, work, interrupts)


def _unordered(
    pool: Executor,
    tasks: Iterator[T],
    work: Callable[[T], list[R]],
    interrupts: InterruptLatch,
) -> Generator[list[R], None, None]:
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
            results: list[R] = []
            for future in finished:
                results.extend(future.result())
            refill()  # before the caller writes, so workers never wait for the store
            yield results
    except lost as exc:
        raise WorkerLostError(
            f"a batch worker process died (killed, or out of memory?): {type(exc).__name__}"
        ) from exc


__all__ = ["WINDOW_PER_WORKER", "Execution", "run_tasks", "run_unordered"]
