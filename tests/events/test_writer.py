"""Writing logs: ``JsonlLog`` (append-only file) and ``MemoryLog`` agree byte for byte."""

from __future__ import annotations

import hashlib
import math
import tempfile
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from events.errors import InputError, IntegrityError
from events.model import Event, OfferRejected, ReviewOpened, RunEnded
from events.verify import verify_file
from events.writer import JsonlLog, MemoryLog
from tests import strategies as gen
from tests.logs import PARTNERSHIP, build_log, partnership_log


def write(path: Path, pairs: list[tuple[float, Event]]) -> None:
    with JsonlLog(path) as log:
        for t, event in pairs:
            log.append(t, event)


def test_append_then_verify(tmp_path: Path) -> None:
    path = tmp_path / "run.jsonl"
    with JsonlLog(path) as log:
        for seq, (t, event) in enumerate(PARTNERSHIP):
            assert log.append(t, event) == seq
        digest = log.digest
    verified = verify_file(path)
    assert [r.event for r in verified.records] == [event for _, event in PARTNERSHIP]
    last_line = path.read_bytes().split(b"\n")[-2]
    assert digest == verified.digest == hashlib.sha256(last_line).hexdigest()


def test_file_holds_exactly_the_memory_log_bytes(tmp_path: Path) -> None:
    path = tmp_path / "run.jsonl"
    write(path, PARTNERSHIP)
    memory = MemoryLog()
    for t, event in PARTNERSHIP:
        memory.append(t, event)
    assert path.read_bytes() == memory.to_bytes() == partnership_log()
    assert len(memory) == len(PARTNERSHIP)


def test_each_event_is_on_disk_once_appended(tmp_path: Path) -> None:
    path = tmp_path / "run.jsonl"
    with JsonlLog(path) as log:
        for count, (t, event) in enumerate(PARTNERSHIP[:5], start=1):
            log.append(t, event)
            assert path.read_bytes().count(b"\n") == count  # flushed per event


def test_reopening_an_unfinished_log_continues_the_chain(tmp_path: Path) -> None:
    path = tmp_path / "run.jsonl"
    write(path, PARTNERSHIP[:10])
    with JsonlLog(path) as log:
        assert log.seq == 10
        assert log.digest == hashlib.sha256(path.read_bytes().split(b"\n")[-2]).hexdigest()
        for seq, (t, event) in enumerate(PARTNERSHIP[10:], start=10):
            assert log.append(t, event) == seq
    assert path.read_bytes() == partnership_log()


@given(gen.event_sequences(max_middle=8), st.data())
def test_stopping_and_reopening_anywhere_gives_the_same_bytes(
    pairs: list[tuple[float, Event]], draw: st.DataObject
) -> None:
    cuts = sorted(draw.draw(st.lists(st.integers(1, len(pairs) - 1), max_size=3)))
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "run.jsonl"
        for a, b in zip([0, *cuts], [*cuts, len(pairs)], strict=True):
            write(path, pairs[a:b])
        assert path.read_bytes() == build_log(pairs)


def test_refuses_to_append_to_a_finished_log(tmp_path: Path) -> None:
    path = tmp_path / "run.jsonl"
    write(path, PARTNERSHIP)
    before = path.read_bytes()
    with pytest.raises(InputError, match="finished"):
        JsonlLog(path)
    assert path.read_bytes() == before


@pytest.mark.parametrize("where", [0, 1, 5, 9])
def test_refuses_to_append_to_a_tampered_log(tmp_path: Path, where: int) -> None:
    path = tmp_path / "run.jsonl"
    write(path, PARTNERSHIP[:10])
    lines = path.read_bytes().split(b"\n")
    lines[where] = lines[where].replace(b'"seq":', b'"seq": ', 1)
    tampered = b"\n".join(lines)
    path.write_bytes(tampered)
    with pytest.raises(IntegrityError, match=f"line {where + 1}"):
        JsonlLog(path)
    assert path.read_bytes() == tampered


def test_refuses_to_append_after_a_torn_line(tmp_path: Path) -> None:
    path = tmp_path / "run.jsonl"
    write(path, PARTNERSHIP[:10])
    torn = path.read_bytes() + b'{"seq":10,"t":8'
    path.write_bytes(torn)
    with pytest.raises(IntegrityError, match="torn"):
        JsonlLog(path)
    assert path.read_bytes() == torn


def test_time_going_backwards_is_refused_and_writes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "run.jsonl"
    with JsonlLog(path) as log:
        log.append(0.0, PARTNERSHIP[0][1])
        log.append(5.0, OfferRejected("openai", "microsoft", 0))
        size = path.stat().st_size
        with pytest.raises(ValueError, match="backwards"):
            log.append(4.0, RunEnded("horizon"))
        with pytest.raises(ValueError, match="finite"):
            log.append(math.inf, RunEnded("horizon"))
        assert path.stat().st_size == size
        assert log.append(5.0, RunEnded("horizon")) == 2  # same time is fine
    assert len(verify_file(path)) == 3


def test_a_reopened_log_refuses_time_before_its_last_event(tmp_path: Path) -> None:
    path = tmp_path / "run.jsonl"
    write(path, PARTNERSHIP[:10])
    with JsonlLog(path) as log, pytest.raises(ValueError, match="backwards"):
        log.append(PARTNERSHIP[9][0] - 1, RunEnded("horizon"))


# --- regressions: bugs found in events/ and fixed ---


def test_an_event_with_non_finite_data_is_refused_not_written() -> None:
    # Non-finite *times* were refused, but a non-finite float inside ``data`` was written
    # as JSON null: the writer produced a log that could never verify.
    log = MemoryLog()
    log.append(0.0, PARTNERSHIP[0][1])
    with pytest.raises(ValueError):
        log.append(1.0, ReviewOpened("uk-cma", "ms-oai-ext", math.inf))


def test_an_empty_file_left_by_a_crash_before_the_first_append_starts_afresh(
    tmp_path: Path,
) -> None:
    path = tmp_path / "run.jsonl"
    path.write_bytes(b"")
    with JsonlLog(path) as log:
        for t, event in PARTNERSHIP:
            log.append(t, event)
    memory = MemoryLog()
    for t, event in PARTNERSHIP:
        memory.append(t, event)
    assert path.read_bytes() == memory.to_bytes()
