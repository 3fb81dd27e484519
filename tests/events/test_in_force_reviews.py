"""Regulators' reviews of the contract in force, complaints, and the AGI definition
in the fold (``ReviewOpened``/``RulingIssued`` with ``in_force``, ``RegulatorAsked``)."""

from __future__ import annotations

import pytest

from events.clauses import AgiDefinition, Amendment, Equity, Exclusivity, FirstRefusal, License
from events.codec import Recorded, decode_event
from events.model import (
    ContractSigned,
    Event,
    RegulatorAsked,
    ReviewOpened,
    RulingIssued,
    RunStarted,
)
from events.replay import fold, state_at

PARTIES = ("microsoft", "openai")
CLAUSES = (
    License("microsoft", ("models",)),
    Exclusivity("microsoft", "api"),
    FirstRefusal("microsoft", "compute", 1.0),
    Equity("microsoft", 0.49),
    AgiDefinition("openai", False),
)


def records(*events: tuple[float, Event]) -> list[Recorded]:
    started = RunStarted({}, "0", 2, "0", "2019-01-01")
    out = [Recorded(0, 0.0, started)]
    for seq, (t, event) in enumerate(events, start=1):
        out.append(Recorded(seq, t, event))
    return out


def in_force(contract: str = "c1") -> ContractSigned:
    return ContractSigned(contract, PARTIES, CLAUSES, review=False, term_end=2030)


def test_old_reviews_and_rulings_upcast_to_reviews_of_a_deal() -> None:
    review = decode_event("ReviewOpened", 1, {"regulator": "cma", "contract_id": "x", "due": 3.0})
    assert review == ReviewOpened("cma", "x", 3.0, in_force=False)
    data = {"regulator": "cma", "contract_id": "x", "outcome": "no_jurisdiction", "conditions": {}}
    assert decode_event("RulingIssued", 4, data) == RulingIssued("cma", "x", "no_jurisdiction")
    assert decode_event("RulingIssued", 4, data).in_force is False


def test_a_contract_in_force_is_never_blocked_nor_its_end_moved() -> None:
    with pytest.raises(ValueError, match="cannot be blocked"):
        RulingIssued("cma", "c1", "blocked", in_force=True)
    with pytest.raises(ValueError, match="term_end"):
        RulingIssued("ftc", "c1", "approved_with_conditions", Amendment(term_end=2031), True)
    RulingIssued("cma", "c1", "blocked")  # a deal awaiting clearance may be blocked


def test_an_open_inquiry_leaves_the_contract_in_force_and_a_ruling_closes_it() -> None:
    log = records(
        (1.0, in_force()),
        (2.0, ReviewOpened("cma", "c1", 5.0, in_force=True)),
        (5.0, RulingIssued("cma", "c1", "no_jurisdiction", in_force=True)),
    )
    during = state_at(log, 3.0)
    assert during.status == "in_force" and during.contract_id == "c1"
    assert during.in_force_reviews == (("cma", "open"),)
    assert during.reviews == ()  # no deal is awaiting clearance
    after = fold(log)
    assert after.in_force_reviews == (("cma", "no_jurisdiction"),)
    assert after.clauses == CLAUSES and after.status == "in_force"
    assert after.to_data()["in_force_reviews"] == {"cma": "no_jurisdiction"}


def test_conditions_on_the_contract_in_force_amend_it() -> None:
    added = Exclusivity("microsoft", "new_capacity")
    conditions = Amendment(("exclusivity.api", "first_refusal.compute"), (added,))
    log = records(
        (1.0, in_force()),
        (2.0, ReviewOpened("ftc", "c1", 4.0, in_force=True)),
        (3.0, RulingIssued("ftc", "c1", "inquiry", in_force=True)),
        (4.0, RulingIssued("ftc", "c1", "approved_with_conditions", conditions, True)),
    )
    assert state_at(log, 3.5).in_force_reviews == (("ftc", "inquiry"),)
    state = fold(log)
    assert state.in_force_reviews == (("ftc", "approved_with_conditions"),)
    assert state.contract_id == "c1" and state.status == "in_force"
    assert not state.holds("exclusivity.api") and not state.holds("first_refusal.compute")
    assert state.holds("exclusivity.new_capacity") and state.holds("license.models")
    assert state.equity == {"microsoft": 0.49}


def test_reviews_of_a_pending_deal_and_of_the_contract_in_force_stay_apart() -> None:
    deal = ContractSigned("deal", PARTIES, CLAUSES[:2], review=True, term_end=2035)
    log = records(
        (1.0, in_force()),
        (2.0, ReviewOpened("ftc", "c1", 9.0, in_force=True)),
        (3.0, deal),
        (4.0, ReviewOpened("ftc", "deal", 6.0)),
        (6.0, RulingIssued("ftc", "deal", "approved")),
    )
    state = fold(log)
    assert state.contract_id == "deal"  # the deal cleared and took force
    assert state.reviews == (("ftc", "approved"),)
    assert state.in_force_reviews == (("ftc", "open"),)  # its inquiry goes on


def test_complaints_are_recorded_in_order() -> None:
    log = records(
        (1.0, in_force()),
        (2.0, RegulatorAsked("openai", "ftc", "c1")),
        (3.0, RegulatorAsked("microsoft", "cma", "c1")),
    )
    state = fold(log)
    assert state.complaints == (("openai", "ftc"), ("microsoft", "cma"))
    assert state.to_data()["complaints"] == [["openai", "ftc"], ["microsoft", "cma"]]


def test_the_agi_definition_in_force_follows_its_own_expiry() -> None:
    panel = AgiDefinition("openai", True, 6.0, expiry="2020-06-30")
    log = records((1.0, ContractSigned("c1", PARTIES, (panel,), review=False, term_end=2030)))
    assert state_at(log, 2.0).agi_definition == panel
    assert state_at(log, 24.0).agi_definition is None  # lapsed on 2020-06-30
    assert fold(records()).agi_definition is None
