"""Committing finished runs on a writer thread, so the store leaves a batch's critical path.

The parent hands each group of finished runs to ``BackgroundWriter.put`` and goes
back to waiting for the workers while the thread inserts and commits the group
(``BatchStore.put_many``: one transaction, ``synchronous=FULL``). sqlite3 releases
the GIL while it writes and fsyncs, so the wait for the disk overlaps the wait for
the next chunk instead of adding to it. The parent is still the only process that
writes, and one thread writes at a time (the parent touches the store again only
after ``close``).

- The queue holds at most ``depth`` groups: when the store is slower than the
  workers, ``put`` waits, so memory stays bounded.
- The thread's first error (a full disk, a run already stored) is raised in the
  parent by the next ``put`` or by ``close``; no group after it is written. Every
  group is one transaction, so a store never holds part of a group.
- ``close`` waits until every group handed over is committed. A batch stopped by
  Ctrl-C or a lost worker therefore keeps every run it had finished, as when the
  parent committed them itself; a killed parent loses the groups not yet committed,
  as it lost the runs in flight.
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Sequence

from sim.batch.store import BatchStore, PackedRun


class BackgroundWriter:
    """Commits groups of finished runs to ``store`` on a writer thread (module doc)."""

    def __init__(self, store: BatchStore, depth: int = 2) -> None:
        self._store = store
        self._queue: queue.Queue[Sequence[PackedRun] | None] = queue.Queue(maxsize=depth)
        self._error: BaseException | None = None  # raised once in the parent
        self._failed = False  # stays set: nothing is written after an error
        self._closed = False
        self.stored = 0  # groups committed
        self.waited = 0.0  # seconds the parent waited for the store (put and close)
        self.busy = 0.0  # seconds the thread spent writing
        self._thread = threading.Thread(target=self._write, name="negsim-store", daemon=True)
        self._thread.start()

    def _write(self) -> None:
        while True:
            group = self._queue.get()
            if group is None:
                return
            if self._failed:
                continue  # after an error nothing more is written; the queue drains
            began = time.perf_counter()
            try:
                self._store.put_many(group)
                self.stored += 1
            except BaseException as exc:  # raised in the parent (``put``/``close``)
                self._failed = True
                self._error = exc
            self.busy += time.perf_counter() - began

    def put(self, group: Sequence[PackedRun]) -> None:
        """Hand ``group`` over to be committed (waits while ``depth`` groups are queued)."""
        self._raise()
        began = time.perf_counter()
        self._queue.put(group)
        self.waited += time.perf_counter() - began

    def close(self, *, raise_error: bool = True) -> None:
        """Wait until every group handed over is committed; then raise the thread's
        error, if any (unless ``raise_error`` is False: another error is on its way)."""
        if not self._closed:
            self._closed = True
            began = time.perf_counter()
            self._queue.put(None)
            self._thread.join()
            self.waited += time.perf_counter() - began
        if raise_error:
            self._raise()

    def _raise(self) -> None:
        error, self._error = self._error, None
        if error is not None:
            raise error
