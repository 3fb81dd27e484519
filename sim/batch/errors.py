"""The error a batch raises when one of its worker processes dies.

It is a batch concept (only ``sim.batch``'s executors can lose a worker), so it lives
here rather than with the input and integrity errors of ``events.errors``, which it
extends: the CLI shows it as one line, with exit code 3.
"""

from __future__ import annotations

from events.errors import NegsimError


class WorkerLostError(NegsimError):
    """A batch worker process died (killed, out of memory). Exit code 3.

    Nothing was wrong with the input, and what was stored before stays stored: the
    batch can be resumed.
    """

    exit_code = 3


__all__ = ["WorkerLostError"]
