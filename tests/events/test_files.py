"""Result files: whole or not at all; terminals, pipes and devices written in place."""

from __future__ import annotations

import os
import stat
import threading
from pathlib import Path

import pytest

from events.errors import OutputError
from events.files import is_special, write_whole
from sim.table_file import write_table

DEV_FULL = Path("/dev/full")


def _read_fifo(path: Path, into: list[bytes]) -> threading.Thread:
    def read() -> None:
        with open(path, "rb") as fifo:
            into.append(fifo.read())

    thread = threading.Thread(target=read)
    thread.start()
    return thread


def test_a_regular_file_is_replaced_whole_and_no_temporary_is_left(tmp_path: Path) -> None:
    target = tmp_path / "deep" / "log.jsonl"
    write_whole(target, b"first\n", what="log")
    write_whole(target, b"second\n", what="log")
    assert target.read_bytes() == b"second\n"
    assert sorted(p.name for p in target.parent.iterdir()) == ["log.jsonl"]
    assert not is_special(target) and not is_special(tmp_path / "missing")


def test_a_directory_in_the_way_is_an_output_error_and_nothing_is_left(tmp_path: Path) -> None:
    (tmp_path / "x.png").mkdir()
    with pytest.raises(OutputError, match=r"x\.png: cannot write image: "):
        write_whole(tmp_path / "x.png", b"data", what="image")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["x.png"]


def test_a_named_pipe_is_written_in_place_and_stays_a_pipe(tmp_path: Path) -> None:
    fifo = tmp_path / "out.jsonl"
    os.mkfifo(fifo)
    got: list[bytes] = []
    reader = _read_fifo(fifo, got)
    write_whole(fifo, b'{"seq":0}\n', what="log")
    reader.join(10)
    assert got == [b'{"seq":0}\n'] and stat.S_ISFIFO(os.stat(fifo).st_mode)

    table = tmp_path / "rows.csv"
    os.mkfifo(table)
    got.clear()
    reader = _read_fifo(table, got)
    write_table(table, ["run", "ok"], [{"run": 0, "ok": True}])
    reader.join(10)
    assert got == [b"run,ok\r\n0,true\r\n"] and stat.S_ISFIFO(os.stat(table).st_mode)


@pytest.mark.skipif(not DEV_FULL.exists(), reason="needs /dev/full (Linux)")
def test_a_full_device_gives_the_disk_full_error_and_is_not_replaced(tmp_path: Path) -> None:
    with pytest.raises(OutputError, match="/dev/full: cannot write log: No space left"):
        write_whole(DEV_FULL, b"x" * 100_000, what="log")
    table = tmp_path / "rows.csv"
    table.symlink_to(DEV_FULL)  # as a user's `--out rows.csv` on a full disk would see it
    with pytest.raises(OutputError, match=r"rows\.csv: cannot write results: No space left"):
        write_table(table, ["run"], [{"run": i} for i in range(100_000)])
    assert stat.S_ISCHR(os.stat(DEV_FULL).st_mode) and table.is_symlink()  # none replaced
