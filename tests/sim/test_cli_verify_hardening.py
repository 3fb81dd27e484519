"""Issue 14's log reproducers: each a one-line error with its documented exit code.

F2 (a time beyond the calendar), F9 (endless or binary input), F12 (forgeries only a
trusted digest catches), F13 (logs of a newer negsim), and the misleading message
for a blank line after ``RunEnded``.
"""

from __future__ import annotations

import hashlib
import sqlite3
import zlib
from pathlib import Path

import orjson
import pytest

from events._version import SCHEMA_VERSION
from events.calendar import time_range
from events.verify import MAX_LINE, LogFaultError, read_log_bytes
from sim.engine import simulate
from sim.scenario import load_scenario
from tests.cli_helpers import assert_one_line_error, run_cli
from tests.logs import START_DATE, partnership_log, reseal

DATA = partnership_log()
LINES = DATA.split(b"\n")[:-1]
DIGEST = hashlib.sha256(LINES[-1]).hexdigest()


def _fields(line: bytes) -> dict[str, object]:
    obj = orjson.loads(line)
    assert isinstance(obj, dict)
    return obj


def _with(line: bytes, **changes: object) -> bytes:
    """``line`` with envelope values changed, in canonical byte form (unsealed)."""
    obj = _fields(line) | changes
    body = orjson.dumps({k: obj[k] for k in ("seq", "t", "type", "v")})[:-1]
    data = orjson.dumps(obj["data"], option=orjson.OPT_SORT_KEYS)
    return body + b',"data":' + data + b',"prev":"' + str(obj["prev"]).encode() + b'","hash":""}'


def _write(tmp_path: Path, data: bytes, name: str = "log.jsonl") -> str:
    path = tmp_path / name
    path.write_bytes(data)
    return str(path)


# --- F2: a time must fall on the calendar ---------------------------------------------


@pytest.mark.parametrize("t", [1e308, -1e308, 1e15, 95760.5])
def test_a_time_beyond_the_calendar_fails_verify_replay_and_plot(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, t: float
) -> None:
    lines = list(LINES)
    index = len(lines) - 2 if t > 0 else 1
    lines[index] = _with(lines[index], t=t)
    if t > 0:  # the times after it must not go backwards: move RunEnded too
        lines[-1] = _with(lines[-1], t=t)
    path = _write(tmp_path, reseal(lines))
    for command in (["verify", path], ["replay", path], ["plot", path, "--out", "x.png"]):
        result = run_cli(capsys, command)
        line = index + 1
        assert_one_line_error(result, 1, f"line {line}: t is", "outside the calendar")


def test_the_last_time_on_the_calendar_still_replays(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """The range is the calendar's, not narrower: its last day replays and shows as a date."""
    import datetime as dt

    last = time_range(dt.date.fromisoformat(START_DATE))[1]
    lines = list(LINES)
    lines[-1] = _with(lines[-1], t=last)
    path = _write(tmp_path, reseal(lines))
    assert run_cli(capsys, ["verify", path]).code == 0
    result = run_cli(capsys, ["replay", path, "--at", "9998-12-31", "--json"])
    assert result.code == 0, result.err
    assert orjson.loads(result.out)["date"] == "9998-12-31"


@pytest.mark.parametrize("end", ["first", "last"])
def test_a_run_at_the_calendars_ends_still_plots(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, end: str
) -> None:
    """A plot pads its window; the padding must not fall off the calendar."""
    result = simulate(load_scenario("msft-openai"), 0)
    lines = result.log_bytes().split(b"\n")[:-1]
    first, last = time_range(result.scenario.start)
    if end == "first":
        lines = [_with(line, t=first) for line in lines]
    else:
        lines[-1] = _with(lines[-1], t=last)
    path = _write(tmp_path, reseal(lines))
    assert run_cli(capsys, ["verify", path]).code == 0
    plotted = run_cli(capsys, ["plot", path, "--out", str(tmp_path / "edge.png")])
    assert plotted.code == 0, plotted.err


def test_huge_numbers_in_the_json_are_a_bad_log(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    for old, new in ((b'"t":0.0', b'"t":1e400'), (b'{"seq":0', b'{"seq":' + b"9" * 30)):
        path = _write(tmp_path, DATA.replace(old, new, 1))
        assert_one_line_error(run_cli(capsys, ["verify", path]), 1, "line 1")


# --- F9: endless or binary input fails fast -------------------------------------------


@pytest.mark.parametrize(
    ("device", "needle"),
    [
        ("/dev/zero", "line 1: line longer than 16 MiB"),
        ("/dev/full", "line 1: line longer than 16 MiB"),
        ("/dev/urandom", 'line 1: not a log line (a log line begins {"seq":N,)'),
    ],
)
def test_an_endless_file_fails_fast(
    capsys: pytest.CaptureFixture[str], device: str, needle: str
) -> None:
    """No newline: the line cap stops it. Short lines forever: a stream's lines must
    begin as a log's do, so the first one that does not stops the reading."""
    if not Path(device).exists():  # pragma: no cover - not Linux
        pytest.skip(f"{device} missing")
    assert_one_line_error(run_cli(capsys, ["verify", device]), 1, device, needle)


def test_an_endless_pipe_of_log_like_lines_stops_at_the_first_wrong_seq() -> None:
    import subprocess
    import sys

    feeder = subprocess.Popen(
        ["sh", "-c", 'printf \'{"seq":0,\\n{"seq":1,\\n\'; yes \'{"seq":7,\''],
        stdout=subprocess.PIPE,
    )
    try:
        result = subprocess.run(
            [sys.executable, "-m", "sim", "verify", "/dev/stdin"],
            stdin=feeder.stdout,
            capture_output=True,
            text=True,
            timeout=120,
        )
    finally:
        feeder.kill()
        feeder.wait()
    assert result.returncode == 1
    assert result.stderr == (
        'negsim: error: /dev/stdin: line 3: not a log line (a log line begins {"seq":N,)\n'
    )


class _Trickle:
    """A stream handing over its bytes a few at a time, as a pipe may."""

    def __init__(self, data: bytes, piece: int) -> None:
        self.data, self.piece, self.at = data, piece, 0

    def read(self, size: int) -> bytes:
        chunk = self.data[self.at : self.at + min(size, self.piece)]
        self.at += len(chunk)
        return chunk


@pytest.mark.parametrize("piece", [1, 7, 4096])
def test_a_log_read_from_a_stream_in_pieces_is_whole(piece: int) -> None:
    from events.verify import _read_capped

    assert _read_capped(_Trickle(DATA, piece), "<pipe>", MAX_LINE, regular=False) == DATA
    short = b"".join(line + b"\n" for line in LINES[:3]) + b'{"seq":\n' + LINES[4] + b"\n"
    with pytest.raises(LogFaultError, match=r"<pipe>: line 4: not a log line"):
        _read_capped(_Trickle(short, piece), "<pipe>", MAX_LINE, regular=False)


def test_the_cap_counts_each_line_not_the_file(tmp_path: Path) -> None:
    ok = tmp_path / "ok"
    ok.write_bytes(b"x" * 10 + b"\n" + b"y" * 10 + b"\n")
    assert read_log_bytes(ok, max_line=10) == ok.read_bytes()
    for body, line in (
        (b"x" * 11, 1),
        (b"x\n" + b"y" * 11 + b"\n", 2),
        (b"x\n" * 3 + b"z" * 40, 4),
    ):
        bad = tmp_path / "bad"
        bad.write_bytes(body)
        with pytest.raises(LogFaultError, match=rf"line {line}: line longer than 10 bytes"):
            read_log_bytes(bad, max_line=10)
    assert MAX_LINE == 16 * 1024 * 1024


def test_a_line_over_the_cap_in_memory_is_a_fault() -> None:
    from events.verify import find_fault

    head = b"".join(line + b"\n" for line in LINES[:-1])
    fault = find_fault(head + b"x" * (MAX_LINE + 1) + b"\n")
    assert fault is not None and fault.line == len(LINES)
    assert "longer than 16 MiB" in fault.message


# --- the misleading message: a blank line after RunEnded ------------------------------


def test_a_blank_line_after_run_ended_is_named(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = _write(tmp_path, DATA + b"\n")
    result = run_cli(capsys, ["verify", path])
    assert_one_line_error(result, 1, f"line {len(LINES) + 1}: blank line after RunEnded")
    assert "must be the last event" not in result.err
    inside = _write(tmp_path, b"\n".join([*LINES[:3], b"", *LINES[3:]]) + b"\n", "inside.jsonl")
    assert_one_line_error(run_cli(capsys, ["verify", inside]), 1, "line 4: blank line")


# --- F12: forgeries pass the chain, not a trusted digest ------------------------------


def _rehashed() -> bytes:
    lines = list(LINES)
    lines[5] = lines[5].replace(b'"round":0', b'"round":9')
    return reseal(lines)


def _cut_and_resealed() -> bytes:
    lines = list(LINES[:10])
    lines.append(_with(LINES[-1], seq=10, t=_fields(lines[-1])["t"]))
    return reseal(lines)


@pytest.mark.parametrize("forge", [_rehashed, _cut_and_resealed])
def test_forgeries_verify_alone_but_not_against_the_trusted_digest(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, forge: object
) -> None:
    path = _write(tmp_path, forge())  # type: ignore[operator]
    assert run_cli(capsys, ["verify", path]).code == 0  # the chain alone cannot tell
    result = run_cli(capsys, ["verify", path, "--expect", DIGEST])
    assert_one_line_error(result, 1, path, f"is not the expected {DIGEST}")
    as_json = run_cli(capsys, ["verify", path, "--expect", DIGEST, "--json"])
    assert as_json.code == 1 and orjson.loads(as_json.out)["ok"] is False
    real = _write(tmp_path, DATA, "real.jsonl")
    ok = run_cli(capsys, ["verify", real, "--expect", DIGEST.upper()])
    assert ok.code == 0 and ok.out == f"ok: {len(LINES)} events, digest {DIGEST}, as expected\n"


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["--expect", "abc"], "--expect"),
        (["--store", "b.sqlite"], "--store and --run go together"),
        (["--run", "1"], "--store and --run go together"),
    ],
)
def test_bad_digest_flags_are_usage_errors(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, args: list[str], needle: str
) -> None:
    path = _write(tmp_path, DATA)
    assert_one_line_error(run_cli(capsys, ["verify", path, *args]), 2, needle)


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from sim.batch import run_batch
    from sim.batch.execution import Execution

    path = tmp_path_factory.mktemp("store") / "b.sqlite"
    run_batch("bilateral-demo", 3, seed=5, execution=Execution(workers=1), store=path)
    return path


def test_a_log_against_the_digest_its_batch_stored(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, store: Path
) -> None:
    exported = str(tmp_path / "r1.jsonl")
    assert (
        run_cli(capsys, ["export", "--store", str(store), "--run", "1", "--out", exported]).code
        == 0
    )
    ok = run_cli(capsys, ["verify", exported, "--store", str(store), "--run", "1"])
    assert ok.code == 0 and ok.out.endswith(", as expected\n")
    other = run_cli(capsys, ["verify", exported, "--store", str(store), "--run", "2"])
    assert_one_line_error(other, 1, exported, "is not the expected")
    missing = run_cli(capsys, ["verify", exported, "--store", str(store), "--run", "9"])
    assert_one_line_error(missing, 2, "no run 9")


def test_verify_a_whole_store(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, store: Path
) -> None:
    ok = run_cli(capsys, ["verify", str(store)])
    assert ok.code == 0, ok.err
    events = sum(
        simulate(load_scenario("bilateral-demo"), f"5:{i}").log_bytes().count(b"\n")
        for i in range(3)
    )
    assert ok.out == (
        f"ok: 3 runs, {events} events; every log verifies and matches its stored digest\n"
    )
    report = orjson.loads(run_cli(capsys, ["verify", str(store), "--json"]).out)
    assert report == {"ok": True, "runs": 3, "events": events, "bad": []}

    # Run 1: its log swapped for a resealed forgery, the stored digest left alone (the
    # forgery verifies on its own; the digest catches it). Run 2: a line changed
    # without resealing (its digest, of the last line, still matches; the chain does not).
    broken = tmp_path / "broken.sqlite"
    broken.write_bytes(store.read_bytes())
    with sqlite3.connect(broken) as db:
        blob = db.execute("SELECT log FROM runs WHERE run = 1").fetchone()[0]
        lines = zlib.decompress(blob).split(b"\n")[:-1]
        lines[3] = lines[3].replace(b'"round":', b'"round":1', 1)
        db.execute("UPDATE runs SET log = ? WHERE run = 1", (zlib.compress(reseal(lines)),))
        tampered = zlib.decompress(blob).split(b"\n")
        tampered[2] = tampered[2].replace(b'"t":', b'"t":1', 1)
        db.execute("UPDATE runs SET log = ? WHERE run = 2", (zlib.compress(b"\n".join(tampered)),))
    result = run_cli(capsys, ["verify", str(broken)])
    assert_one_line_error(result, 1, f"{broken}: run 1:", "(2 of 3 runs fail)")
    report = orjson.loads(run_cli(capsys, ["verify", str(broken), "--json"]).out)
    assert report["ok"] is False and [bad["run"] for bad in report["bad"]] == [1, 2]


def test_a_store_takes_no_log_flags(capsys: pytest.CaptureFixture[str], store: Path) -> None:
    result = run_cli(capsys, ["verify", str(store), "--expect", DIGEST])
    assert_one_line_error(result, 2, "is a batch store")


# --- F13: a newer negsim's log is unreadable (2), not tampered (1) ----------------------


def test_a_newer_schema_is_exit_2(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    lines = list(LINES)
    lines[0] = lines[0].replace(b'"schema":1', b'"schema":99', 1)
    path = _write(tmp_path, reseal(lines))
    result = run_cli(capsys, ["verify", path])
    assert_one_line_error(
        result,
        2,
        "line 1: schema 99",
        f"written by a newer negsim? this one reads schema <= {SCHEMA_VERSION}",
    )
    assert run_cli(capsys, ["replay", path]).code == 2


@pytest.mark.parametrize(
    ("type_name", "version", "code", "needle"),
    [
        ("OfferMadeWithReasons", 1, 2, "written by a newer negsim?"),
        ("OfferMade", 4, 2, "event OfferMade v4 is unknown here: written by a newer negsim?"),
        ("OfferMade", 0, 1, "unknown event type/version 'OfferMade' v0"),
        ("OfferMade", "2", 1, "unknown event type/version"),
    ],
)
def test_unknown_types_and_versions(
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    type_name: str,
    version: object,
    code: int,
    needle: str,
) -> None:
    lines = list(LINES)
    index = next(i for i, line in enumerate(lines) if b'"type":"OfferMade"' in line)
    lines[index] = _with(lines[index], type=type_name, v=version)
    path = _write(tmp_path, reseal(lines))
    result = run_cli(capsys, ["verify", path])
    assert_one_line_error(result, code, f"line {index + 1}: ", needle)
