"""Contract clauses: the closed vocabulary a contract is written in.

A contract is a set of clauses. Each clause is one frozen attrs class below, with
typed, validated parameters and its own :class:`Expiry`. The fold rules live beside
the classes: ``rights()`` names the rights a clause grants (``<kind>.<qualifier>``,
e.g. ``license.models``, ``exclusivity.api``), ``without(right)`` is the clause once
a regulator or an amendment removes one of them, and the three money clauses
(investment, compute commitment, equity) feed amounts into the state instead of
rights. Adding a kind is one class and one entry in ``CLAUSE_KINDS``.

The data form of a clause is derived from its attrs fields (keyword-based): a JSON
object with ``kind`` plus one key per field, tuples as lists and the expiry as its
text. :func:`clause_from_data` refuses unknown kinds, missing or extra keys and
values of the wrong type or range, naming the key.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Iterable, Mapping
from typing import Any, ClassVar, Final

import attrs
import orjson

from events.calendar import FIRST_YEAR, LAST_YEAR

# --- expiry --------------------------------------------------------------------------

AGI_DECLARED: Final = "agi_declared"
AGI_VERIFIED: Final = "agi_verified"
TERM: Final = "term"  # no expiry of its own: the clause runs as long as its contract
_YEAR = re.compile(r"^\d{4}$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
# The calendar's years (1 January of the year after the last must still be a date).
MIN_YEAR: Final = FIRST_YEAR
MAX_YEAR: Final = LAST_YEAR


def _trigger(item: object) -> str:
    """One expiry trigger in canonical text: ``YYYY``, ``YYYY-MM-DD`` or an AGI event."""
    if isinstance(item, bool):
        raise ValueError(
            f"an expiry is a year, a date, {AGI_DECLARED} or {AGI_VERIFIED}; got {item!r}"
        )
    if isinstance(item, int):
        item = str(item)
    if isinstance(item, dt.date):
        item = item.isoformat()
    if not isinstance(item, str):
        raise ValueError(
            f"an expiry is a year, a date, {AGI_DECLARED} or {AGI_VERIFIED}; got {item!r}"
        )
    text = item.strip()
    if text in (AGI_DECLARED, AGI_VERIFIED):
        return text
    if _YEAR.match(text) and MIN_YEAR <= int(text) <= MAX_YEAR:
        return text
    if _DATE.match(text):
        try:
            date = dt.date.fromisoformat(text)
        except ValueError:
            pass
        else:
            if MIN_YEAR <= date.year <= MAX_YEAR:
                return text
    raise ValueError(
        f"an expiry is a year ({MIN_YEAR}-{MAX_YEAR}), a date YYYY-MM-DD, {AGI_DECLARED}, "
        f"{AGI_VERIFIED}, {TERM}, or several joined by '|' (whichever comes first); got {item!r}"
    )


def _sort_key(trigger: str) -> tuple[int, str]:
    return (1, trigger) if trigger in (AGI_DECLARED, AGI_VERIFIED) else (0, trigger)


@attrs.frozen(slots=True)
class Expiry:
    """When a clause ends: the first of its ``triggers`` (none: with its contract).

    A trigger is a year (the clause runs through 31 December of it), a date (it ends
    on that day), ``agi_declared`` or ``agi_verified``. ``Expiry.parse`` reads every
    form a scenario may use: ``2032``, ``"2032-06-30"``, ``"agi_verified"``,
    ``"2032|agi_verified"`` (whichever first), a list of these, or ``"term"``.
    """

    triggers: tuple[str, ...] = ()

    @classmethod
    def parse(cls, value: object) -> Expiry:
        if type(value) is str:
            # Logs repeat a handful of expiries; each text is parsed once.
            cached = _PARSED.get(value)
            if cached is None:
                cached = cls._parse(value)
                if len(_PARSED) < 4096:
                    _PARSED[value] = cached
            return cached
        return cls._parse(value)

    @classmethod
    def _parse(cls, value: object) -> Expiry:
        if isinstance(value, Expiry):
            return value
        if isinstance(value, str) and value.strip() == TERM:
            return cls(())
        items: Iterable[object]
        if isinstance(value, str):
            items = value.split("|")
        elif isinstance(value, list | tuple):
            items = value
        else:
            items = (value,)
        triggers = sorted({_trigger(item) for item in items}, key=_sort_key)
        if not triggers:
            raise ValueError("an expiry needs at least one trigger (or 'term')")
        return cls(tuple(triggers))

    def text(self) -> str:
        """Canonical text: ``term``, or the triggers joined by ``|`` (dates first)."""
        return "|".join(self.triggers) if self.triggers else TERM

    def end_date(self) -> dt.date | None:
        """The first calendar date on which the clause no longer holds, if dated."""
        dates = [
            dt.date(int(trigger) + 1, 1, 1)
            if _YEAR.match(trigger)
            else dt.date.fromisoformat(trigger)
            for trigger in self.triggers
            if trigger not in (AGI_DECLARED, AGI_VERIFIED)
        ]
        return min(dates) if dates else None

    @property
    def on_declared(self) -> bool:
        return AGI_DECLARED in self.triggers

    @property
    def on_verified(self) -> bool:
        return AGI_VERIFIED in self.triggers

    @property
    def waits_for_verification(self) -> bool:
        """Lapses at AGI only once it is verified (not at the declaration)."""
        return self.on_verified and not self.on_declared

    def lapsed(self, today: dt.date | None, declared: bool, verified: bool) -> bool:
        """Whether the expiry has triggered by ``today`` (None: dates not checked)."""
        if declared and self.on_declared:
            return True
        if verified and self.on_verified:
            return True
        end = self.end_date()
        return end is not None and today is not None and today >= end


_PARSED: dict[str, Expiry] = {}


# --- parameter checks (attrs validators and converters) ------------------------------


_PARTY_KEY: Final = re.compile(r"[A-Za-z0-9_-]+")
_GOOD_PARTIES: set[str] = set()  # keys already checked: logs repeat a handful


def _party(_: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if type(value) is str:
        if value in _GOOD_PARTIES:
            return
        if _PARTY_KEY.fullmatch(value):
            if len(_GOOD_PARTIES) < 1024:
                _GOOD_PARTIES.add(value)
            return
    raise ValueError(
        f"{attribute.name} must be a party key (letters, digits, _ or -), got {value!r}"
    )


def _number(value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"expected a number, got {value!r}")
    number = float(value)
    if not math.isfinite(number):
        raise ValueError(f"expected a finite number, got {value!r}")
    return number


def _optional_number(value: object) -> float | None:
    return None if value is None else _number(value)


def _fraction(_: object, attribute: attrs.Attribute[Any], value: float) -> None:
    if not 0.0 <= value <= 1.0:
        raise ValueError(f"{attribute.name} must be between 0 and 1, got {value!r}")


def _non_negative(_: object, attribute: attrs.Attribute[Any], value: float | None) -> None:
    if value is not None and not 0.0 <= value <= 1e6:
        raise ValueError(f"{attribute.name} must be between 0 and 1e6, got {value!r}")


def _positive(_: object, attribute: attrs.Attribute[Any], value: float) -> None:
    if not 0.0 < value <= 1e4:
        raise ValueError(f"{attribute.name} must be > 0 and at most 1e4, got {value!r}")


def _one_of(choices: tuple[str, ...]) -> Any:
    def check(_: object, attribute: attrs.Attribute[Any], value: object) -> None:
        if value not in choices:
            raise ValueError(f"{attribute.name} must be one of {', '.join(choices)}; got {value!r}")

    return check


def _is_bool(_: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, bool):
        raise ValueError(f"{attribute.name} must be true or false, got {value!r}")


EXPIRES_WITH_CONTRACT: Final = Expiry()


def _expiry(value: object) -> Expiry:
    return Expiry.parse(value)


LICENSE_SCOPES: Final = ("models", "products", "research", "infrastructure")
WORKLOADS: Final = ("api", "all", "new_capacity")
REFUSAL_SCOPES: Final = ("compute", "new_projects")


def _scopes(value: object) -> tuple[str, ...]:
    """License scopes, in vocabulary order: a list, or ``"models+infrastructure"``."""
    items = value.split("+") if isinstance(value, str) else value
    if not isinstance(items, list | tuple) or not items:
        raise ValueError(
            f"scope must be a non-empty list of {', '.join(LICENSE_SCOPES)}; got {value!r}"
        )
    for item in items:
        if item not in LICENSE_SCOPES:
            raise ValueError(f"scope must be among {', '.join(LICENSE_SCOPES)}; got {item!r}")
    return tuple(scope for scope in LICENSE_SCOPES if scope in items)


# --- the vocabulary --------------------------------------------------------------------


class _GrantsRights:
    """Shared fold rule: a clause granting named rights is dropped by removing one."""

    __slots__ = ()

    def rights(self) -> tuple[str, ...]:
        raise NotImplementedError

    def without(self, right: str) -> Clause | None:
        return None if right in self.rights() else self  # type: ignore[return-value]


class _AmountOnly:
    """Shared fold rule: a money or definition clause grants no right to remove."""

    __slots__ = ()

    def rights(self) -> tuple[str, ...]:
        return ()

    def without(self, right: str) -> Clause | None:
        return self  # type: ignore[return-value]


@attrs.frozen(slots=True)
class License:
    """``licensee`` may use the other party's IP in ``scope`` (models, products,
    research, infrastructure). Grants ``license.<scope>`` for each scope."""

    KIND: ClassVar[str] = "license"
    licensee: str = attrs.field(validator=_party)
    scope: tuple[str, ...] = attrs.field(converter=_scopes)
    expiry: Expiry = attrs.field(default=EXPIRES_WITH_CONTRACT, converter=_expiry, kw_only=True)

    def rights(self) -> tuple[str, ...]:
        return tuple(f"license.{scope}" for scope in self.scope)

    def without(self, right: str) -> Clause | None:
        kept = tuple(s for s in self.scope if f"license.{s}" != right)
        if len(kept) == len(self.scope):
            return self
        return attrs.evolve(self, scope=kept) if kept else None


@attrs.frozen(slots=True)
class RevenueShare(_GrantsRights):
    """``payer`` pays ``payee`` a ``rate`` of the revenue the clause covers. Grants
    ``revenue_share.<payer>_to_<payee>``."""

    KIND: ClassVar[str] = "revenue_share"
    payer: str = attrs.field(validator=_party)
    payee: str = attrs.field(validator=_party)
    rate: float = attrs.field(converter=_number, validator=_fraction)
    expiry: Expiry = attrs.field(default=EXPIRES_WITH_CONTRACT, converter=_expiry, kw_only=True)

    def rights(self) -> tuple[str, ...]:
        return (f"revenue_share.{self.payer}_to_{self.payee}",)


@attrs.frozen(slots=True)
class Exclusivity(_GrantsRights):
    """``provider`` is the exclusive provider of a ``workload``: the API (served only
    through it), all workloads, or new capacity. Grants ``exclusivity.<workload>``."""

    KIND: ClassVar[str] = "exclusivity"
    provider: str = attrs.field(validator=_party)
    workload: str = attrs.field(validator=_one_of(WORKLOADS))
    expiry: Expiry = attrs.field(default=EXPIRES_WITH_CONTRACT, converter=_expiry, kw_only=True)

    def rights(self) -> tuple[str, ...]:
        return (f"exclusivity.{self.workload}",)


@attrs.frozen(slots=True)
class FirstRefusal(_GrantsRights):
    """``holder`` may match an outside offer in ``scope`` (compute: new capacity;
    new_projects: pre-emption) within ``window_months``. Grants
    ``first_refusal.<scope>``."""

    KIND: ClassVar[str] = "first_refusal"
    holder: str = attrs.field(validator=_party)
    scope: str = attrs.field(validator=_one_of(REFUSAL_SCOPES))
    window_months: float = attrs.field(default=1.0, converter=_number, validator=_positive)
    expiry: Expiry = attrs.field(default=EXPIRES_WITH_CONTRACT, converter=_expiry, kw_only=True)

    def rights(self) -> tuple[str, ...]:
        return (f"first_refusal.{self.scope}",)


@attrs.frozen(slots=True)
class ComputeCommitment(_AmountOnly):
    """``buyer`` commits to buy ``amount_bn`` (USD bn) of compute from ``seller`` over
    ``years``. An amount in the state (``compute_commitments_bn``), not a right."""

    KIND: ClassVar[str] = "compute_commitment"
    buyer: str = attrs.field(validator=_party)
    seller: str = attrs.field(validator=_party)
    amount_bn: float = attrs.field(converter=_number, validator=_non_negative)
    years: float = attrs.field(default=1.0, converter=_number, validator=_positive)
    expiry: Expiry = attrs.field(default=EXPIRES_WITH_CONTRACT, converter=_expiry, kw_only=True)


@attrs.frozen(slots=True)
class Investment(_AmountOnly):
    """``investor`` puts ``amount_bn`` (USD bn) of new money in when the contract takes
    force. Summed into ``investment_total_bn``; one-off, so never carried forward."""

    KIND: ClassVar[str] = "investment"
    investor: str = attrs.field(validator=_party)
    amount_bn: float = attrs.field(converter=_number, validator=_non_negative)
    expiry: Expiry = attrs.field(default=EXPIRES_WITH_CONTRACT, converter=_expiry, kw_only=True)


@attrs.frozen(slots=True)
class Equity(_AmountOnly):
    """``holder`` owns ``share`` of the other party (of its profits, before a
    restructuring), at ``valuation_bn`` (USD bn) if known. In the state as ``equity``."""

    KIND: ClassVar[str] = "equity"
    holder: str = attrs.field(validator=_party)
    share: float = attrs.field(converter=_number, validator=_fraction)
    valuation_bn: float | None = attrs.field(
        default=None, converter=_optional_number, validator=_non_negative
    )
    expiry: Expiry = attrs.field(default=EXPIRES_WITH_CONTRACT, converter=_expiry, kw_only=True)


@attrs.frozen(slots=True)
class AgiDefinition(_AmountOnly):
    """Who declares AGI, whether an expert panel must verify the declaration, and the
    delay (months) before a verification can come."""

    KIND: ClassVar[str] = "agi_definition"
    declared_by: str = attrs.field(validator=_party)
    verification: bool = attrs.field(default=False, validator=_is_bool)
    delay_months: float = attrs.field(default=0.0, converter=_number, validator=_non_negative)
    expiry: Expiry = attrs.field(default=EXPIRES_WITH_CONTRACT, converter=_expiry, kw_only=True)


@attrs.frozen(slots=True)
class NonCompete(_GrantsRights):
    """``bound`` may not pursue ``field`` (e.g. AGI) with others. Grants
    ``non_compete.<bound>``."""

    KIND: ClassVar[str] = "non_compete"
    bound: str = attrs.field(validator=_party)
    field: str = attrs.field(default="agi")
    expiry: Expiry = attrs.field(default=EXPIRES_WITH_CONTRACT, converter=_expiry, kw_only=True)

    @field.validator
    def _field_text(self, _: attrs.Attribute[Any], value: object) -> None:
        if not isinstance(value, str) or not value or len(value) > 200 or "\x00" in value:
            raise ValueError(f"field must be a short non-empty text, got {value!r}")

    def rights(self) -> tuple[str, ...]:
        return (f"non_compete.{self.bound}",)


Clause = (
    License
    | RevenueShare
    | Exclusivity
    | FirstRefusal
    | ComputeCommitment
    | Investment
    | Equity
    | AgiDefinition
    | NonCompete
)

CLAUSE_KINDS: Final[dict[str, type[Any]]] = {
    cls.KIND: cls
    for cls in (
        License,
        RevenueShare,
        Exclusivity,
        FirstRefusal,
        ComputeCommitment,
        Investment,
        Equity,
        AgiDefinition,
        NonCompete,
    )
}
ONE_OFF_KINDS: Final = frozenset(("investment", "compute_commitment"))
# Per kind: the class, its parameter names, and those without a default.
_SPECS: Final = {
    kind: (
        cls,
        frozenset(field.name for field in attrs.fields(cls)),
        tuple(field.name for field in attrs.fields(cls) if field.default is attrs.NOTHING),
    )
    for kind, cls in CLAUSE_KINDS.items()
}


def clause_fields(kind: str) -> tuple[str, ...]:
    """The parameter names of a clause kind, in declaration order."""
    return tuple(field.name for field in attrs.fields(CLAUSE_KINDS[kind]))


def clause_to_data(clause: Clause) -> dict[str, Any]:
    """The JSON form: ``kind`` and every field (tuples as lists, expiry as text;
    an optional field that is unset, such as an unknown valuation, is left out)."""
    data: dict[str, Any] = {"kind": clause.KIND}
    for field in attrs.fields(type(clause)):
        value = getattr(clause, field.name)
        if value is None:
            continue
        if isinstance(value, Expiry):
            value = value.text()
        elif isinstance(value, tuple):
            value = list(value)
        data[field.name] = value
    return data


def clause_from_data(data: object, where: str = "clause") -> Clause:
    """A clause from its data form; ValueError naming the key on anything malformed.

    Clauses are immutable and logs repeat them (every contract carries its
    predecessor's clauses forward), so each distinct data form is built once."""
    key = _cache_key(data)
    if key is not None:
        cached = _DECODED.get(key)
        if cached is not None:
            return cached
    clause = _build_clause(data, where)
    if key is not None and len(_DECODED) < 4096:
        _DECODED[key] = clause
    return clause


_DECODED: dict[bytes, Clause] = {}


def _cache_key(data: object) -> bytes | None:
    """A type-exact key for a clause's data: its JSON (1, 1.0 and true differ there,
    as they must: they decode apart). None when it is not JSON at all."""
    if type(data) is not dict:
        return None
    try:
        return orjson.dumps(data)
    except TypeError:
        return None


def _build_clause(data: object, where: str) -> Clause:
    if type(data) is not dict and not isinstance(data, Mapping):
        raise ValueError(f"{where}: expected a table with a kind, got {data!r}")
    kind = data.get("kind")
    spec = _SPECS.get(kind) if isinstance(kind, str) else None
    if spec is None:
        raise ValueError(f"{where}.kind: expected one of {', '.join(CLAUSE_KINDS)}, got {kind!r}")
    cls, names, required = spec
    for key in data:
        if key != "kind" and key not in names:
            raise ValueError(
                f"{where}.{key}: not a parameter of a {kind} clause ({', '.join(sorted(names))})"
            )
    for name in required:
        if name not in data:
            raise ValueError(f"{where}.{name}: missing (a {kind} clause needs it)")
    try:
        return cls(**{key: value for key, value in data.items() if key != "kind"})  # type: ignore[no-any-return]
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{where}: {exc}") from None


# --- amending a set of clauses ---------------------------------------------------------


def right_names(clauses: Iterable[Clause]) -> tuple[str, ...]:
    """Every right the clauses grant, in order, without repeats."""
    seen: dict[str, None] = {}
    for clause in clauses:
        for right in clause.rights():
            seen[right] = None
    return tuple(seen)


def _replaces(new: Clause, old: Clause) -> bool:
    """A new clause replaces an old one granting any of the same rights, or the same
    holder's equity stake, or the same AGI definition."""
    if set(new.rights()) & set(old.rights()):
        return True
    if type(new) is Equity and type(old) is Equity:
        return new.holder == old.holder
    return type(new) is AgiDefinition and type(old) is AgiDefinition


def _right_tuple(rights: Iterable[str]) -> tuple[str, ...]:
    return tuple(rights)


def _clause_tuple(clauses: Iterable[Clause]) -> tuple[Clause, ...]:
    return tuple(clauses)


@attrs.frozen(slots=True)
class Amendment:
    """A change to a set of clauses: rights to ``remove``, clauses to ``add`` (each
    replacing the clauses it overlaps), and optionally a new ``term_end`` (year)."""

    remove: tuple[str, ...] = attrs.field(default=(), converter=_right_tuple)
    add: tuple[Clause, ...] = attrs.field(default=(), converter=_clause_tuple)
    term_end: int | None = None

    def __bool__(self) -> bool:
        return bool(self.remove or self.add or self.term_end is not None)

    def apply(self, clauses: Iterable[Clause]) -> tuple[Clause, ...]:
        """``clauses`` with this amendment applied (a pure function)."""
        kept: list[Clause] = []
        for clause in clauses:
            current: Clause | None = clause
            for right in self.remove:
                if current is None:
                    break
                current = current.without(right)
            if current is not None and not any(_replaces(new, current) for new in self.add):
                kept.append(current)
        return (*kept, *self.add)

    def to_data(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "add": [clause_to_data(clause) for clause in self.add],
            "remove": list(self.remove),
        }
        if self.term_end is not None:
            data["term_end"] = self.term_end
        return data

    @classmethod
    def from_data(cls, data: object, where: str = "conditions") -> Amendment:
        if not isinstance(data, Mapping):
            raise ValueError(f"{where}: expected a table with remove/add, got {data!r}")
        extra = [key for key in data if key not in ("add", "remove", "term_end")]
        if extra:
            raise ValueError(
                f"{where}.{extra[0]}: expected a known key (add, remove, term_end), "
                f'got "{extra[0]}"'
            )
        remove = data.get("remove", [])
        if not isinstance(remove, list) or not all(isinstance(r, str) and r for r in remove):
            raise ValueError(f"{where}.remove: expected a list of right names, got {remove!r}")
        add = data.get("add", [])
        if not isinstance(add, list):
            raise ValueError(f"{where}.add: expected a list of clauses, got {add!r}")
        term_end = data.get("term_end")
        if term_end is not None and not is_year(term_end):
            raise ValueError(f"{where}.term_end: expected a year, got {term_end!r}")
        added: tuple[Clause, ...] = tuple(
            clause_from_data(item, f"{where}.add[{i}]") for i, item in enumerate(add)
        )
        return cls(tuple(remove), added, term_end)


def is_year(value: object) -> bool:
    return type(value) is int and MIN_YEAR <= value <= MAX_YEAR


def carried_forward(clauses: Iterable[Clause]) -> tuple[Clause, ...]:
    """What a new contract inherits from the one it replaces: everything but one-off
    amounts (an investment is paid, and a compute commitment made, once, when its
    contract takes force; the state keeps their running totals)."""
    return tuple(clause for clause in clauses if clause.KIND not in ONE_OFF_KINDS)


__all__ = [
    "AGI_DECLARED",
    "AGI_VERIFIED",
    "CLAUSE_KINDS",
    "LICENSE_SCOPES",
    "REFUSAL_SCOPES",
    "TERM",
    "WORKLOADS",
    "AgiDefinition",
    "Amendment",
    "Clause",
    "ComputeCommitment",
    "Equity",
    "Exclusivity",
    "Expiry",
    "FirstRefusal",
    "Investment",
    "License",
    "NonCompete",
    "RevenueShare",
    "carried_forward",
    "clause_fields",
    "clause_from_data",
    "clause_to_data",
    "is_year",
    "right_names",
]
