"""Upcasters: small named functions turning an older event schema into the next.

Every log written by an earlier negsim still verifies and replays: ``decode_event``
applies these in order (``OfferMade`` v1 -> v2 -> v3, ...) before building the
current class. The partnership's v1 contracts were seven fixed fields
(``term_end, post_agi_access, ip_scope, revenue_share, cloud, equity,
investment_bn``) and one scenario-wide AGI clause; ``legacy_clauses`` re-expresses
them as clauses with their own expiries. Two parameters the old form never
recorded take documented defaults: the ROFR's window (1 month, the value every
built-in scenario used) and the equity's valuation (unknown).
"""

from __future__ import annotations

from typing import Any, Final

from events.codec import upcaster

LEGACY_FIELDS: Final = (
    "term_end",
    "post_agi_access",
    "ip_scope",
    "revenue_share",
    "cloud",
    "equity",
    "investment_bn",
)
_HOLDER: Final = "microsoft"  # v1 partnership logs always had these two parties
_PARTNER: Final = "openai"
_LEGACY_SCOPES: Final = {
    "none": [],
    "models": ["models"],
    "models_and_infra": ["models", "infrastructure"],
}


def _legacy_outcome(terms: Any) -> Any:
    """A v1/v2 offer's terms as an outcome: generic ones already are; partnership
    ``Terms`` (a dict of the seven fields) become the seven issues in order."""
    if isinstance(terms, dict) and "issues" not in terms:
        if set(terms) != set(LEGACY_FIELDS):
            raise ValueError(f"terms must hold {', '.join(LEGACY_FIELDS)}, got {sorted(terms)}")
        return {"issues": [[name, terms[name]] for name in LEGACY_FIELDS]}
    return terms


def _agi_expiry(right: str, terms: dict[str, Any], clause: dict[str, Any]) -> str:
    lapses = clause.get("lapses", [])
    if terms.get("post_agi_access") or right not in lapses:
        return "term"
    return "agi_verified" if clause.get("on") == "verified" else "agi_declared"


def legacy_clauses(
    terms: dict[str, Any], clause: dict[str, Any], investment: Any
) -> list[dict[str, Any]]:
    """The clauses a v1 partnership contract (seven fields + AGI clause) granted."""
    clauses: list[dict[str, Any]] = []
    scope = _LEGACY_SCOPES.get(terms["ip_scope"])
    if scope is None:
        raise ValueError(f"ip_scope must be one of {', '.join(_LEGACY_SCOPES)}")
    if scope:
        clauses.append(
            {
                "kind": "license",
                "licensee": _HOLDER,
                "scope": scope,
                "expiry": _agi_expiry("ip_access", terms, clause),
            }
        )
    if terms["revenue_share"]:
        clauses.append(
            {
                "kind": "revenue_share",
                "payer": _PARTNER,
                "payee": _HOLDER,
                "rate": terms["revenue_share"],
                "expiry": _agi_expiry("revenue_share_to_microsoft", terms, clause),
            }
        )
    clauses += _cloud_clauses(terms["cloud"])
    clauses.append({"kind": "equity", "holder": _HOLDER, "share": terms["equity"]})
    clauses.append({"kind": "investment", "investor": _HOLDER, "amount_bn": investment})
    return clauses


def _cloud_clauses(cloud: object) -> list[dict[str, Any]]:
    if cloud == "exclusive":
        return [{"kind": "exclusivity", "provider": _HOLDER, "workload": "all"}]
    if cloud == "rofr":
        return [
            {"kind": "exclusivity", "provider": _HOLDER, "workload": "api"},
            {"kind": "first_refusal", "holder": _HOLDER, "scope": "compute", "window_months": 1.0},
        ]
    if cloud == "open":
        return []
    raise ValueError(f"cloud must be exclusive, rofr or open, got {cloud!r}")


_CLOUD_RIGHTS: Final = ["exclusivity.all", "exclusivity.api", "first_refusal.compute"]


def legacy_conditions(patch: dict[str, Any]) -> dict[str, Any]:
    """A v2 ruling's terms patch as an amendment of clauses. ``post_agi_access``
    changed expiries the amendment cannot name; it is dropped (no built-in scenario
    ever imposed it)."""
    remove: list[str] = []
    add: list[dict[str, Any]] = []
    amendment: dict[str, Any] = {}
    if "cloud" in patch:
        remove += _CLOUD_RIGHTS
        add += _cloud_clauses(patch["cloud"])
    if "ip_scope" in patch:
        scope = _LEGACY_SCOPES.get(patch["ip_scope"])
        if scope is None:
            raise ValueError(f"ip_scope must be one of {', '.join(_LEGACY_SCOPES)}")
        remove += [f"license.{name}" for name in ("models", "infrastructure") if name not in scope]
    if "revenue_share" in patch:
        remove.append("revenue_share.openai_to_microsoft")
        add.append(
            {
                "kind": "revenue_share",
                "payer": _PARTNER,
                "payee": _HOLDER,
                "rate": patch["revenue_share"],
            }
        )
    if "equity" in patch:
        add.append({"kind": "equity", "holder": _HOLDER, "share": patch["equity"]})
    if "term_end" in patch:
        amendment["term_end"] = patch["term_end"]
    amendment.update(remove=remove, add=add)
    return amendment


@upcaster("OfferMade", 1)
def upcast_offer_made_v1_v2(data: dict[str, Any]) -> dict[str, Any]:
    """v1 named the parties ``from``/``to`` and had no round number."""
    return {
        "sender": data["from"],
        "receiver": data["to"],
        "terms": data["terms"],
        "reply_to": data.get("reply_to"),
        "round": 0,
    }


@upcaster("OfferMade", 2)
def upcast_offer_made_v2_v3(data: dict[str, Any]) -> dict[str, Any]:
    """v2 wrote partnership offers as seven fixed fields; v3 has one offer type."""
    return {**data, "terms": _legacy_outcome(data["terms"])}


@upcaster("OfferAccepted", 1)
def upcast_offer_accepted_v1_v2(data: dict[str, Any]) -> dict[str, Any]:
    """v1 wrote partnership terms as seven fixed fields; v2 has one offer type."""
    return {**data, "terms": _legacy_outcome(data["terms"])}


@upcaster("ContractSigned", 1)
def upcast_contract_signed_v1_v2(data: dict[str, Any]) -> dict[str, Any]:
    """v1 held fixed terms, the new money and a scenario-wide AGI clause; v2 holds
    the clauses themselves, each with its own expiry."""
    terms = data["terms"]
    clause = data.get("agi_clause") or {}
    if not isinstance(clause, dict):
        raise ValueError("agi_clause must be an object")
    upcast: dict[str, Any] = {
        "contract_id": data["contract_id"],
        "parties": data["parties"],
        "review": data["review"],
    }
    if isinstance(terms, dict) and "issues" not in terms:
        outcome = _legacy_outcome(terms)
        upcast.update(
            clauses=legacy_clauses(terms, clause, data["investment_bn"]),
            terms=outcome,
            term_end=terms["term_end"],
        )
    else:
        upcast.update(clauses=[], terms=terms, term_end=None)
    return upcast


@upcaster("RulingIssued", 1)
def upcast_ruling_issued_v1_v2(data: dict[str, Any]) -> dict[str, Any]:
    """v1 had a boolean ``approved`` and no conditions."""
    return {
        "regulator": data["regulator"],
        "contract_id": data["contract_id"],
        "outcome": "approved" if data["approved"] else "blocked",
        "conditions": {},
    }


@upcaster("RulingIssued", 3)
def upcast_ruling_issued_v3_v4(data: dict[str, Any]) -> dict[str, Any]:
    """v4 only adds outcomes (no_jurisdiction, inquiry); v3 data is v4 data."""
    return data


@upcaster("RulingIssued", 2)
def upcast_ruling_issued_v2_v3(data: dict[str, Any]) -> dict[str, Any]:
    """v2's conditions patched the seven fixed terms; v3's amend the clauses."""
    conditions = data["conditions"]
    if not isinstance(conditions, dict):
        raise ValueError("conditions must be an object")
    return {**data, "conditions": legacy_conditions(conditions)}


@upcaster("RulingIssued", 4)
def upcast_ruling_issued_v4_v5(data: dict[str, Any]) -> dict[str, Any]:
    """v5 adds ``in_force`` (a ruling on the contract in force); every v4 ruling was on
    a signed deal awaiting clearance."""
    return {**data, "in_force": False}


@upcaster("ReviewOpened", 1)
def upcast_review_opened_v1_v2(data: dict[str, Any]) -> dict[str, Any]:
    """v2 adds ``in_force`` (a review of the contract in force); every v1 review was
    of a signed deal awaiting clearance."""
    return {**data, "in_force": False}
