"""Writing a result file whole, or not at all; and in place when it is not a file.

A log, an image or a table is written to a temporary file beside the target, fsynced
and renamed over it, so that a full disk or a killed process never leaves half a result
under the requested name. A target that already exists and is not a regular file (a
terminal, ``/dev/stdout``, a named pipe, ``/dev/full``) cannot be replaced that way, and
must not be: renaming over ``/dev/stdout`` would replace the device (as root) instead
of writing to it. Such targets are written in place, and their write errors reported
just the same, except a closed pipe (``--out /dev/stdout | head``), which is no failure
of the disk: its ``BrokenPipeError`` goes up as it is, for the CLI's quiet exit 141.

A new file gets the permissions ``open()`` would give it, ``0o666 & ~umask``;
``mkstemp`` alone would leave every result ``-rw-------``.
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

from events.errors import OutputError

_UMASK_LOCK = threading.Lock()


def current_umask() -> int:
    """The process's umask (reading it means setting it; the lock keeps that atomic here)."""
    with _UMASK_LOCK:
        mask = os.umask(0o022)
        os.umask(mask)
    return mask


def is_special(path: str | os.PathLike[str]) -> bool:
    """Whether ``path`` exists and is not a regular file (after symlinks): write in place."""
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return False
    return not stat.S_ISREG(mode) and not stat.S_ISDIR(mode)


@contextmanager
def open_whole(
    path: str | os.PathLike[str], *, what: str, fsync: bool = True
) -> Iterator[BinaryIO]:
    """A binary handle whose bytes appear at ``path`` whole when the block ends, or not
    at all if it fails (a special file is written in place).

    Errors, the block's own ``OSError`` included, become one ``OutputError`` line:
    ``<path>: cannot write <what>: <reason>``.
    """
    target = Path(path)

    def failed(exc: OSError) -> OutputError:
        return OutputError(f"{target}: cannot write {what}: {exc.strerror or exc}")

    if not str(path) or target.is_dir():
        # Renaming over a directory fails with EISDIR or, for ".", EBUSY ("Device or
        # resource busy"), which names no cause a user would recognise.
        shown = repr(str(path)) if not str(path) else str(target)
        raise OutputError(f"{shown}: cannot write {what}: is a directory, not a file name")
    if is_special(target):
        try:
            with open(target, "wb") as out:
                yield out
        except BrokenPipeError:
            raise
        except OSError as exc:
            raise failed(exc) from None
        return
    try:
        parent = target.parent if str(target.parent) else Path(".")
        parent.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=parent)
    except OSError as exc:
        raise failed(exc) from None
    try:
        os.fchmod(fd, 0o666 & ~current_umask())
    except OSError as exc:
        os.close(fd)
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp_name)
        raise failed(exc) from None
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as out:
            yield out
            out.flush()
            if fsync:
                os.fsync(out.fileno())
        os.replace(tmp, target)
    except OSError as exc:
        raise failed(exc) from None
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()


def read_at_most(path: str | os.PathLike[str], limit: int) -> bytes:
    """The first ``limit + 1`` bytes of ``path`` at most: more than ``limit`` means "too
    big", and an endless file (``/dev/zero``) costs no more than that to find out."""
    with open(path, "rb") as handle:
        return handle.read(limit + 1)


def write_whole(
    path: str | os.PathLike[str], data: bytes, *, what: str, fsync: bool = True
) -> Path:
    """Write ``data`` to ``path`` through :func:`open_whole`."""
    with open_whole(path, what=what, fsync=fsync) as out:
        out.write(data)
    return Path(path)


__all__ = ["is_special", "open_whole", "read_at_most", "write_whole"]
