"""Contract terms: the typed value Microsoft and OpenAI negotiate over.

``Terms`` is complete (every partnership issue has a value); ``TermsPatch`` is a
partial set of terms (what a regulator's conditions or an amendment change).
``Outcome`` is the generic agreement of a non-partnership domain (e.g. the bilateral
buyer/seller demo): issue names with values, in the scenario's issue order.
"""

from __future__ import annotations

import math
from typing import Any, Final

import attrs
import orjson

CLOUD_ARRANGEMENTS: Final = ("exclusive", "rofr", "open")
IP_SCOPES: Final = ("none", "models", "models_and_infra")

IssueValue = bool | int | float | str
_IP_SET: Final = frozenset(IP_SCOPES)
_CLOUD_SET: Final = frozenset(CLOUD_ARRANGEMENTS)
_new = object.__new__
_set = object.__setattr__


def _year(value: object) -> int:
    """A calendar year: an int, or a float with no fractional part (never a bool)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"term_end must be a year (an integer), got {value!r}")
    if isinstance(value, float) and not value.is_integer():
        raise ValueError(f"term_end must be a year (an integer), got {value!r}")
    return int(value)


def finite_float(value: object) -> float:
    """A finite number as float (never a bool, a string, NaN or infinity)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"expected a number, got {value!r}")
    number = float(value)
    if not math.isfinite(number):
        raise ValueError(f"expected a finite number, got {value!r}")
    return number


def _optional(converter: Any) -> Any:
    return lambda value: None if value is None else converter(value)


def _is_bool(_: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, bool):
        raise ValueError(f"{attribute.name} must be true or false, got {value!r}")


def _fraction(_: object, attribute: attrs.Attribute[Any], value: float) -> None:
    if not 0.0 <= value <= 1.0:
        raise ValueError(f"{attribute.name} must be between 0 and 1, got {value!r}")


def _non_negative(_: object, attribute: attrs.Attribute[Any], value: float) -> None:
    if value < 0:
        raise ValueError(f"{attribute.name} must be >= 0, got {value!r}")


def _one_of(choices: tuple[str, ...]) -> Any:
    def check(_: object, attribute: attrs.Attribute[Any], value: str) -> None:
        if value not in choices:
            raise ValueError(f"{attribute.name} must be one of {', '.join(choices)}; got {value!r}")

    return check


@attrs.frozen(slots=True)
class Terms:
    """The partnership's terms.

    - ``term_end``: calendar year the contract runs to (2030 in mid-2025).
    - ``post_agi_access``: the AGI clause; True means Microsoft keeps its technology
      rights after AGI is declared ("forever deal"), False means they lapse.
    - ``ip_scope``: what OpenAI IP Microsoft may use: none, models, or models and
      infrastructure.
    - ``revenue_share``: fraction of OpenAI's revenue paid to Microsoft.
    - ``cloud``: exclusive (Azure only), rofr (Microsoft's right of first refusal on new
      capacity), or open.
    - ``equity``: Microsoft's economic stake in OpenAI, a fraction.
    - ``investment_bn``: new money Microsoft commits under these terms, USD bn.
    """

    term_end: int = attrs.field(converter=_year)
    post_agi_access: bool = attrs.field(validator=_is_bool)
    ip_scope: str = attrs.field(validator=_one_of(IP_SCOPES))
    revenue_share: float = attrs.field(converter=finite_float, validator=_fraction)
    cloud: str = attrs.field(validator=_one_of(CLOUD_ARRANGEMENTS))
    equity: float = attrs.field(converter=finite_float, validator=_fraction)
    investment_bn: float = attrs.field(converter=finite_float, validator=_non_negative)
    # Canonical JSON of these terms, made once: offers repeat, and encoding them is the
    # engine's hottest path. Not part of equality, hashing or the constructor.
    _json: bytes | None = attrs.field(init=False, default=None, eq=False, repr=False)

    def json_bytes(self) -> bytes:
        """Canonical JSON (sorted keys) of ``to_data()``, cached."""
        return self._json or _cache_json(self)

    def get(self, issue: str) -> IssueValue:
        """The value of one issue, by name (what utility functions read)."""
        return getattr(self, issue)  # type: ignore[no-any-return]

    def to_data(self) -> dict[str, IssueValue]:
        return {name: getattr(self, name) for name in TERMS_FIELDS}

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> Terms:
        """Terms from their JSON form. Replay decodes many of these, so well-formed data
        takes a fast path with the same checks inline; anything else goes through the
        validating constructor, which names what is wrong."""
        if len(data) == 7:
            term_end = data.get("term_end")
            post = data.get("post_agi_access")
            ip_scope = data.get("ip_scope")
            share = data.get("revenue_share")
            cloud = data.get("cloud")
            equity = data.get("equity")
            investment = data.get("investment_bn")
            if (
                type(term_end) is int
                and type(post) is bool
                and ip_scope in _IP_SET
                and type(share) is float
                and 0.0 <= share <= 1.0
                and cloud in _CLOUD_SET
                and type(equity) is float
                and 0.0 <= equity <= 1.0
                and type(investment) is float
                and 0.0 <= investment < math.inf
            ):
                terms = _new(cls)
                _set(terms, "term_end", term_end)
                _set(terms, "post_agi_access", post)
                _set(terms, "ip_scope", ip_scope)
                _set(terms, "revenue_share", share)
                _set(terms, "cloud", cloud)
                _set(terms, "equity", equity)
                _set(terms, "investment_bn", investment)
                _set(terms, "_json", None)
                return terms
        return cls(**data)

    def patched(self, patch: TermsPatch) -> Terms:
        """These terms with the fields a patch sets replaced."""
        return attrs.evolve(self, **patch.changes())


TERMS_FIELDS: Final = tuple(
    field.name for field in attrs.fields(Terms) if not field.name.startswith("_")
)


@attrs.frozen(slots=True)
class TermsPatch:
    """A partial change to terms; ``None`` means "unchanged"."""

    term_end: int | None = attrs.field(default=None, converter=_optional(_year))
    post_agi_access: bool | None = attrs.field(
        default=None, validator=attrs.validators.optional(_is_bool)
    )
    ip_scope: str | None = attrs.field(
        default=None, validator=attrs.validators.optional(_one_of(IP_SCOPES))
    )
    revenue_share: float | None = attrs.field(
        default=None,
        converter=_optional(finite_float),
        validator=attrs.validators.optional(_fraction),
    )
    cloud: str | None = attrs.field(
        default=None, validator=attrs.validators.optional(_one_of(CLOUD_ARRANGEMENTS))
    )
    equity: float | None = attrs.field(
        default=None,
        converter=_optional(finite_float),
        validator=attrs.validators.optional(_fraction),
    )
    investment_bn: float | None = attrs.field(
        default=None,
        converter=_optional(finite_float),
        validator=attrs.validators.optional(_non_negative),
    )

    def changes(self) -> dict[str, IssueValue]:
        return {name: value for name in TERMS_FIELDS if (value := getattr(self, name)) is not None}

    def to_data(self) -> dict[str, IssueValue]:
        return self.changes()

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> TermsPatch:
        return cls(**data)

    def __bool__(self) -> bool:
        return bool(self.changes())


@attrs.frozen(slots=True)
class Outcome:
    """A generic agreement: ``(issue, value)`` pairs in the scenario's issue order."""

    values: tuple[tuple[str, IssueValue], ...] = attrs.field(
        converter=lambda items: tuple((str(k), v) for k, v in items)
    )

    _json: bytes | None = attrs.field(init=False, default=None, eq=False, repr=False)

    def json_bytes(self) -> bytes:
        """Canonical JSON (sorted keys) of ``to_data()``, cached."""
        return self._json or _cache_json(self)

    def get(self, issue: str) -> IssueValue:
        for name, value in self.values:
            if name == issue:
                return value
        raise KeyError(issue)

    def to_data(self) -> dict[str, Any]:
        return {"issues": [list(pair) for pair in self.values]}

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> Outcome:
        return cls(tuple((name, value) for name, value in data["issues"]))


Offer = Terms | Outcome


def _cache_json(offer: Terms | Outcome) -> bytes:
    """Make and keep an offer's canonical JSON (the field is outside eq and hash)."""
    data = orjson.dumps(offer.to_data(), option=orjson.OPT_SORT_KEYS)
    _set(offer, "_json", data)
    return data


def offer_from_data(data: dict[str, Any]) -> Offer:
    """Decode an offer: generic outcomes carry an ``issues`` list, terms do not."""
    if "issues" in data:
        return Outcome.from_data(data)
    return Terms.from_data(data)
