"""The canonical line format (``events/codec.py``), checked from first principles.

Expected bytes are written out literally; hashes are recomputed here with hashlib
over those literal bytes, following the format documented in the codec's docstring.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

import orjson
import pytest
from hypothesis import Phase, find, given, settings

from events.codec import GENESIS, decode_event, encode_line, line_seal_ok
from events.model import EVENT_TYPES, Event, OfferMade, OfferRejected, RunStarted
from events.terms import Outcome
from events.verify import verify_bytes
from tests import strategies as gen
from tests.logs import build_log, partnership_log

PREV = "ab" * 32
ROOT = Path(__file__).resolve().parents[2]


def sealed(body: bytes) -> bytes:
    """A line from its body (everything before ``,"hash"``), sealed per the format."""
    seal = hashlib.sha256(body + b"}").hexdigest().encode()
    return body + b',"hash":"' + seal + b'"}'


def decode_line(line: bytes) -> Event:
    obj = orjson.loads(line)
    return decode_event(obj["type"], obj["v"], obj["data"])


def test_known_event_has_these_exact_bytes() -> None:
    body = (
        b'{"seq":5,"t":2.5,"type":"OfferRejected","v":1,'
        b'"data":{"offer_seq":3,"receiver":"openai","sender":"microsoft"},'
        b'"prev":"' + PREV.encode() + b'"'
    )
    line = encode_line(5, 2.5, OfferRejected("microsoft", "openai", 3), PREV)
    assert line == sealed(body)
    obj = orjson.loads(line)
    assert list(obj) == ["seq", "t", "type", "v", "data", "prev", "hash"]
    assert obj["seq"] == 5 and obj["t"] == 2.5 and obj["type"] == "OfferRejected"
    assert obj["v"] == 1 and obj["prev"] == PREV
    assert obj["data"] == {"sender": "microsoft", "receiver": "openai", "offer_seq": 3}
    # The seal is the SHA-256 of the line without its trailing ',"hash":"..."'.
    assert obj["hash"] == hashlib.sha256(body + b"}").hexdigest()
    assert b" " not in line and b"\n" not in line


def test_offer_keys_are_sorted_and_issues_kept_in_scenario_order() -> None:
    terms = Outcome((("term_end", 2034), ("ip_expiry", "term"), ("equity", 0.3), ("cash", 5)))
    line = encode_line(9, 80, OfferMade("microsoft", "openai", terms, 7, 2), GENESIS)
    body = (
        b'{"seq":9,"t":80.0,"type":"OfferMade","v":3,"data":{"receiver":"openai",'
        b'"reply_to":7,"round":2,"sender":"microsoft","terms":{"issues":[["term_end",2034],'
        b'["ip_expiry","term"],["equity",0.3],["cash",5]]}},"prev":"' + b"0" * 64 + b'"'
    )
    assert line == sealed(body)


def test_integer_and_float_times_give_the_same_bytes() -> None:
    event = OfferRejected("openai", "microsoft", 0)
    assert encode_line(1, 3, event, PREV) == encode_line(1, 3.0, event, PREV)


def test_dict_insertion_order_does_not_change_bytes() -> None:
    def started(scenario: dict[str, object]) -> RunStarted:
        return RunStarted(scenario, "1", 1, "0.1.0", "2019-01-01")

    a = encode_line(0, 0, started({"b": 1, "a": {"y": 2, "x": 3}}), GENESIS)
    b = encode_line(0, 0, started({"a": {"x": 3, "y": 2}, "b": 1}), GENESIS)
    assert a == b
    assert b'"scenario":{"a":{"x":3,"y":2},"b":1}' in a


def test_same_log_bytes_in_other_processes_with_other_hash_seeds() -> None:
    expected = hashlib.sha256(partnership_log()).hexdigest()
    script = (
        "import hashlib; from tests.logs import partnership_log; "
        "print(hashlib.sha256(partnership_log()).hexdigest())"
    )
    for seed in ("1", "4242"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        out = subprocess.run(
            [sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT, env=env
        )
        assert out.returncode == 0, out.stderr
        assert out.stdout.strip() == expected


@given(gen.any_event(), gen.seqs, gen.st.floats(0, 1e6, allow_nan=False))
def test_decode_of_encode_is_identity_for_every_event_type(
    event: Event, seq: int, t: float
) -> None:
    line = encode_line(seq, t, event, PREV)
    assert decode_line(line) == event
    assert line_seal_ok(line)
    obj = orjson.loads(line)
    assert (obj["seq"], obj["t"], obj["type"], obj["v"]) == (seq, t, event.TYPE, event.VERSION)
    body = line[: line.rindex(b',"hash":"')]
    assert obj["hash"] == hashlib.sha256(body + b"}").hexdigest()


@settings(max_examples=300)
@given(gen.any_event())
def test_data_is_the_sorted_json_of_to_data_for_every_event_type(event: Event) -> None:
    """The encoder writes some classes' data without building ``to_data``'s dict;
    the bytes must be those of its definition all the same."""
    line = encode_line(7, 2.5, event, PREV)
    data = line[line.index(b',"data":') + len(b',"data":') : line.rindex(b',"prev":"')]
    assert data == orjson.dumps(event.to_data(), option=orjson.OPT_SORT_KEYS)  # type: ignore[union-attr]
    assert line.startswith(
        b'{"seq":7,"t":2.5,"type":"%b","v":%d,' % (event.TYPE.encode(), event.VERSION)
    )


@given(gen.any_event())
def test_encoding_is_deterministic(event: Event) -> None:
    first = encode_line(3, 1.5, event, PREV)
    assert encode_line(3, 1.5, event, PREV) == first
    # Decoding and re-encoding gives the same bytes: the encoding is canonical.
    assert encode_line(3, 1.5, decode_line(first), PREV) == first


@given(gen.event_sequences())
def test_a_log_chains_each_line_to_the_sha256_of_the_line_before(
    pairs: list[tuple[float, Event]],
) -> None:
    data = build_log(pairs)
    assert data.endswith(b"\n")
    lines = data.split(b"\n")[:-1]
    assert len(lines) == len(pairs)
    prev = "0" * 64
    for seq, (line, (t, event)) in enumerate(zip(lines, pairs, strict=True)):
        obj = orjson.loads(line)
        assert obj["seq"] == seq and obj["t"] == t and obj["prev"] == prev
        assert decode_line(line) == event
        prev = hashlib.sha256(line).hexdigest()
    verified = verify_bytes(data)
    assert verified.digest == prev  # the digest is the SHA-256 of the last line
    assert [(r.seq, r.t, r.event) for r in verified.records] == [
        (seq, t, event) for seq, (t, event) in enumerate(pairs)
    ]


@pytest.mark.parametrize("type_name", sorted(EVENT_TYPES))
def test_the_event_generators_cover_every_event_type(type_name: str) -> None:
    found = find(
        gen.any_event(),
        lambda event: type_name == event.TYPE,
        settings=settings(max_examples=5000, database=None, phases=[Phase.generate]),
    )
    assert type(found) is EVENT_TYPES[type_name]
