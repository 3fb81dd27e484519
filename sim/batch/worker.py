"""What a worker process does: run one chunk of a batch and hand back finished runs.

Imported by pool workers (and preloaded by the forkserver), so it stays small: the
engine, the summary, the store's packing. Workers never touch the store; they return
:class:`~sim.batch.store.PackedRun` values (summary row, digest, event count and
the zlib-compressed log) and the parent, the only writer, inserts them.
"""

from __future__ import annotations

import os
import signal
import threading
import time
from pathlib import Path
from typing import Any

import attrs

from sim.batch.plan import column_value
from sim.batch.store import PackedRun, RunRecord, pack_run
from sim.engine import simulate
from sim.scenario import Scenario
from sim.seeding import RunSeed

# Re-exported so `pickle` finds the names workers return under one module.
__all__ = ["Chunk", "PackedRun", "ignore_interrupts", "init_worker", "run_chunk"]


@attrs.frozen
class Chunk:
    """A task: some runs of one grid cell (their indices and seeds)."""

    scenario: Scenario
    runs: tuple[tuple[int, str], ...]  # (run index, seed "S:i")
    param_keys: tuple[str, ...]
    sweep: tuple[tuple[str, Any], ...]  # (column, value) of the cell
    kinds: tuple[tuple[str, str], ...]  # every summary column and its SQL type, in order
    keep_log: bool = True


def run_chunk(chunk: Chunk) -> list[PackedRun]:
    """Run every run of ``chunk``; without ``keep_log`` the log is dropped (``log_z=b""``)."""
    out: list[PackedRun] = []
    sweep = dict(chunk.sweep)
    kinds = chunk.kinds
    for run, seed in chunk.runs:
        result = simulate(chunk.scenario, RunSeed.parse(seed))
        summary = result.summary
        drawn = result.drawn
        row: dict[str, Any] = {}
        for name, kind in kinds:
            if name.startswith("param_"):
                value = drawn.get(name[len("param_") :])
            elif name in sweep:
                value = sweep[name]
            else:
                value = summary[name]
            row[name] = column_value(kind, value)
        params = {
            "drawn": {key: drawn[key] for key in sorted(drawn)},
            "sweep": {name[len("sweep_") :]: value for name, value in chunk.sweep},
        }
        events = len(result.records)
        if chunk.keep_log:
            record = RunRecord(run, seed, params, row, result.digest, events, result.log_bytes())
            out.append(pack_run(record))
        else:
            out.append(PackedRun(run, seed, params, row, result.digest, events, b""))
    return out


def init_worker(parent: int) -> None:
    """Pool worker set-up: leave Ctrl-C to the parent, and exit if the parent dies.

    SIGINT reaches the whole foreground process group; the parent handles it (stops
    submitting, keeps what is stored), so workers ignore it. A parent killed with
    SIGKILL cannot shut its pool down, so each worker watches it and exits.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    threading.Thread(target=_watch_parent, args=(parent, os.getppid()), daemon=True).start()


def ignore_interrupts() -> None:
    """Leave Ctrl-C to the parent (for the processes of a Dask LocalCluster we started)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _watch_parent(parent: int, ppid: int) -> None:
    while True:
        time.sleep(0.25)
        if os.getppid() != ppid:  # our direct parent (pool owner or forkserver) died
            os._exit(1)
        if not _running(parent):
            os._exit(1)


def _running(pid: int) -> bool:
    """Whether ``pid`` is alive: a zombie (dead, not yet reaped by its own parent) is not."""
    try:
        os.kill(pid, 0)
    except (ProcessLookupError, PermissionError):  # gone, or the pid went to another user
        return False
    try:
        state = Path(f"/proc/{pid}/stat").read_bytes().rsplit(b")", 1)[1].split()[0]
    except (OSError, IndexError):  # no /proc (not Linux): kill(pid, 0) is all we know
        return True
    return state != b"Z"
