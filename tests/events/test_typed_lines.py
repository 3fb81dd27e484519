"""Replay's fast path (``events.typed_lines`` via ``verify``) is the careful scan, faster.

The fast path may give up on a log (then the careful scan decides), but whatever it
returns must be exactly what the careful scan returns for the same bytes: the same
records (same types, values and float/int kinds) and the same digest. It must never
accept a log the careful scan refuses. And it is derived from the attrs fields of
the event classes, so a class defined tomorrow decodes without touching it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, ClassVar

import attrs
import pytest
from hypothesis import given, settings

from events import fields as f
from events import typed_lines
from events import verify as verify_module
from events.codec import Recorded
from events.model import EVENT_TYPES, RunEnded, _codec, _outcome
from events.terms import EMPTY_OUTCOME, Outcome
from events.verify import VerifiedLog, find_fault, verify_bytes
from tests import strategies as gen
from tests.events.test_resealed_fuzz import mutated_logs
from tests.logs import build_log, partnership_log, run_started

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


def _fast(data: bytes) -> VerifiedLog | None:
    return verify_module._scan_typed(data, True)


def _careful(data: bytes) -> VerifiedLog | None:
    return verify_module._scan_careful(data, True)[1]


def _same(a: VerifiedLog, b: VerifiedLog) -> None:
    assert a.digest == b.digest
    assert a.records == b.records
    for x, y in zip(a.records, b.records, strict=True):
        assert type(x.event) is type(y.event)
        assert type(x.t) is type(y.t) is float
        for name in attrs.fields_dict(type(x.event)):
            left, right = getattr(x.event, name), getattr(y.event, name)
            assert type(left) is type(right), name


@settings(max_examples=150)
@given(gen.event_sequences(max_middle=10).map(build_log))
def test_every_valid_log_of_todays_events_takes_the_fast_path_and_decodes_the_same(
    data: bytes,
) -> None:
    fast = _fast(data)
    careful = _careful(data)
    assert careful is not None
    if b"\\u" in data:  # an escape in a string: left to the careful scan on purpose
        assert fast is None
        return
    assert fast is not None
    _same(fast, careful)


@settings(max_examples=300)
@given(mutated_logs())
def test_a_resealed_forgery_is_refused_by_the_fast_path_whenever_the_careful_scan_refuses_it(
    data: bytes,
) -> None:
    fast = _fast(data)
    fault, careful = verify_module._scan_careful(data, True)
    if fast is not None:
        assert fault is None, fault
        assert careful is not None
        _same(fast, careful)


def test_a_real_run_and_the_partnership_log_take_the_fast_path() -> None:
    data = partnership_log()
    fast = _fast(data)
    careful = _careful(data)
    assert fast is not None and careful is not None
    _same(fast, careful)


@pytest.mark.parametrize("path", sorted((FIXTURES / "legacy").glob("*.jsonl")), ids=str)
def test_legacy_logs_are_upcast_by_the_careful_scan(path: Path) -> None:
    data = path.read_bytes()
    assert _fast(data) is None  # an old version: the fast path never guesses
    assert verify_bytes(data).records == _careful(data).records  # type: ignore[union-attr]


def test_an_upcastable_line_among_current_ones_gives_up_the_fast_path() -> None:
    data = partnership_log()
    lines = data.split(b"\n")
    assert b'"type":"OfferMade","v":3' in lines[5]
    lines[5] = lines[5].replace(b'"v":3', b'"v":2')  # then the seal and chain break
    assert _fast(b"\n".join(lines)) is None
    assert find_fault(b"\n".join(lines)) is not None


def _check_label(_: object, attribute: attrs.Attribute[Any], value: object) -> None:
    """A validator the fast path does not know (so the class decodes via from_data)."""
    if type(value) is not str or not value.startswith("L-"):
        raise ValueError(f"{attribute.name} must be a label L-..., got {value!r}")


@_codec
@attrs.frozen(slots=True)
class _Audited:
    """A new event type, as another change might add one: every kind of field."""

    TYPE: ClassVar[str] = "TestAudited"
    VERSION: ClassVar[int] = 2

    auditor: str = attrs.field(validator=f.text)
    parties: tuple[str, ...] = attrs.field(converter=f.names)
    verdict: str = attrs.field(validator=f.member(("clean", "qualified")))
    at_seq: int = attrs.field(validator=f.count)
    due: float = attrs.field(converter=f.sim_time)
    fee_bn: float = attrs.field(converter=f.amount)
    terms: Outcome = attrs.field(default=EMPTY_OUTCOME, converter=_outcome)
    public: bool = attrs.field(default=False, validator=f.flag)
    note: str | None = attrs.field(default=None, validator=f.optional_text)
    extra: dict[str, Any] = attrs.field(factory=dict, validator=f.mapping)


@_codec
@attrs.frozen(slots=True)
class _Labelled:
    TYPE: ClassVar[str] = "TestLabelled"
    VERSION: ClassVar[int] = 1

    label: str = attrs.field(validator=_check_label)
    count: int = attrs.field(default=0, validator=f.count)


@_codec
@attrs.frozen(slots=True)
class _Simple:
    TYPE: ClassVar[str] = "TestSimple"
    VERSION: ClassVar[int] = 1

    auditor: str = attrs.field(validator=f.text)
    fee_bn: float = attrs.field(converter=f.amount)
    terms: Outcome = attrs.field(default=EMPTY_OUTCOME, converter=_outcome)
    note: str | None = attrs.field(default=None, validator=f.optional_text)


def test_a_newly_defined_event_class_round_trips_through_the_typed_decoder(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for cls in (_Audited, _Labelled, _Simple):
        monkeypatch.setitem(EVENT_TYPES, cls.TYPE, cls)
    terms = Outcome((("price", 3), ("share", 0.25), ("cloud", "exclusive"), ("ok", True)))
    events: list[tuple[float, Any]] = [
        (0.0, run_started()),
        (1.0, _Audited("kpmg", ("microsoft", "openai"), "clean", 0, 12, 3, terms, True, "n")),
        (1.5, _Audited("kpmg", ("openai",), "qualified", 1, -2.5, 0.5)),
        (2.0, _Labelled("L-7", 3)),
        (2.0, _Labelled("L-8")),
        (2.5, _Simple("ey", 2)),  # every default: missing keys in the data
        (3.0, _Simple("ey", 1.5, terms, None)),
        (4.0, RunEnded("horizon")),
    ]
    data = build_log(events)
    fast = _fast(data)
    assert fast is not None
    assert [r.event for r in fast.records] == [event for _, event in events]
    _same(fast, _careful(data))  # type: ignore[arg-type]
    # The simple class is typed field by field; the others have a field the fast
    # path does not know (a free-form mapping, a validator of its own) and are
    # handed to their from_data.
    assert typed_lines.plan(_Simple).data_type is not typed_lines.msgspec.Raw
    assert typed_lines.plan(_Audited).data_type is typed_lines.msgspec.Raw
    assert typed_lines.plan(_Labelled).data_type is typed_lines.msgspec.Raw
    # A bad value of the new class is the careful scan's fault, word for word.
    bad = data.replace(b'"label":"L-7"', b'"label":"M-7"')
    assert _fast(bad) is None
    assert find_fault(bad) is not None


def test_a_new_class_with_a_bad_value_is_refused_with_the_careful_message(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from tests.logs import reseal

    monkeypatch.setitem(EVENT_TYPES, _Simple.TYPE, _Simple)
    data = build_log([(0.0, run_started()), (1.0, _Simple("ey", 2.0)), (2.0, RunEnded("horizon"))])
    lines = data.split(b"\n")[:-1]
    lines[1] = lines[1].replace(b'"fee_bn":2.0', b'"fee_bn":-2.0')
    forged = reseal(lines)
    assert _fast(forged) is None
    fault = find_fault(forged)
    assert fault is not None and fault.line == 2
    assert fault.message == "bad data for TestSimple: expected a number >= 0, got -2.0"


def test_records_are_recorded_tuples() -> None:
    fast = _fast(partnership_log())
    assert fast is not None
    assert all(type(r) is Recorded for r in fast.records)
