"""``agents.first_refusal.RofrPolicy``: when Microsoft matches an outside offer."""

from __future__ import annotations

import math

from agents.alternatives import Alternatives, MicrosoftAlternative
from agents.first_refusal import RofrPolicy
from events.clauses import License
from events.codec import Recorded
from events.model import (
    ContractSigned,
    Event,
    FirstRefusalExercised,
    OutsideOfferMade,
    OutsideOptionImproved,
)
from events.replay import fold
from events.state import ContractState

LICENSE = ContractSigned(
    "c", ("microsoft", "openai"), (License("microsoft", ("models",), expiry="term"),), False
)


def offer(value: float) -> OutsideOfferMade:
    return OutsideOfferMade("stargate", "openai", "cloud_capacity", value, 100.0)


def state_of(events: list[Event]) -> ContractState:
    return fold([Recorded(seq, 78.0, event) for seq, event in enumerate(events)])


def test_the_old_rule_matches_every_offer_up_to_the_largest() -> None:
    policy = RofrPolicy(max_match_bn=30.0)
    state = state_of([])
    assert policy.matches("microsoft", offer(30.0), state, 78.0)
    assert not policy.matches("microsoft", offer(30.001), state, 78.0)


def test_matches_stay_within_the_budget() -> None:
    policy = RofrPolicy(max_match_bn=100.0, budget_bn=30.0)
    spent = state_of([offer(20.0), FirstRefusalExercised("microsoft", 0, "stargate", 20.0)])
    assert spent.rofr_matched_bn == 20.0
    assert policy.matches("microsoft", offer(10.0), spent, 79.0)
    assert not policy.matches("microsoft", offer(10.5), spent, 79.0)
    assert policy.matches("microsoft", offer(30.0), state_of([]), 79.0)


def test_without_the_licence_a_match_is_not_worth_it() -> None:
    policy = RofrPolicy(max_match_bn=100.0, needs_license=True)
    assert not policy.matches("microsoft", offer(5.0), state_of([]), 78.0)
    assert policy.matches("microsoft", offer(5.0), state_of([LICENSE]), 78.0)


def test_microsoft_stops_matching_once_its_alternative_is_good_enough() -> None:
    alternatives = Alternatives(
        microsoft=MicrosoftAlternative(floor=0.1, contract_weight=0.2, options_weight=0.5)
    )
    policy = RofrPolicy(max_match_bn=100.0, walk_alternative=0.5, alternatives=alternatives)
    weak = state_of([LICENSE, OutsideOptionImproved("microsoft", "own_models", 0.3)])
    strong = state_of([LICENSE, OutsideOptionImproved("microsoft", "own_models", 0.4)])
    assert alternatives.value("microsoft", weak, 78.0) < 0.5  # 0.3 + 0.15
    assert policy.matches("microsoft", offer(5.0), weak, 78.0)
    assert not policy.matches("microsoft", offer(5.0), strong, 78.0)  # 0.3 + 0.2


def test_history_is_recognised_by_competitor_and_time() -> None:
    policy = RofrPolicy(history=(("coreweave", 74.29),))
    assert policy.is_history("coreweave", 74.29)
    assert not policy.is_history("coreweave", 74.3)
    assert not policy.is_history("google", 74.29)
    assert math.isinf(RofrPolicy().budget_bn)
