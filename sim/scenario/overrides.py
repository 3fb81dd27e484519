"""``--set KEY=VALUE`` overrides, applied to the raw TOML dict before validation.

``KEY`` is a dotted key the schema knows (``regulators.cma.strictness``,
``parties.microsoft.params.exponent``, ``agi.at.mode`` when ``agi.at`` is a
distribution table); entries of arrays are picked by index or by name/id
(``negotiation.issues.term_end.values``, ``prelude[0].note``). ``VALUE`` is read as a
TOML value (``0.8``, ``true``, ``[2030, 2040]``, ``{dist="uniform", low=0, high=1}``,
``2029-06-01``), or else taken as a plain string (``linear``); ISO date strings become
dates. Because validation runs afterwards, a bad value gets the usual message.
"""

from __future__ import annotations

import copy
import datetime as dt
import re
import tomllib
from collections.abc import Mapping, Sequence
from typing import Any, Final

import attrs

from events.clauses import CLAUSE_KINDS, clause_fields
from sim.scenario.distributions import DIST_PARAMS
from sim.scenario.errors import ScenarioError, fail, show
from sim.scenario.schema import (
    AGI_KEYS,
    ALTERNATIVE_KEYS,
    COMPETITOR_KEYS,
    COMPUTE_NEED_KEYS,
    ISSUE_KEYS,
    NEGOTIATION_KEYS,
    OUTSIDE_OPTION_KEYS,
    PARTY_KEYS,
    PRELUDE_KEYS,
    PRELUDE_REVIEW_KEYS,
    PRELUDE_RULING_KEYS,
    REGULATOR_KEYS,
    REOPEN_KEYS,
    RESTRUCTURING_KEYS,
    REVIEWER_KEYS,
    ROFR_KEYS,
    SCENARIO_KEYS,
    TRANCHE_KEYS,
)

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_INDEX = re.compile(r"\[(\d+)\]")

# Schema nodes: a leaf value, a key that may hold a distribution table, or a table whose
# keys the loader checks (weights, values, params, clause parameters).
_LEAF: Final = "leaf"
_DRAW: Final = "drawable"
_FREE: Final = "free"
_DIST_KEYS: Final = tuple(
    sorted({"dist"} | {name for req, opt in DIST_PARAMS.values() for name in (*req, *opt)})
)


@attrs.frozen
class _Table:
    children: dict[str, Any]


@attrs.frozen
class _Named:
    what: str
    entry: _Table


@attrs.frozen
class _Array:
    what: str
    id_key: str
    entry: _Table


def _table(keys: Sequence[str], **special: Any) -> _Table:
    return _Table({key: special.get(key, _LEAF) for key in keys})


# A clause table: its kind and any clause parameter (each may be an issue reference).
_CLAUSE_PARAMS: Final = sorted(
    {"kind", "include"} | {name for kind in CLAUSE_KINDS for name in clause_fields(kind)}
)
_CLAUSES: Final = _Array("clause", "kind", _Table(dict.fromkeys(_CLAUSE_PARAMS, _FREE)))
_AMENDMENT: Final = _table(("add", "remove", "term_end"), add=_CLAUSES)


_SCHEMA: Final = _Table(
    {
        "scenario": _table(SCENARIO_KEYS),
        "prelude": _Array(
            "prelude entry",
            "id",
            _table(
                PRELUDE_KEYS,
                clauses=_CLAUSES,
                amend=_AMENDMENT,
                review=_table(PRELUDE_REVIEW_KEYS),
                ruling=_table(PRELUDE_RULING_KEYS, conditions=_AMENDMENT),
            ),
        ),
        "negotiation": _table(
            NEGOTIATION_KEYS,
            deal=_table(("clauses", "term_end"), clauses=_CLAUSES, term_end=_FREE),
            issues=_Array("issue", "name", _table(ISSUE_KEYS)),
            fallback=_FREE,
            reopen=_table(REOPEN_KEYS),
        ),
        "parties": _Named(
            "party",
            _table(
                PARTY_KEYS,
                reservation=_DRAW,
                discount=_DRAW,
                patience=_DRAW,
                params=_FREE,
                weights=_FREE,
                values=_FREE,
            ),
        ),
        "regulators": _Named(
            "regulator",
            _table(
                REGULATOR_KEYS,
                strictness=_DRAW,
                review_months=_DRAW,
                conditions=_AMENDMENT,
                complaint_probability=_DRAW,
                complaint_delay=_DRAW,
            ),
        ),
        "competitors": _Named(
            "competitor",
            _table(
                COMPETITOR_KEYS,
                intensity=_DRAW,
                boost=_DRAW,
                programme_bn=_DRAW,
                tranches=_Array("tranche", "at", _table(TRANCHE_KEYS)),
            ),
        ),
        "rofr": _table(ROFR_KEYS, max_match_bn=_DRAW, budget_bn=_DRAW, walk_alternative=_DRAW),
        "compute_need": _table(
            COMPUTE_NEED_KEYS, revenue_bn=_DRAW, growth=_DRAW, per_revenue=_DRAW, cap_bn=_DRAW
        ),
        "alternatives": _Named(
            "party",
            _table(
                sorted({key for keys in ALTERNATIVE_KEYS.values() for key in keys}),
                **{key: _DRAW for keys in ALTERNATIVE_KEYS.values() for key in keys},
            ),
        ),
        "outside_options": _Named(
            "outside option",
            _table(OUTSIDE_OPTION_KEYS, initial=_DRAW, ceiling=_DRAW, ramp_years=_DRAW),
        ),
        "agi": _table(AGI_KEYS, at=_DRAW, belief=_DRAW),
        "restructuring": _table(
            RESTRUCTURING_KEYS,
            long_stop=_DRAW,
            reviewers=_Named(
                "reviewer",
                _table(
                    REVIEWER_KEYS,
                    review_months=_DRAW,
                    approval_probability=_DRAW,
                    conditions_probability=_DRAW,
                ),
            ),
        ),
    }
)


def parse_value(text: str) -> object:
    """A ``--set`` value: a TOML value if it parses as one, else the plain string."""
    try:
        parsed = tomllib.loads(f"v = {text}")
    except tomllib.TOMLDecodeError:
        return text
    if set(parsed) != {"v"}:  # e.g. "1\nx = 2" smuggling a second key: keep it literal
        return text
    return _dates(parsed["v"])


def apply_overrides(raw: Mapping[str, Any], assignments: Sequence[str]) -> dict[str, Any]:
    """A copy of ``raw`` with each ``"KEY=VALUE"`` assignment applied, in order."""
    result = copy.deepcopy(dict(raw))
    for assignment in assignments:
        key, sep, text = assignment.partition("=")
        key = key.strip()
        if not key:
            raise fail(f"--set {assignment}", "", "KEY=VALUE", "an empty KEY")
        if not sep:
            raise fail(f"--set {key}", "", "KEY=VALUE", 'no "="')
        _assign(result, key, parse_value(text.strip()))
    return result


def apply_set_values(raw: Mapping[str, Any], values: Mapping[str, object]) -> dict[str, Any]:
    """A copy of ``raw`` with ``{dotted_key: value}`` applied (sorted by key)."""
    result = copy.deepcopy(dict(raw))
    for key in sorted(values):
        _assign(result, key, _dates(copy.deepcopy(values[key])))
    return result


def _dates(value: object) -> object:
    if isinstance(value, str) and _ISO_DATE.match(value):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            return value
    if isinstance(value, list):
        return [_dates(item) for item in value]
    if isinstance(value, dict):
        return {key: _dates(item) for key, item in value.items()}
    return value


def _assign(raw: dict[str, Any], key: str, value: object) -> None:
    source = f"--set {key}"

    def error(expected: str, got: str) -> ScenarioError:
        return fail(source, "", expected, got)

    parts = _INDEX.sub(r".\1", key).split(".")
    if not key or any(not part for part in parts):
        raise error("a dotted key like regulators.cma.strictness", show(key))
    node: Any = _SCHEMA
    container: Any = raw
    for depth, part in enumerate(parts):
        here = ".".join(parts[:depth])
        last = depth == len(parts) - 1
        if node == _LEAF:
            raise error(f"nothing after {here} (it is a value, not a table)", show(part))
        if isinstance(node, _Array):
            if not isinstance(container, list):
                raise error(f"{here} to be an array of tables", show(container))
            index = _find_entry(container, part, node.id_key)
            if index is None:
                ids = [str(item.get(node.id_key)) for item in container if isinstance(item, dict)]
                listed = ", ".join(ids) if ids else "none"
                raise error(
                    f"an index or {node.id_key} of an existing {node.what} ({listed})",
                    show(part),
                )
            if last:
                container[index] = value
                return
            node, container = node.entry, container[index]
            continue
        if not isinstance(container, dict):
            raise error(f"{here} to be a table", show(container))
        if isinstance(node, _Table):
            if part not in node.children:
                known = ", ".join(sorted(node.children))
                where = f"key of {here}" if here else "top-level key"
                raise error(f"a known {where} ({known})", show(part))
            child = node.children[part]
        elif isinstance(node, _Named):
            if not last and part not in container:
                listed = ", ".join(sorted(container)) if container else "none"
                raise error(f"an existing {node.what} ({listed})", show(part))
            child = node.entry
        elif node == _DRAW:
            if part not in _DIST_KEYS:
                raise error(f"a distribution key ({', '.join(_DIST_KEYS)})", show(part))
            child = _LEAF
        else:  # _FREE: the loader checks these keys
            child = _FREE
        if last:
            container[part] = value
            return
        if part not in container:
            container[part] = [] if isinstance(child, _Array) else {}
        node, container = child, container[part]


def _find_entry(entries: list[Any], part: str, id_key: str) -> int | None:
    if part.isdigit():
        index = int(part)
        return index if index < len(entries) else None
    for index, entry in enumerate(entries):
        if isinstance(entry, dict) and entry.get(id_key) == part:
            return index
    return None
