"""User-facing errors: each carries one line of text and the exit code the CLI uses.

Exit codes are a contract scripts rely on (see README, "Exit codes"):
1 = the thing checked is bad (a tampered or corrupt log), 2 = usage or input error,
3 = the environment failed us (a write: disk full, permission denied; a batch worker
process killed, e.g. by the out-of-memory killer, is ``sim.batch.errors.WorkerLostError``).
"""

from __future__ import annotations


class NegsimError(Exception):
    """Base class: an error a user can act on, shown as one line without traceback."""

    exit_code: int = 2

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class InputError(NegsimError):
    """Bad input: a missing file, an invalid scenario, a bad value. Exit code 2."""

    exit_code = 2


class IntegrityError(NegsimError):
    """A log (or store) failed its integrity check. Exit code 1."""

    exit_code = 1

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.line = line


class OutputError(NegsimError):
    """Writing a result failed (disk full, permission). Exit code 3."""

    exit_code = 3

