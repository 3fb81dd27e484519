"""The process executor when a worker dies while sending its result.

CPython 3.11's pool reads a result as a length header and then the body; a worker
killed between the two leaves its reader thread waiting for the body forever, the pool
never reports itself broken, and the interpreter would wait for that thread at exit.
The executor notices the dead worker itself and, closing, must end that thread.
"""

from __future__ import annotations

import os
import signal
import struct
import time
from concurrent.futures.process import BrokenProcessPool

import pytest

from sim.batch.executors import ProcessExecutor


def _sleep(seconds: float) -> float:
    time.sleep(seconds)
    return seconds


def test_a_worker_dead_mid_result_does_not_leave_the_reader_thread_blocked() -> None:
    pool = ProcessExecutor(1)
    inner = pool._pool
    future = pool.submit(_sleep, 30.0)  # starts the worker and the reader thread
    deadline = time.monotonic() + 30
    while not pool._processes() and time.monotonic() < deadline:
        time.sleep(0.01)
    reader = inner._executor_manager_thread
    assert reader is not None and reader.is_alive()
    # Half a result: a header announcing 1000 bytes, and 1 byte of them.
    os.write(inner._result_queue._writer.fileno(), struct.pack("!i", 1000) + b"x")
    time.sleep(0.2)  # the reader thread is now blocked on the other 999 bytes
    for process in pool._processes():
        os.kill(process.pid, signal.SIGKILL)
    with pytest.raises(BrokenProcessPool):
        while time.monotonic() < deadline:
            pool.wait({future}, 0.1)
    pool.close()
    reader.join(10)
    assert not reader.is_alive(), "the pool's reader thread is still waiting for a result"
