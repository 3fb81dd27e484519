"""``sim.batch.background``: finished runs committed on a writer thread.

Every group handed over is committed by ``close``, in one transaction each; the
thread's first error reaches the parent and nothing after it is written; the queue
is bounded; and a batch stopped by a failing write still reports it.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from pathlib import Path

import pytest

from events.errors import InputError, OutputError
from sim.batch import run_batch
from sim.batch.background import BackgroundWriter
from sim.batch.execution import Execution
from sim.batch.store import BatchStore, PackedRun, RunRecord, pack_run
from sim.engine import simulate
from sim.scenario import load_scenario

COLUMNS = [("deal", "INTEGER")]


def _packed(run: int) -> PackedRun:
    result = simulate(load_scenario("bilateral-demo"), f"0:{run}")
    record = RunRecord(
        run, result.seed, {}, {"deal": 1}, result.digest, len(result.records), result.log_bytes()
    )
    return pack_run(record)


@pytest.fixture(scope="module")
def packed() -> list[PackedRun]:
    return [_packed(run) for run in range(6)]


def test_every_group_handed_over_is_committed_by_close(
    tmp_path: Path, packed: list[PackedRun]
) -> None:
    with BatchStore.create(tmp_path / "b.sqlite", {}, COLUMNS) as store:
        background = BackgroundWriter(store, depth=1)
        for group in (packed[:2], packed[2:3], packed[3:]):
            background.put(group)
        background.close()
        assert background.stored == 3
        assert store.run_ids() == [0, 1, 2, 3, 4, 5]
        for run in packed:
            assert store.row(run.run)["digest"] == run.digest
        background.close()  # idempotent


def test_the_threads_first_error_reaches_the_parent_and_stops_the_writing(
    tmp_path: Path, packed: list[PackedRun]
) -> None:
    with BatchStore.create(tmp_path / "b.sqlite", {}, COLUMNS) as store:
        background = BackgroundWriter(store)
        background.put(packed[:2])
        background.put([packed[1], packed[2]])  # run 1 again: the group fails whole
        background.put(packed[3:])  # after the error: never written
        with pytest.raises(InputError, match="run 1 is already stored"):
            background.close()
        assert store.run_ids() == [0, 1]
        background.close()  # the error was raised once


def test_an_error_is_raised_by_the_next_put(tmp_path: Path, packed: list[PackedRun]) -> None:
    with BatchStore.create(tmp_path / "b.sqlite", {}, COLUMNS) as store:
        background = BackgroundWriter(store)
        background.put(packed[:1])
        background.put(packed[:1])
        background.close(raise_error=False)  # waits, keeps the error for later
        with pytest.raises(InputError, match="run 0 is already stored"):
            background.put(packed[1:2])


class _Gated:
    """A store whose writes wait for a gate: shows how many groups may queue."""

    def __init__(self) -> None:
        self.gate = threading.Event()
        self.groups: list[Sequence[PackedRun]] = []

    def put_many(self, group: Sequence[PackedRun]) -> None:
        assert self.gate.wait(10)
        self.groups.append(group)


class _FailsFirst:
    """A store whose first write fails (a full disk); later writes are recorded."""

    def __init__(self) -> None:
        self.calls = 0
        self.written: list[Sequence[PackedRun]] = []

    def put_many(self, group: Sequence[PackedRun]) -> None:
        self.calls += 1
        if self.calls == 1:
            raise OSError("No space left on device")
        self.written.append(group)


def test_nothing_is_written_after_an_error_even_once_it_was_raised(
    packed: list[PackedRun],
) -> None:
    """The parent may catch the error a ``put`` raised and hand more over (as a
    caller that reports and carries on would): none of it reaches the store."""
    store = _FailsFirst()
    background = BackgroundWriter(store, depth=1)  # type: ignore[arg-type]
    raised = 0
    for run in packed:
        try:
            background.put([run])
        except OSError:
            raised += 1
    try:
        background.close()
    except OSError:
        raised += 1
    assert raised == 1
    assert store.written == []


def test_the_queue_is_bounded(packed: list[PackedRun]) -> None:
    store = _Gated()
    background = BackgroundWriter(store, depth=2)  # type: ignore[arg-type]
    handed = []

    def parent() -> None:
        for run in packed[:5]:
            background.put([run])
            handed.append(run.run)

    thread = threading.Thread(target=parent, daemon=True)
    thread.start()
    thread.join(1.0)
    # One group being written (held at the gate) and two queued: the fourth waits.
    assert handed == [0, 1, 2]
    store.gate.set()
    thread.join(10)
    background.close()
    assert [group[0].run for group in store.groups] == [0, 1, 2, 3, 4]


def test_a_batch_whose_store_cannot_be_written_fails_with_an_output_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A failure on the writer thread (here: the disk full once a group holds run 20
    or later) still ends the batch with the store's one-line OutputError, and the
    store holds exactly the groups committed before it."""
    committed: list[int] = []
    real = BatchStore.put_many

    def failing(self: BatchStore, rows: Sequence[PackedRun]) -> None:
        if any(row.run >= 20 for row in rows):
            raise OutputError(f"{self.path}: cannot write batch store (database or disk is full)")
        real(self, rows)
        committed.extend(row.run for row in rows)

    monkeypatch.setattr(BatchStore, "put_many", failing)
    path = tmp_path / "b.sqlite"
    with pytest.raises(OutputError, match="cannot write batch store"):
        run_batch("msft-openai", 40, execution=Execution(workers=2, chunk_size=2), store=path)
    if committed:
        with BatchStore.open(path) as store:
            assert store.run_ids() == sorted(committed)
    else:  # the first group failed: a store that never held a run is removed
        assert not path.exists()
