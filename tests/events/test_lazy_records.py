"""A verified log's records build each event when it is first read (``events.records``).

What a caller sees must not depend on that: a ``LazyRecords`` equals the list of the
same records, and every query of ``events.replay`` (which reads only the events it
needs from one) gives what it gives on that list. A line that would fail to decode
must fail at ``verify``, never later when its event is read.
"""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from events.codec import Recorded
from events.model import OfferMade, OfferRejected
from events.records import LazyRecords
from events.replay import around_agi, around_milestone, fold, milestone_index, state_at
from events.verify import find_fault, verify_bytes
from tests import strategies as gen
from tests.logs import build_log, partnership_log, reseal


def _lazy(data: bytes) -> LazyRecords:
    records = verify_bytes(data).records
    assert type(records) is LazyRecords  # the fast path took it
    return records


def _built(records: LazyRecords) -> int:
    return sum(record is not None for record in records._cache)


@settings(max_examples=150)
@given(gen.event_sequences(max_middle=12).map(build_log), st.data())
def test_queries_on_lazy_records_equal_the_same_queries_on_a_list(
    data: bytes, draw: st.DataObject
) -> None:
    if b"\\u" in data:  # escapes are left to the careful scan, which returns a list
        return
    lazy = _lazy(data)
    plain = list(_lazy(data))
    assert all(type(r) is Recorded for r in plain)
    assert lazy == plain and plain == lazy and len(lazy) == len(plain)
    assert fold(_lazy(data)) == fold(plain)
    times = sorted({r.t for r in plain})
    at = draw.draw(st.sampled_from([*times, times[0] - 0.5, times[-1] + 0.25]))
    if math.isfinite(at):
        assert state_at(_lazy(data), at) == state_at(plain, at)
    for milestone in ("agi", "agi-verified"):
        assert milestone_index(_lazy(data), milestone) == milestone_index(plain, milestone)
        assert around_milestone(_lazy(data), milestone) == around_milestone(plain, milestone)
    assert around_agi(_lazy(data)) == around_agi(plain)
    start = draw.draw(st.integers(-len(plain) - 1, len(plain) + 1))
    stop = draw.draw(st.integers(-len(plain) - 1, len(plain) + 1))
    step = draw.draw(st.sampled_from([None, 1, 2, -1]))
    piece = _lazy(data)[start:stop:step]
    assert list(piece) == plain[start:stop:step]
    assert fold(piece) == fold(plain[start:stop:step])


def test_the_fold_builds_only_the_events_it_reads() -> None:
    records = _lazy(partnership_log())
    offers = sum(kind in (OfferMade, OfferRejected) for kind in records.kinds)
    assert offers > 0
    before = _built(records)
    fold(records)
    assert _built(records) <= len(records) - offers
    assert _built(records) >= before
    assert list(records) == list(verify_bytes(partnership_log()).records)
    assert _built(records) == len(records)


def test_indexing_is_a_lists() -> None:
    records = _lazy(partnership_log())
    plain = list(_lazy(partnership_log()))
    assert records[-1] == plain[-1] and records[0] == plain[0]
    assert records[-1] is records[len(records) - 1]  # built once, then kept
    with pytest.raises(IndexError):
        records[len(plain)]
    with pytest.raises(IndexError):
        records[-len(plain) - 1]
    piece = records[3:9]
    assert [r.seq for r in piece] == list(range(3, 9))
    assert piece.event(0) == plain[3].event
    assert list(reversed(records)) == plain[::-1]
    assert records != plain[:-1] and records != "not records"


def test_bad_terms_of_an_offer_fail_at_verify_not_when_the_offer_is_read() -> None:
    lines = partnership_log().split(b"\n")[:-1]
    index = next(i for i, line in enumerate(lines) if b'"type":"OfferMade"' in line)
    lines[index] = lines[index].replace(b'"issues":[[', b'"issues":[[1,', 1)
    forged = reseal(lines)
    fault = find_fault(forged)
    assert fault is not None and fault.line == index + 1
    assert "OfferMade" in fault.message
