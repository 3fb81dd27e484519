"""Resealed-log fuzzing at the envelope level: ``verify`` means "replay will work".

A forger (or a bug, or a newer negsim) can change a log and recompute its whole hash
chain, so the chain no longer catches anything. What must still hold: ``negsim
verify`` gives 0, 1 or 2, never an internal error (70); and a log it accepts
replays (exit 0), through the CLI's own entry point, like any real log.

The mutations here touch the envelope and the structure (``seq``, ``t``, ``type``,
``v``, ``prev``, lines dropped, repeated, swapped, cut, blank, not objects, keys
missing or extra); the fields inside ``data`` are another test's business.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import orjson
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from events.model import EVENT_TYPES
from tests.cli_helpers import run_cli
from tests.logs import partnership_log

LINES = partnership_log().split(b"\n")[:-1]
_GENESIS = "0" * 64

any_json = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**63), max_value=2**63 - 1),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=8),
    st.lists(st.integers(min_value=-(2**63), max_value=2**63 - 1), max_size=2),
)
times = st.one_of(
    st.floats(allow_nan=False, allow_infinity=False),
    st.sampled_from([1e308, -1e308, 1e15, 95759.9, 95760.5, -12228.0, -12229.0, 2.0**53]),
    st.integers(min_value=-(2**63), max_value=2**63 - 1),
    any_json,
)
type_names = st.one_of(st.sampled_from(sorted(EVENT_TYPES)), st.text(max_size=12), any_json)
versions = st.one_of(st.integers(min_value=-3, max_value=12), any_json)


def _fields(line: bytes) -> dict[str, Any]:
    obj = orjson.loads(line)
    assert isinstance(obj, dict)
    return obj


def _line(obj: dict[str, Any]) -> bytes:
    """Canonical line bytes, keys in envelope order, ``data`` keys sorted, no spaces."""
    head = {key: obj[key] for key in ("seq", "t", "type", "v") if key in obj}
    body = orjson.dumps(head)[:-1]
    rest = b""
    if "data" in obj:
        rest += b',"data":' + orjson.dumps(obj["data"], option=orjson.OPT_SORT_KEYS)
    for key, value in obj.items():
        if key not in ("seq", "t", "type", "v", "data", "prev", "hash"):
            rest += b"," + orjson.dumps(key) + b":" + orjson.dumps(value)
    rest += b',"prev":"' + str(obj.get("prev", _GENESIS)).encode() + b'"'
    return body + rest + b',"hash":""}'


def _seal(line: bytes, prev: str) -> bytes:
    """The line with ``prev`` set and its own ``hash`` recomputed (the codec's format)."""
    head = line[: line.rindex(b',"prev":"')] + b',"prev":"' + prev.encode() + b'"'
    return head + b',"hash":"' + hashlib.sha256(head + b"}").hexdigest().encode() + b'"}'


def _chain(lines: list[bytes]) -> bytes:
    """Re-chain and re-seal every line that has a ``prev`` (as a forger would); a line
    without one (blank, not an object) is kept, and the chain runs on over its bytes."""
    out = []
    prev = _GENESIS
    for line in lines:
        if b',"prev":"' in line and line.endswith(b'"}'):
            line = _seal(line, prev)
        out.append(line + b"\n")
        prev = hashlib.sha256(line).hexdigest()
    return b"".join(out)


@st.composite
def mutated_logs(draw: st.DrawFn) -> bytes:
    lines = list(LINES)
    index = draw(st.integers(min_value=0, max_value=len(lines) - 1))
    kind = draw(
        st.sampled_from(
            [
                "seq",
                "t",
                "type",
                "v",
                "prev",
                "drop",
                "repeat",
                "swap",
                "cut",
                "blank",
                "not-object",
                "missing-key",
                "extra-key",
                "t-all",
            ]
        )
    )
    obj = _fields(lines[index])
    if kind in ("seq", "t", "type", "v"):
        obj[kind] = draw({"seq": any_json, "t": times, "type": type_names, "v": versions}[kind])
        lines[index] = _line(obj)
        return _chain(lines)
    if kind == "t-all":  # shift every time by one amount: the order stays, the range may not
        shift = draw(st.floats(min_value=-1e6, max_value=1e6, allow_nan=False))
        for i, line in enumerate(lines):
            moved = _fields(line)
            moved["t"] = moved["t"] + shift
            lines[i] = _line(moved)
        return _chain(lines)
    if kind == "prev":  # a wrong prev under a good seal of its own
        sealed = _chain(lines).split(b"\n")[:-1]
        sealed[index] = _seal(sealed[index], draw(st.sampled_from(["f" * 64, "x", ""])))
        return b"".join(line + b"\n" for line in sealed)
    if kind == "drop":
        del lines[index]
    elif kind == "repeat":
        lines.insert(index, lines[index])
    elif kind == "swap":
        other = draw(st.integers(min_value=0, max_value=len(lines) - 1))
        lines[index], lines[other] = lines[other], lines[index]
    elif kind == "cut":  # cut after `index` and append the RunEnded, renumbered
        ended = _fields(lines[-1])
        lines = lines[: index + 1]
        ended["seq"] = len(lines)
        ended["t"] = max(ended["t"], _fields(lines[-1])["t"])
        lines.append(_line(ended))
    elif kind == "blank":
        lines.insert(index + 1, b"")
    elif kind == "not-object":
        lines[index] = draw(st.sampled_from([b"[]", b"1", b'"x"', b"null"]))
    elif kind == "missing-key":
        key = draw(st.sampled_from(["seq", "t", "type", "v", "data"]))
        obj.pop(key)
        lines[index] = _line(obj)
    else:  # extra-key
        obj[draw(st.sampled_from(["extra", "Seq", "hash2"]))] = draw(any_json)
        lines[index] = _line(obj)
    return _chain(lines)


# The budget is the profile's (60 examples by default, ~2 s; HYPOTHESIS_PROFILE=thorough
# for 2,000).
@settings(
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=mutated_logs())
def test_a_resealed_log_verifies_and_replays_or_is_refused_in_one_line(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, data: bytes
) -> None:
    path = tmp_path / "forged.jsonl"
    path.write_bytes(data)
    verified = run_cli(capsys, ["verify", str(path)])
    event(f"verify exit {verified.code}")
    assert verified.code in (0, 1, 2), verified.err
    if verified.code:
        assert verified.err.startswith("negsim: error: ") and verified.err.count("\n") == 1
        return
    for args in (["replay", str(path)], ["replay", str(path), "--json"]):
        replayed = run_cli(capsys, args)
        assert replayed.code == 0, (args, replayed.err)


def test_the_fuzzer_reseals_well_enough_to_reach_replay(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """A mutation the checks cannot object to (t of one event moved within its
    neighbours) verifies after resealing: the fuzz test reaches replay at all."""
    lines = list(LINES)
    obj = _fields(lines[5])
    before, after = _fields(lines[4])["t"], _fields(lines[6])["t"]
    obj["t"] = (before + after) / 2
    lines[5] = _line(obj)
    path = tmp_path / "moved.jsonl"
    path.write_bytes(_chain(lines))
    assert run_cli(capsys, ["verify", str(path)]).code == 0
    assert run_cli(capsys, ["replay", str(path)]).code == 0
