"""Where chunks run: a local process pool, or a Dask cluster.

Both give the same interface to the runner: ``submit(chunk)`` returns a future,
``wait(futures)`` returns the finished ones, ``close()`` shuts workers down (pending
chunks cancelled). Workers only compute; results come back to the parent, which is the
only writer. ``dask``/``distributed`` are imported only by :class:`DaskExecutor`.
"""

from __future__ import annotations

import concurrent.futures as cf
import contextlib
import logging
import multiprocessing
import os
import sys
import warnings
from collections.abc import Callable, Collection
from concurrent.futures.process import BrokenProcessPool
from typing import Any, Final, Protocol

from events.errors import InputError

EXECUTORS: Final = ("process", "dask")


class Executor(Protocol):
    workers: int
    # What a future raises when the worker running it died (killed, out of memory).
    lost: tuple[type[BaseException], ...]

    def submit(self, fn: Callable[[Any], Any], task: Any) -> Any: ...

    def wait(self, futures: Collection[Any], timeout: float) -> set[Any]: ...

    def close(self) -> None: ...


def _mp_context() -> multiprocessing.context.BaseContext:
    """forkserver (spawn where it is missing), never the global start method.

    Not fork: the parent may run a progress thread, and forking a threaded process can
    copy a held lock. The forkserver preloads the worker module, so workers start warm.
    """
    if "forkserver" in multiprocessing.get_all_start_methods():
        ctx = multiprocessing.get_context("forkserver")
        ctx.set_forkserver_preload(["sim.batch.worker"])
        return ctx
    return multiprocessing.get_context("spawn")  # pragma: no cover - not on Linux


class ProcessExecutor:
    """A local ``ProcessPoolExecutor`` with ``workers`` processes."""

    lost: tuple[type[BaseException], ...] = (BrokenProcessPool,)

    def __init__(self, workers: int) -> None:
        from sim.batch.worker import init_worker

        _check_main_is_importable()
        self.workers = workers
        self._pool = cf.ProcessPoolExecutor(
            max_workers=workers,
            mp_context=_mp_context(),
            initializer=init_worker,
            initargs=(os.getpid(),),
        )

    def submit(self, fn: Callable[[Any], Any], task: Any) -> cf.Future[Any]:
        return self._pool.submit(fn, task)

    def wait(self, futures: Collection[cf.Future[Any]], timeout: float) -> set[cf.Future[Any]]:
        done, _ = cf.wait(futures, timeout=timeout, return_when=cf.FIRST_COMPLETED)
        if not done and self._a_worker_died():
            self._broken = True
            raise BrokenProcessPool("a worker process died")
        return done

    def close(self) -> None:
        if self._broken or getattr(self._pool, "_broken", False):
            self._abandon()
            return
        # Chunks already running finish (a chunk is short); queued ones are cancelled.
        self._pool.shutdown(wait=True, cancel_futures=True)

    # A worker killed while sending its result leaves half a message in the result pipe;
    # CPython 3.11's pool then waits for the rest forever and never reports itself broken
    # (seen here: its manager thread blocked in recv). Workers never exit on their own
    # here, so a dead one means the pool is lost: the parent notices it between waits,
    # kills the rest and closes its own end of the pipe, so the pool's reader thread gets
    # EOF and can end (otherwise the interpreter would wait for it at exit).

    _broken = False

    def _processes(self) -> list[Any]:
        return list((getattr(self._pool, "_processes", None) or {}).values())

    def _a_worker_died(self) -> bool:
        return any(process.exitcode is not None for process in self._processes())

    def _abandon(self) -> None:
        for process in self._processes():
            with contextlib.suppress(OSError, ValueError):
                process.kill()
        for process in self._processes():
            with contextlib.suppress(OSError, ValueError, AssertionError):
                process.join(5)
        # Before shutdown: shutdown(wait=False) drops the pool's reference to the queue
        # (and, with it, our way to its writer), leaving the reader thread blocked for
        # good on a half-sent result, and the interpreter waiting for it at exit.
        queue = getattr(self._pool, "_result_queue", None)
        self._pool.shutdown(wait=False, cancel_futures=True)
        writer = getattr(queue, "_writer", None)
        if writer is not None:
            with contextlib.suppress(OSError):
                writer.close()


def _check_main_is_importable() -> None:
    """Refuse, with one clear line, a main script that worker processes cannot re-run.

    New worker processes (forkserver or spawn) re-import the parent's ``__main__`` from
    its file. A script piped on stdin (``python - <<EOF``) has no such file, and every
    worker would die on start, which would look like a crash.
    """
    main = sys.modules.get("__main__")
    if main is None or getattr(main.__spec__, "name", None) is not None:
        return  # python -m ..., or no main module: imported by name
    path = getattr(main, "__file__", None)
    if path is None:
        return  # an interactive session or a notebook: nothing to re-import
    start_dir = getattr(multiprocessing.process, "ORIGINAL_DIR", None)
    if not os.path.isabs(path) and start_dir is not None:
        path = os.path.join(start_dir, path)
    if not os.path.isfile(path):
        raise InputError(
            f"worker processes cannot re-import the main script {main.__file__!r}: run "
            "it from a file (python script.py), a notebook or python -m, not from stdin"
        )


def require_dask() -> Any:
    """``distributed``, or the one-line error saying which extra to install."""
    try:
        import distributed
    except ImportError:
        raise InputError(
            "executor dask needs dask.distributed, which is not installed; "
            "pip install '.[dask]' in a clone of negsim (or 'negsim[dask]')"
        ) from None
    return distributed


class DaskExecutor:
    """A Dask cluster: the one at ``address``, or a ``LocalCluster`` made (and closed) here."""

    def __init__(self, workers: int, address: str | None) -> None:
        distributed = require_dask()
        self._distributed = distributed
        # A task whose workers died too often (the scheduler retries it a few times).
        self.lost: tuple[type[BaseException], ...] = (distributed.KilledWorker,)
        self._cluster: Any = None
        try:
            if address is None:
                with warnings.catch_warnings():
                    # Without a dashboard the scheduler still serves health routes, on
                    # port 8787 when free; when another cluster has it, distributed
                    # warns on stderr and takes a free port. That is not news to a user.
                    warnings.filterwarnings(
                        "ignore", message="Port .* is already in use", category=UserWarning
                    )
                    self._cluster = distributed.LocalCluster(
                        n_workers=workers,
                        threads_per_worker=1,
                        processes=True,
                        dashboard_address=None,
                        silence_logs=logging.ERROR,
                    )
                self._client = distributed.Client(self._cluster)
                # Its worker processes share our process group, so a terminal's Ctrl-C
                # reaches them too; the parent handles it (and closes the cluster).
                from sim.batch.worker import ignore_interrupts

                self._client.run(ignore_interrupts)
            else:
                self._client = distributed.Client(address, timeout="10s")
        except OSError as exc:
            self._close_cluster()
            if address is None:
                raise InputError(f"executor dask: cannot start a LocalCluster ({exc})") from None
            raise InputError(
                f"address {address}: cannot reach the Dask scheduler ({exc})"
            ) from None
        if address is not None:
            info = self._client.scheduler_info()
            threads = sum(w.get("nthreads", 1) for w in info.get("workers", {}).values())
            workers = max(1, threads)
        self.workers = workers

    def submit(self, fn: Callable[[Any], Any], task: Any) -> Any:
        return self._client.submit(fn, task, pure=False)

    def wait(self, futures: Collection[Any], timeout: float) -> set[Any]:
        try:
            done, _ = self._distributed.wait(
                list(futures), timeout=timeout, return_when="FIRST_COMPLETED"
            )
        except TimeoutError:
            return set()
        return set(done)

    def close(self) -> None:
        try:
            self._client.close()
        finally:
            self._close_cluster()

    def _close_cluster(self) -> None:
        if self._cluster is not None:
            cluster, self._cluster = self._cluster, None
            cluster.close()


def make_executor(kind: str, workers: int, address: str | None) -> Executor:
    if kind == "process":
        if address is not None:
            raise InputError("address: needs executor 'dask'")
        return ProcessExecutor(workers)
    if kind == "dask":
        return DaskExecutor(workers, address)
    raise InputError(f"executor: expected one of {', '.join(EXECUTORS)}, got {kind!r}")
