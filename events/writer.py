"""Writing a hash-chained log: to memory (batches) or to an append-only file.

``ChainWriter`` owns the chain (seq, last time, previous line's hash) and encodes;
``MemoryLog`` keeps the lines in RAM; ``JsonlLog`` appends them to a file, flushed
per event, with a configurable fsync policy, and refuses to extend a log whose chain
does not verify.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import IO, Literal

from events.codec import GENESIS, encode_line_hashed
from events.errors import InputError, IntegrityError, OutputError
from events.files import write_whole
from events.model import Event, RunEnded

FsyncPolicy = Literal["never", "close", "event"]


class ChainWriter:
    """Encodes events into chained lines and hands each line to ``emit``."""

    __slots__ = ("_emit", "last_line", "last_t", "prev", "seq")

    def __init__(self, emit: object, *, seq: int = 0, prev: str = GENESIS, last_t: float = 0.0):
        self._emit = emit
        self.seq = seq
        self.prev = prev
        self.last_t = last_t
        self.last_line: bytes | None = None

    def append(self, t: float, event: Event) -> int:
        """Record ``event`` at simulated time ``t``; returns its seq."""
        if t < self.last_t:
            raise ValueError(f"time went backwards: {t} after {self.last_t}")
        seq = self.seq
        line, line_hash = encode_line_hashed(seq, t, event, self.prev)
        self._emit(line)  # type: ignore[operator]
        self.prev = line_hash
        self.last_line = line
        self.last_t = t
        self.seq = seq + 1
        return seq

    @property
    def digest(self) -> str:
        """SHA-256 of the last line: the digest of the log so far."""
        return self.prev


class MemoryLog:
    """A log kept in memory; ``to_bytes()`` gives exactly what a file would hold."""

    def __init__(self) -> None:
        self.lines: list[bytes] = []
        self._chain = ChainWriter(self.lines.append)
        # The engine appends every event through here: skip one call layer.
        self.append = self._chain.append  # type: ignore[method-assign]

    def append(self, t: float, event: Event) -> int:
        """Record ``event`` at simulated time ``t``; returns its seq."""
        return self._chain.append(t, event)

    @property
    def digest(self) -> str:
        return self._chain.digest

    def __len__(self) -> int:
        return len(self.lines)

    def to_bytes(self) -> bytes:
        return b"".join(line + b"\n" for line in self.lines)


class JsonlLog:
    """An append-only JSONL log file.

    Opening an existing file verifies it first: a log whose chain does not verify,
    has a torn last line, or is already finished (ends with ``RunEnded``) is refused.
    """

    def __init__(self, path: str | os.PathLike[str], *, fsync: FsyncPolicy = "never") -> None:
        from events.verify import verify_bytes

        self.path = Path(path)
        self.fsync = fsync
        seq, prev, last_t = 0, GENESIS, 0.0
        existing = self.path.read_bytes() if self.path.exists() else b""
        if existing:  # an empty file (a crash before the first append) starts afresh
            result = verify_bytes(existing, name=str(self.path), require_end=False)
            if result.records:
                last = result.records[-1]
                if isinstance(last.event, RunEnded):
                    raise InputError(f"{self.path}: log is finished (ends with RunEnded)")
                seq, prev, last_t = last.seq + 1, result.digest, last.t
        try:
            self._file: IO[bytes] = open(self.path, "ab")  # noqa: SIM115 - lives with the log
        except OSError as exc:
            raise OutputError(f"{self.path}: cannot open for writing: {exc.strerror}") from None
        self._chain = ChainWriter(self._write, seq=seq, prev=prev, last_t=last_t)

    def _write(self, line: bytes) -> None:
        try:
            self._file.write(line + b"\n")
            self._file.flush()
            if self.fsync == "event":
                os.fsync(self._file.fileno())
        except OSError as exc:
            raise OutputError(f"{self.path}: cannot write: {exc.strerror}") from None

    def append(self, t: float, event: Event) -> int:
        return self._chain.append(t, event)

    @property
    def digest(self) -> str:
        return self._chain.digest

    @property
    def seq(self) -> int:
        return self._chain.seq

    def close(self) -> None:
        if self._file.closed:
            return
        try:
            self._file.flush()
            if self.fsync in ("close", "event"):
                os.fsync(self._file.fileno())
        except OSError as exc:
            raise OutputError(f"{self.path}: cannot write: {exc.strerror}") from None
        finally:
            self._file.close()

    def __enter__(self) -> JsonlLog:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def write_log(path: str | os.PathLike[str], data: bytes) -> None:
    """Write a whole log atomically: a temp file renamed into place, never half a log
    (a terminal, pipe or device is written in place; see :mod:`events.files`)."""
    write_whole(path, data, what="log")


__all__ = ["ChainWriter", "FsyncPolicy", "IntegrityError", "JsonlLog", "MemoryLog", "write_log"]
