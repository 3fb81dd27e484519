"""Whole log lines decoded by msgspec into typed events: replay's fast path.

The careful scan in ``events.verify`` parses each line with orjson into dicts, then
checks the envelope and every field of ``data`` in Python. Here one msgspec decoder
does both in C for the common case: from each event class's attrs fields it derives
a msgspec schema of the whole line (a tagged union on ``type``, one struct per event
class, ``v`` pinned to the class's current version, ``data`` typed field by field),
so decoding a line validates it and only the attrs event is left to build.

The schema accepts a line only where the careful scan would accept it with the same
values; anything else makes the decoder fail and ``verify`` falls back to the
careful scan, whose messages and upcasting are the one source of truth. A field is
typed only if its validator or converter is one this module knows (``events.fields``
and the outcome of an offer); a class with any other field (clauses, amendments,
free-form mappings, a validator someone adds tomorrow) keeps ``data`` as raw JSON,
parsed by orjson and handed to the class's own ``from_data``, exactly as the careful
scan does. So a new event class needs nothing here: it is derived on first use.

Values the two parsers could read differently are kept off the fast path: a line
holding a ``\\u`` escape (NUL in a string, lone surrogates), integers outside the
signed 64-bit range (orjson reads the largest as floats) and non-finite floats all
fail the schema or are checked for by the caller.
"""

from __future__ import annotations

import sys
import typing
from collections.abc import Callable
from typing import Annotated, Any, Final, Literal

import attrs
import msgspec
import orjson
from msgspec import UNSET, Meta, UnsetType

from events import fields as f
from events.terms import Outcome

_FLOAT_MAX: Final = sys.float_info.max
Count = Annotated[int, Meta(ge=0, le=f.MAX_SEQ)]
Name = Annotated[str, Meta(min_length=1)]
Int64 = Annotated[int, Meta(ge=-(2**63), le=2**63 - 1)]  # orjson keeps these as int too
Finite = Annotated[float, Meta(ge=-_FLOAT_MAX, le=_FLOAT_MAX)]
IssueScalar = bool | Int64 | Finite | str


class OutcomeData(msgspec.Struct, forbid_unknown_fields=True, gc=False):
    """An outcome's data form: ``{"issues": [[name, value], ...]}``."""

    issues: Annotated[tuple[tuple[Name, IssueScalar], ...], Meta(max_length=1000)]


_new = object.__new__


def _setter(cls: type, name: str) -> Callable[[Any, Any], None]:
    """The slot's own setter (what ``object.__setattr__`` ends up calling on a frozen
    slots class, one lookup less)."""
    for klass in cls.__mro__:
        slot = klass.__dict__.get(name)
        if slot is not None and hasattr(slot, "__set__"):
            return slot.__set__  # type: ignore[no-any-return]
    return lambda obj, value: object.__setattr__(obj, name, value)


_OUTCOME_SETTERS: Final = (_setter(Outcome, "values"), _setter(Outcome, "_json"))


def outcome(data: OutcomeData) -> Outcome:
    """The Outcome of validated data, built as ``Outcome.from_data`` builds it."""
    value = _new(Outcome)
    _OUTCOME_SETTERS[0](value, data.issues)
    _OUTCOME_SETTERS[1](value, None)
    return value


class Shared:
    """Values a log repeats, decoded once and shared by every event that holds them.

    A replayed log is kept whole (every record), so each object a line leaves behind
    costs its allocation, its share of the cache and its deallocation; most of a
    line's values are repeats (party names, and the offers' terms: a party's offers
    recur and the other side's answer quotes them). Strings are shared by value; an
    outcome by the exact bytes of its JSON, so equal bytes give the same (frozen)
    ``Outcome``, validated when first seen. Both tables are bounded.
    """

    LIMIT: Final = 1 << 16

    def __init__(self) -> None:
        self.texts: dict[str, str] = {}
        self.outcomes: dict[bytes, Outcome] = {}
        self._decode_outcome = msgspec.json.Decoder(OutcomeData).decode

    def trim(self) -> None:
        if len(self.texts) > self.LIMIT:
            self.texts.clear()
        if len(self.outcomes) > self.LIMIT:
            self.outcomes.clear()

    def outcome(self, raw: msgspec.Raw) -> Outcome:
        key = bytes(raw)
        value = self.outcomes.get(key)
        if value is None:
            value = self.outcomes[key] = outcome(self._decode_outcome(key))
        return value


# What a field's validator (without a converter) or converter (without a validator)
# means as a msgspec type, and the code finishing the decoded value (None: as is).
_VALIDATED: Final[dict[object, tuple[Any, str | None]]] = {
    f.text: (str, "_text({0}, {0})"),  # NUL: lines with \\u escapes are not for us
    f.optional_text: (str | None, "_text({0}, {0})"),
    f.count: (Count, None),
    f.optional_count: (Count | None, None),
    f.flag: (bool, None),
}
_CONVERTED: Final[dict[object, tuple[Any, str | None]]] = {
    f.names: (tuple[Name, ...], None),
    f.sim_time: (Annotated[float, Meta(ge=-f.MAX_TIME, le=f.MAX_TIME)], None),
    f.amount: (Annotated[float, Meta(ge=0.0, le=_FLOAT_MAX)], None),
    f.finite: (Finite, None),
}


def _outcome_converter() -> object:
    from events import model

    return getattr(model, "_outcome", None)


def _field_spec(field: attrs.Attribute[Any]) -> tuple[Any, str | None] | None:
    """The msgspec type of a field and the code finishing its value (a format string
    of the decoded value), or None if this module does not know what it accepts."""
    validator, converter = field.validator, field.converter
    if converter is None and validator is not None:
        if validator in _VALIDATED:
            return _VALIDATED[validator]
        choices = getattr(validator, "choices", None)
        if type(choices) is tuple and choices and all(type(c) is str for c in choices):
            return Literal[choices], None  # f.member
        return None
    if validator is None and converter is not None:
        if converter in _CONVERTED:
            return _CONVERTED[converter]
        if converter is _outcome_converter():
            return msgspec.Raw, "_outcome({})"
    return None


def json_kind(field: attrs.Attribute[Any]) -> str | None:
    """How a field's value is written in a line's ``data`` (what ``to_data`` makes of
    it): ``"value"`` when as it is (a string, number, bool, null or list of names,
    which the field's validator or converter guarantees), ``"outcome"`` for an
    Outcome (its canonical JSON), None when this module does not know the field.
    The encoder of ``events.codec`` is derived from this, as the decoder is."""
    spec = _field_spec(field)
    if spec is None:
        return None
    finish = spec[1]
    return "outcome" if finish is not None and finish.startswith("_outcome(") else "value"


@attrs.frozen
class _Plan:
    """How one event class's ``data`` is decoded: its msgspec type, the code of a
    method of the line's struct (``self``) returning the event, and what ``verify``
    must run on a line beyond its schema (see ``LineDecoder``): ``check``, the code
    of a method finishing the checks (e.g. an offer's terms, kept as raw JSON and
    validated on their own), or ``eager``, when only building the event checks it."""

    data_type: Any
    code: list[str]
    names: dict[str, Any]
    check: list[str] | None = None
    eager: bool = False


def _typed_plan(cls: type) -> _Plan | None:
    """A struct of the class's fields, and code building the event from it without
    re-running the checks the struct already made."""
    if "__attrs_post_init__" in cls.__dict__ or "__attrs_pre_init__" in cls.__dict__:
        return None
    names = f.field_names(cls)
    fields = attrs.fields(cls)
    if len(names) != len(fields) or any(not field.init for field in fields):
        return None
    struct_fields: list[tuple[str, Any, Any]] = []
    namespace: dict[str, Any] = {"_new": _new, "_cls": cls, "UNSET": UNSET}
    code = ["    d = self.data", "    e = _new(_cls)"]
    check = ["    d = self.data"]
    for field in fields:
        spec = _field_spec(field)
        if spec is None:
            return None
        kind, finish = spec
        name = field.name
        namespace[f"_set_{name}"] = _setter(cls, name)
        if field.default is attrs.NOTHING:
            struct_fields.append((name, kind, msgspec.NODEFAULT))
            value = f"d.{name}" if finish is None else finish.format(f"d.{name}")
            if finish is not None and finish.startswith("_outcome("):
                check.append(f"    {value}")
        else:
            struct_fields.append((name, kind | UnsetType, UNSET))
            default: Any = field.default
            factory = isinstance(default, attrs.Factory)  # type: ignore[arg-type]
            if factory and default.takes_self:
                return None
            namespace[f"_default_{name}"] = default.factory if factory else default
            fallback = f"_default_{name}()" if factory else f"_default_{name}"
            code.append(f"    v = d.{name}")
            done = "v" if finish is None else finish.format("v")
            value = f"{fallback} if v is UNSET else {done}"
            if finish is not None and finish.startswith("_outcome("):
                check.append(f"    if d.{name} is not UNSET: {finish.format(f'd.{name}')}")
        code.append(f"    _set_{name}(e, {value})")
    code.append("    return e")
    data_type = msgspec.defstruct(
        f"{cls.__name__}Data",
        struct_fields,
        kw_only=True,
        forbid_unknown_fields=True,
        gc=False,  # never in a cycle: no tracking, cheaper to make and free
    )
    return _Plan(data_type, code, namespace, check if len(check) > 1 else None)


def _raw_plan(cls: type) -> _Plan:
    """Raw JSON of ``data``, parsed by orjson and built by the class's ``from_data``:
    the careful scan's own decoding."""
    code = [
        "    data = _loads(memoryview(self.data))",
        "    if type(data) is not dict:",
        "        raise ValueError('data must be a JSON object')",
        "    return _from_data(data)",
    ]
    names = {"_loads": orjson.loads, "_from_data": cls.from_data}  # type: ignore[attr-defined]
    return _Plan(msgspec.Raw, code, names, eager=True)


def plan(cls: type) -> _Plan:
    return _typed_plan(cls) or _raw_plan(cls)


class LineDecoder:
    """Decodes a whole line into a struct for the event classes given.

    The struct has ``seq``, ``t``, ``prev`` and (as class attributes) ``KIND``, the
    event class, and ``EAGER``. Decoding a line checks it against the schema; what
    the schema leaves unchecked is checked by ``EAGER``, called on the struct: None
    when nothing is left (the event can be built later from the line's bytes alone,
    and building it cannot fail), else a method returning None once it has checked
    the rest (an offer's terms), or the event itself when only building it checks it.
    ``event()`` builds the event.
    """

    def __init__(self, event_types: dict[str, type]) -> None:
        self.shared = Shared()
        line_types = []
        for type_name, cls in event_types.items():
            p = plan(cls)
            namespace = dict(p.names)
            namespace["_text"] = self.shared.texts.setdefault
            namespace["_outcome"] = self.shared.outcome
            exec("\n".join(["def event(self):", *p.code]), namespace)
            event = namespace["event"]
            eager = None
            if p.eager:
                eager = event
            elif p.check is not None:
                exec("\n".join(["def check(self):", *p.check]), namespace)
                eager = namespace["check"]
            line_types.append(
                msgspec.defstruct(
                    f"{cls.__name__}Line",
                    [
                        ("seq", Count),
                        ("t", int | float),
                        ("v", Literal[cls.VERSION]),  # type: ignore[attr-defined]
                        ("data", p.data_type),
                        ("prev", str),
                        # Any JSON: the careful scan checks only the last line's seal,
                        # from the bytes, and so does the fast path.
                        ("hash", msgspec.Raw),
                    ],
                    tag_field="type",
                    tag=type_name,
                    forbid_unknown_fields=True,
                    gc=False,
                    namespace={"event": event, "KIND": cls, "EAGER": eager},
                )
            )
        union: Any = typing.Union[tuple(line_types)]  # noqa: UP007 (built at run time)
        self.decode: Callable[[bytes], Any] = msgspec.json.Decoder(union).decode


_DECODERS: dict[tuple[tuple[str, type, int], ...], LineDecoder] = {}


def line_decoder(event_types: dict[str, type]) -> LineDecoder:
    """The decoder for these event classes (made once per set of classes and versions)."""
    key = tuple(
        (name, cls, cls.VERSION)  # type: ignore[attr-defined]
        for name, cls in event_types.items()
    )
    decoder = _DECODERS.get(key)
    if decoder is None:
        decoder = _DECODERS[key] = LineDecoder(event_types)
    return decoder


Error: Final = msgspec.MsgspecError

__all__ = [
    "Error",
    "LineDecoder",
    "OutcomeData",
    "json_kind",
    "line_decoder",
    "outcome",
    "plan",
]
