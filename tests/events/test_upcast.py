"""Old lines, written out literally, decode to today's events through the upcasters.

The lines are built by hand following the format in ``events/codec.py``: ``prev`` is
the SHA-256 of the previous line's bytes, ``hash`` the SHA-256 of the line without
its ``,"hash":"..."`` tail (closed with ``}``). Nothing here calls the encoder.
"""

from __future__ import annotations

import hashlib

from events.clauses import (
    Amendment,
    Equity,
    Exclusivity,
    FirstRefusal,
    Investment,
    License,
    RevenueShare,
)
from events.model import ContractSigned, OfferMade, RulingIssued, RunEnded, RunStarted
from events.replay import fold
from events.terms import Outcome
from events.verify import verify_bytes


def chain(bodies: list[bytes]) -> bytes:
    """Seal and chain line bodies, each given up to (excluding) its ``,"prev"`` key."""
    prev = "0" * 64
    lines = []
    for body in bodies:
        head = body + b',"prev":"' + prev.encode() + b'"'
        seal = hashlib.sha256(head + b"}").hexdigest()
        line = head + b',"hash":"' + seal.encode() + b'"}'
        lines.append(line)
        prev = hashlib.sha256(line).hexdigest()
    return b"".join(line + b"\n" for line in lines)


RUN_STARTED_V1 = (
    b'{"seq":0,"t":0.0,"type":"RunStarted","v":1,"data":{"drawn":{},'
    b'"package_version":"0.0.9","scenario":{"name":"v1"},"schema":1,"seed":"7",'
    b'"start_date":"2019-01-01","time_unit":"month"}'
)
OFFER_MADE_V1 = (
    b'{"seq":1,"t":78.0,"type":"OfferMade","v":1,"data":{"from":"microsoft",'
    b'"reply_to":null,"terms":{"cloud":"rofr","equity":0.3,"investment_bn":5.0,'
    b'"ip_scope":"models","post_agi_access":true,"revenue_share":0.15,"term_end":2034},'
    b'"to":"openai"}'
)
OFFER_MADE_V1_REPLY = (
    b'{"seq":2,"t":79.0,"type":"OfferMade","v":1,"data":{"from":"openai",'
    b'"reply_to":1,"terms":{"cloud":"open","equity":0.25,"investment_bn":0,'
    b'"ip_scope":"none","post_agi_access":false,"revenue_share":0.1,"term_end":2031},'
    b'"to":"microsoft"}'
)
RULING_BLOCKED_V1 = (
    b'{"seq":3,"t":90.0,"type":"RulingIssued","v":1,'
    b'"data":{"approved":false,"contract_id":"ms-oai-ext","regulator":"uk-cma"}'
)
RULING_APPROVED_V1 = (
    b'{"seq":4,"t":91.0,"type":"RulingIssued","v":1,'
    b'"data":{"approved":true,"contract_id":"ms-oai-ext","regulator":"us-ftc"}'
)
RUN_ENDED_V1 = b'{"seq":5,"t":92.0,"type":"RunEnded","v":1,"data":{"reason":"horizon"}'


def legacy(*values: object) -> Outcome:
    names = ("term_end", "post_agi_access", "ip_scope", "revenue_share", "cloud", "equity")
    return Outcome(tuple(zip((*names, "investment_bn"), values, strict=True)))


def test_v1_lines_decode_to_current_events() -> None:
    data = chain(
        [
            RUN_STARTED_V1,
            OFFER_MADE_V1,
            OFFER_MADE_V1_REPLY,
            RULING_BLOCKED_V1,
            RULING_APPROVED_V1,
            RUN_ENDED_V1,
        ]
    )
    verified = verify_bytes(data, name="v1.jsonl")
    events = [record.event for record in verified.records]
    assert events[0] == RunStarted({"name": "v1"}, "7", 1, "0.0.9", "2019-01-01", "month", {})
    # The seven fixed terms of v1 become one outcome, in the old field order.
    assert events[1] == OfferMade(
        sender="microsoft",
        receiver="openai",
        terms=legacy(2034, True, "models", 0.15, "rofr", 0.3, 5.0),
        reply_to=None,
        round=0,
    )
    assert events[2] == OfferMade(
        "openai", "microsoft", legacy(2031, False, "none", 0.1, "open", 0.25, 0), 1, 0
    )
    assert events[3] == RulingIssued("uk-cma", "ms-oai-ext", "blocked", Amendment())
    assert events[4] == RulingIssued("us-ftc", "ms-oai-ext", "approved", Amendment())
    assert events[5] == RunEnded("horizon")
    assert [r.t for r in verified.records] == [0.0, 78.0, 79.0, 90.0, 91.0, 92.0]
    last_line = data.split(b"\n")[-2]
    assert verified.digest == hashlib.sha256(last_line).hexdigest()


def test_a_v1_log_replays() -> None:
    data = chain([RUN_STARTED_V1, OFFER_MADE_V1, RUN_ENDED_V1.replace(b'"seq":5', b'"seq":2')])
    state = fold(verify_bytes(data).records)
    assert state.talks == "open" and state.status == "negotiating" and state.seq == 2


CONTRACT_SIGNED_V1 = (
    b'{"seq":1,"t":6.0,"type":"ContractSigned","v":1,"data":{"agi_clause":{"lapses":'
    b'["ip_access"],"on":"verified"},"contract_id":"c-2019","investment_bn":1.0,'
    b'"parties":["microsoft","openai"],"review":false,"terms":{"cloud":"rofr",'
    b'"equity":0.49,"investment_bn":1.0,"ip_scope":"models_and_infra",'
    b'"post_agi_access":false,"revenue_share":0.2,"term_end":2030}}'
)
RULING_CONDITIONS_V2 = (
    b'{"seq":2,"t":7.0,"type":"RulingIssued","v":2,"data":{"conditions":{"cloud":"open",'
    b'"ip_scope":"models"},"contract_id":"c-2019","outcome":"approved_with_conditions",'
    b'"regulator":"uk-cma"}'
)


def test_a_v1_contract_becomes_its_clauses_each_with_its_own_expiry() -> None:
    data = chain([RUN_STARTED_V1, CONTRACT_SIGNED_V1])
    signed = verify_bytes(data, require_end=False).records[1].event
    assert isinstance(signed, ContractSigned)
    assert signed.term_end == 2030 and signed.review is False
    # The old clause lapsed ip_access on verification only, and left the revenue
    # share alone; "rofr" was API exclusivity plus the first refusal on compute.
    assert set(signed.clauses) == {
        License("microsoft", ("models", "infrastructure"), expiry="agi_verified"),
        RevenueShare("openai", "microsoft", 0.2),
        Exclusivity("microsoft", "api"),
        FirstRefusal("microsoft", "compute", 1.0),
        Equity("microsoft", 0.49),
        Investment("microsoft", 1.0),
    }


def test_a_v2_ruling_patch_becomes_an_amendment_of_clauses() -> None:
    data = chain([RUN_STARTED_V1, CONTRACT_SIGNED_V1, RULING_CONDITIONS_V2])
    ruling = verify_bytes(data, require_end=False).records[2].event
    assert isinstance(ruling, RulingIssued)
    amended = set(
        ruling.conditions.apply(verify_bytes(data, require_end=False).records[1].event.clauses)
    )
    # "open" cloud: no exclusivity, no first refusal; "models": no infrastructure licence.
    assert amended == {
        License("microsoft", ("models",), expiry="agi_verified"),
        RevenueShare("openai", "microsoft", 0.2),
        Equity("microsoft", 0.49),
        Investment("microsoft", 1.0),
    }
