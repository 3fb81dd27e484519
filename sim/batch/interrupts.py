"""Ctrl-C during a batch: noted by a signal handler, raised where the parent chooses.

Python raises ``KeyboardInterrupt`` wherever the main thread happens to be, which may
be deep inside a library: in Dask's ``sync()`` it trips a bug of ``distributed``
(a ``NameError`` in its cancel callback, logged with a traceback by tornado), and in
the middle of a store commit it would abandon a transaction. While a batch loop runs,
SIGINT only sets a flag; the loop checks it between waits (at most one wait timeout
later) and raises ``KeyboardInterrupt`` from its own frame. The previous handler is
back as soon as the loop ends, so a second Ctrl-C during shutdown still interrupts.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType
from typing import Any


class InterruptLatch:
    """Remembers a SIGINT until :meth:`check` raises it."""

    def __init__(self) -> None:
        self.pending = False

    def _on_sigint(self, signum: int, frame: FrameType | None) -> None:
        self.pending = True

    def check(self) -> None:
        """Raise ``KeyboardInterrupt`` if Ctrl-C arrived since the latch was set."""
        if self.pending:
            self.pending = False
            raise KeyboardInterrupt


@contextmanager
def deferred_interrupts() -> Iterator[InterruptLatch]:
    """Hold SIGINT in a latch for the duration of the block.

    Signal handlers can only be installed from the main thread; elsewhere (a batch run
    from a worker thread) the latch never fires and interrupts behave as before.
    """
    latch = InterruptLatch()
    if threading.current_thread() is not threading.main_thread():
        yield latch
        return
    previous: Any = signal.signal(signal.SIGINT, latch._on_sigint)
    try:
        yield latch
    finally:
        signal.signal(signal.SIGINT, previous)
        latch.check()  # a Ctrl-C that came after the last check is not lost
