"""A log that verifies can be replayed: fuzzed field values in resealed logs.

A forger (or a buggy tool) can change any value in ``data`` and recompute the whole
chain; the hashes then prove nothing, so decoding itself must refuse every value of
the wrong type or range. Each example mutates one field of one line of a real log,
reseals it, and runs ``negsim verify`` and then ``negsim replay`` through the CLI's
own entry point: each may refuse the log (exit 1 or 2, one line), but neither may
crash (exit 70), and whatever verifies must replay.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

import orjson
import pytest
from hypothesis import given
from hypothesis import strategies as st

from sim.engine import simulate
from sim.scenario import load_scenario
from tests import strategies as gen
from tests.cli_helpers import run_cli
from tests.logs import partnership_log, reseal


def _real_logs() -> list[bytes]:
    conditions = simulate(load_scenario("msft-openai", ["regulators.eu.strictness=1"]), 3)
    return [partnership_log(), conditions.log_bytes()]


LOGS = _real_logs()

# Values a forger might write: any JSON, and the edge cases that broke decoders before.
EDGE_VALUES = st.sampled_from(
    [1e308, -1e308, 2**64, -1, 3.5, "", "\u0000", [], {}, None, True, "x" * 300, [[1, 2]]]
)
VALUES = st.one_of(EDGE_VALUES, gen.json_values)


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every path to a value inside ``data`` (dict keys and list indices)."""
    paths = [prefix] if prefix else []
    if isinstance(value, dict):
        for key, item in value.items():
            paths += _paths(item, (*prefix, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            paths += _paths(item, (*prefix, index))
    return paths


def _set(data: Any, path: tuple[Any, ...], value: Any) -> Any:
    if not path:
        return value
    head, rest = path[0], path[1:]
    copy = dict(data) if isinstance(data, dict) else list(data)
    copy[head] = _set(data[head], rest, value)
    return copy


@st.composite
def mutated_logs(draw: st.DrawFn) -> bytes:
    lines = draw(st.sampled_from(LOGS)).splitlines()
    index = draw(st.integers(0, len(lines) - 1))
    envelope = orjson.loads(lines[index])
    paths = _paths(envelope["data"])
    if paths and draw(st.booleans()):
        path = draw(st.sampled_from(paths))
        envelope["data"] = _set(envelope["data"], path, draw(VALUES))
    else:  # a new key, unknown to the event's schema, or a field removed
        key = draw(st.sampled_from(["extra", *envelope["data"]]))
        if key in envelope["data"] and draw(st.booleans()):
            del envelope["data"][key]
        else:
            envelope["data"][key] = draw(VALUES)
    # The standard library writes integers of any size, as a forger's tool might.
    fields = {k: envelope[k] for k in ("seq", "t", "type", "v", "data", "prev")}
    body = json.dumps(fields, separators=(",", ":"), ensure_ascii=False).encode()
    lines[index] = body[:-1] + b',"hash":"' + b"0" * 64 + b'"}'
    return reseal(lines)


@gen.cli_settings(60)
@given(mutated_logs())
def test_no_resealed_field_mutation_crashes_verify_or_replay(
    capsys: pytest.CaptureFixture[str], data: bytes
) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "forged.jsonl"
        path.write_bytes(data)
        verified = run_cli(capsys, ["verify", str(path)])
        assert verified.code in (0, 1, 2), verified.err
        replayed = run_cli(capsys, ["replay", str(path), "--json"])
        assert replayed.code != 70, replayed.err
        if verified.code == 0:
            assert replayed.code == 0, replayed.err
        else:
            assert len(verified.err.strip().splitlines()) == 1


@pytest.mark.parametrize(
    ("line", "old", "new"),
    [
        # F1: an offer's terms as a string (AttributeError in the decoder, exit 70).
        (5, b'"terms":{"issues":', b'"terms":"yes","x":{"issues":'),
        # F3/F4: a regulator that is not a string.
        (13, b'"regulator":"uk-cma"', b'"regulator":3.5'),
        (13, b'"regulator":"uk-cma"', b'"regulator":[]'),
        # a due date far beyond the calendar
        (13, b'"due":90.0', b'"due":1e308'),
        # a clause parameter of the wrong type
        (12, b'"share":0.3', b'"share":"most"'),
    ],
)
def test_the_reported_reproducers_are_tampering(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, line: int, old: bytes, new: bytes
) -> None:
    lines = partnership_log().splitlines()
    assert old in lines[line], lines[line]
    lines[line] = lines[line].replace(old, new)
    path = tmp_path / "forged.jsonl"
    path.write_bytes(reseal(lines))
    for command in (["verify", str(path)], ["replay", str(path)]):
        result = run_cli(capsys, command)
        assert result.code == 1, result.err
        assert result.err.startswith("negsim: error:") and f"line {line + 1}" in result.err
