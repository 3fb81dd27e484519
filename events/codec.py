"""The JSONL envelope: one event per line, canonical bytes, typed decoding, upcasting.

A line is, byte for byte (no spaces, ``data`` keys sorted)::

    {"seq":N,"t":T,"type":"X","v":V,"data":{...},"prev":"<sha256 hex>","hash":"<sha256 hex>"}

``prev`` is the SHA-256 of the previous line's exact bytes (64 zeros on line 0), as
DESIGN.md prescribes. ``hash`` is the SHA-256 of this line's bytes with the trailing
``,"hash":"..."`` removed (so of ``{"seq":...,"prev":"..."}``): it seals the line
itself, so that a changed byte in the *last* line, which no later ``prev`` covers, is
detected too. The digest of a log is the SHA-256 of its last line.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from math import isfinite
from typing import Any, Final, NamedTuple

import attrs
import orjson

from events import fields as f
from events import typed_lines
from events.model import EVENT_TYPES, Event

GENESIS: Final = "0" * 64
ENVELOPE_KEYS: Final = ("seq", "t", "type", "v", "data", "prev", "hash")
_HASH_SUFFIX_LEN: Final = len(',"hash":""}') + 64
_SORT = orjson.OPT_SORT_KEYS
_dumps = orjson.dumps
_sha256 = hashlib.sha256


class Recorded(NamedTuple):
    """An event as recorded in a log: its position and simulated time."""

    seq: int
    t: float
    event: Event


Upcaster = Callable[[dict[str, Any]], dict[str, Any]]
UPCASTERS: dict[tuple[str, int], Upcaster] = {}


def upcaster(type_name: str, from_version: int) -> Callable[[Upcaster], Upcaster]:
    """Register a function turning ``type_name`` data of ``from_version`` into the next."""

    def register(fn: Upcaster) -> Upcaster:
        UPCASTERS[(type_name, from_version)] = fn
        _KNOWN.clear()
        return fn

    return register


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def encode_line(seq: int, t: float, event: Event, prev: str) -> bytes:
    """The canonical bytes of one log line (without the newline)."""
    return encode_line_hashed(seq, t, event, prev)[0]


def encode_line_hashed(seq: int, t: float, event: Event, prev: str) -> tuple[bytes, str]:
    """The line's bytes and their SHA-256 (the next line's ``prev``), hashing the body once."""
    t = float(t)
    if not isfinite(t):
        raise ValueError(f"event time must be finite, got {t!r}")
    encode = _BODIES.get(type(event)) or _body_encoder(type(event))
    body = encode(seq, _dumps(t), event, prev.encode())
    body_hash = _sha256(body)
    line_hash = body_hash.copy()
    body_hash.update(b"}")
    tail = b',"hash":"' + body_hash.hexdigest().encode() + b'"}'
    line_hash.update(tail)
    return body + tail, line_hash.hexdigest()


BodyEncoder = Callable[[int, bytes, Any, bytes], bytes]
_BODIES: dict[type, BodyEncoder] = {}


def _body_encoder(cls: type) -> BodyEncoder:
    """The encoder of an event class's line body, ``{"seq":...,"prev":"..."`` (from
    ``seq``, the time's JSON, the event and ``prev`` as bytes), made once per class.

    The line's ``data`` is ``orjson.dumps(event.json_data(), option=OPT_SORT_KEYS)``.
    Where ``events.typed_lines.json_kind`` knows every field (a string, number,
    bool, null or list of names, written as it is; an outcome, written as its cached
    canonical JSON), the body is one template with the keys in sorted order and
    each value's JSON from orjson: the same bytes, without building ``to_data``'s
    dict to throw it away or sorting its keys on every line. Any other class writes
    ``json_data()`` as before.
    """
    names = sorted(f.field_names(cls))
    fields = attrs.fields_dict(cls)
    kinds = [typed_lines.json_kind(fields[name]) for name in names]
    head = b'{"seq":%%d,"t":%%b,"type":"%b","v":%d,"data":' % (
        cls.TYPE.encode().replace(b"%", b"%%"),  # type: ignore[attr-defined]
        cls.VERSION,  # type: ignore[attr-defined]
    )
    if all(kinds):
        pairs = (orjson.dumps(name).replace(b"%", b"%%") + b":%b" for name in names)
        data = b"{" + b",".join(pairs) + b"}"
        values = "".join(
            f"_dumps(e.{name}), " if kind == "value" else f"e.{name}.json_bytes(), "
            for name, kind in zip(names, kinds, strict=True)
        )
    else:
        data, values = b"%b", "_dumps(e.json_data(), option=_SORT), "
    namespace: dict[str, Any] = {
        "_dumps": orjson.dumps,
        "_SORT": _SORT,
        "_TEMPLATE": head + data + b',"prev":"%b"',
    }
    exec(
        f"def encode(seq, t, e, prev):\n    return _TEMPLATE % (seq, t, {values}prev)",
        namespace,
    )
    encode: BodyEncoder = namespace["encode"]
    _BODIES[cls] = encode
    return encode


def line_seal_ok(line: bytes) -> bool:
    """Whether the line's own ``hash`` matches its bytes."""
    if len(line) < _HASH_SUFFIX_LEN or not line.endswith(b'"}'):
        return False
    body, suffix = line[:-_HASH_SUFFIX_LEN], line[-_HASH_SUFFIX_LEN:]
    if not suffix.startswith(b',"hash":"'):
        return False
    return hashlib.sha256(body + b"}").hexdigest().encode() == suffix[9:-2]


def decode_event(type_name: str, version: int, data: dict[str, Any]) -> Event:
    """Typed event from a line's ``type``, ``v`` and ``data``, upcasting old versions.

    Raises KeyError/TypeError/ValueError on unknown types, versions or bad data; the
    verifier turns those into a one-line fault naming the line.
    """
    cls = EVENT_TYPES[type_name]
    while version < cls.VERSION:
        data = UPCASTERS[(type_name, version)](data)
        version += 1
    if version != cls.VERSION:
        raise KeyError(f"{type_name} v{version}")
    return cls.from_data(data)  # type: ignore[no-any-return]


_KNOWN: dict[tuple[str, int], bool] = {}


def known_version(type_name: object, version: object) -> bool:
    """Whether a line's ``type``/``v`` can be decoded (current, or upcast from older)."""
    if type(type_name) is not str or type(version) is not int:
        return False
    key = (type_name, version)
    known = _KNOWN.get(key)
    if known is None:
        cls = EVENT_TYPES.get(type_name)
        known = (
            cls is not None
            and 1 <= version <= cls.VERSION
            and all((type_name, v) in UPCASTERS for v in range(version, cls.VERSION))
        )
        if cls is not None:  # memoise only real types: the table stays small
            _KNOWN[key] = known
    return known


# The upcasters live in their own module; importing it registers them.
from events import upcasts as _upcasts  # noqa: E402, F401
