"""Ctrl-C during a batch is raised by the batch loop, never inside the executor's wait."""

from __future__ import annotations

import os
import signal
import threading
from collections.abc import Callable, Collection
from typing import Any

import pytest

from sim.batch.execution import run_unordered
from sim.batch.interrupts import deferred_interrupts


class _Done:
    def __init__(self, value: Any) -> None:
        self.value = value

    def result(self) -> Any:
        return self.value


class _InterruptedWaitPool:
    """A pool whose ``wait`` receives SIGINT mid-call and must not see it raised."""

    workers = 1

    def __init__(self) -> None:
        self.waits_completed = 0

    def submit(self, fn: Callable[[Any], Any], task: Any) -> _Done:
        return _Done(fn(task))

    def wait(self, futures: Collection[_Done], timeout: float) -> set[_Done]:
        os.kill(os.getpid(), signal.SIGINT)  # Python runs handlers between bytecodes
        for _ in range(1000):  # give the handler a chance to run inside this call
            pass
        self.waits_completed += 1
        return set(futures)


def test_sigint_during_wait_is_raised_after_the_wait_returns() -> None:
    pool = _InterruptedWaitPool()
    before = signal.getsignal(signal.SIGINT)
    stream = run_unordered(pool, iter([1, 2, 3]), lambda task: [task])
    with pytest.raises(KeyboardInterrupt):
        list(stream)
    assert pool.waits_completed == 1  # the wait finished; the loop raised after it
    assert signal.getsignal(signal.SIGINT) is before


def test_the_previous_handler_returns_when_the_stream_is_closed_early() -> None:
    class _QuietPool(_InterruptedWaitPool):
        def wait(self, futures: Collection[_Done], timeout: float) -> set[_Done]:
            return set(futures)

    before = signal.getsignal(signal.SIGINT)
    stream = run_unordered(_QuietPool(), iter(range(100)), lambda task: [task])
    first = next(stream)
    assert signal.getsignal(signal.SIGINT) is not before  # held while the batch runs
    stream.close()
    assert first and signal.getsignal(signal.SIGINT) is before


def test_a_late_sigint_is_not_lost_when_the_block_ends() -> None:
    with pytest.raises(KeyboardInterrupt), deferred_interrupts():
        os.kill(os.getpid(), signal.SIGINT)
        for _ in range(1000):
            pass


def test_off_the_main_thread_interrupts_are_left_alone() -> None:
    seen: list[object] = []

    def body() -> None:
        with deferred_interrupts():
            seen.append(signal.getsignal(signal.SIGINT))

    before = signal.getsignal(signal.SIGINT)
    thread = threading.Thread(target=body)
    thread.start()
    thread.join()
    assert seen == [before]


class _DeadWorker(Exception):
    pass


class _BrokenPool(_InterruptedWaitPool):
    lost = (_DeadWorker,)

    def submit(self, fn: Callable[[Any], Any], task: Any) -> Any:
        class _Lost:
            def result(self) -> Any:
                raise _DeadWorker("gone")

        return _Lost()

    def wait(self, futures: Collection[Any], timeout: float) -> set[Any]:
        return set(futures)


def test_a_dead_worker_is_a_worker_lost_error() -> None:
    from sim.batch.errors import WorkerLostError

    with pytest.raises(WorkerLostError, match="a batch worker process died") as caught:
        list(run_unordered(_BrokenPool(), iter([1]), lambda task: [task]))
    assert caught.value.exit_code == 3


def test_a_zombie_parent_counts_as_dead_for_the_worker_watchdog() -> None:
    import subprocess
    import sys
    import time
    from pathlib import Path

    from sim.batch.worker import _running

    if not Path("/proc/self/stat").exists():
        pytest.skip("zombie detection needs /proc (Linux)")
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        assert _running(child.pid)
        child.kill()
        deadline = time.monotonic() + 10
        while _running(child.pid) and time.monotonic() < deadline:
            time.sleep(0.01)  # killed, not reaped yet: a zombie
        assert not _running(child.pid)
    finally:
        child.kill()
        child.wait()
    assert not _running(child.pid)  # reaped: gone


def test_a_dead_worker_noticed_by_wait_is_a_worker_lost_error_too() -> None:
    from sim.batch.errors import WorkerLostError

    class _PoolThatNoticesInWait(_InterruptedWaitPool):
        lost = (_DeadWorker,)

        def wait(self, futures: Collection[Any], timeout: float) -> set[Any]:
            raise _DeadWorker("a worker process died")

    with pytest.raises(WorkerLostError, match="a batch worker process died"):
        list(run_unordered(_PoolThatNoticesInWait(), iter([1]), lambda task: [task]))
