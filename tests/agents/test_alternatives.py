"""``agents.compute_need`` and ``agents.alternatives``: the formulas, worked by hand on
states folded from small logs (times are months since 2019-01-01; 78 is 2025-07-01)."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from agents.alternatives import Alternatives, MicrosoftAlternative, OpenAIAlternative
from agents.compute_need import ComputeNeed
from events.clauses import License
from events.codec import Recorded
from events.model import (
    ContractSigned,
    Event,
    FirstRefusalExercised,
    MilestoneReached,
    OutsideDealAccepted,
    OutsideOfferMade,
    OutsideOptionImproved,
)
from events.replay import fold
from events.state import ContractState

NEED = ComputeNeed(at=78.0, revenue_bn=10.0, growth=2.0, per_revenue=3.0, until=114.0, cap_bn=200.0)
OPENAI = OpenAIAlternative(
    floor=0.1, compute_weight=0.4, funding_weight=0.2, funding_bn=20.0, funding_scale_bn=40.0
)
MICROSOFT = MicrosoftAlternative(floor=0.1, contract_weight=0.2, options_weight=0.5)
BOTH = Alternatives(need=NEED, openai=OPENAI, microsoft=MICROSOFT)
LICENSE = ContractSigned(
    "c", ("microsoft", "openai"), (License("microsoft", ("models",), expiry="agi_declared"),), False
)


def state_of(events: list[Event], t: float = 78.0) -> ContractState:
    return fold([Recorded(seq, t, event) for seq, event in enumerate(events)])


def offer(value: float, competitor: str = "stargate", expires: float = 79.0) -> OutsideOfferMade:
    return OutsideOfferMade(competitor, "openai", "cloud_capacity", value, expires)


# --- compute need ----------------------------------------------------------------------


def test_need_is_revenue_times_contracts_per_revenue_growing_yearly() -> None:
    assert NEED.need_bn(78.0) == pytest.approx(30.0)  # 3 * 10
    assert NEED.need_bn(90.0) == pytest.approx(60.0)  # a year later: doubled
    assert NEED.need_bn(84.0) == pytest.approx(30.0 * math.sqrt(2.0))


def test_need_is_flat_after_until_and_capped() -> None:
    assert NEED.need_bn(102.0) == pytest.approx(120.0)  # two years: x4
    assert NEED.need_bn(114.0) == pytest.approx(200.0)  # 3 years would be 240: capped
    assert NEED.need_bn(500.0) == NEED.need_bn(114.0)
    assert not NEED.growing(114.0)
    assert NEED.growing(100.0)
    flat = ComputeNeed(
        at=78.0, revenue_bn=10.0, growth=2.0, per_revenue=3.0, until=90.0, cap_bn=1e6
    )
    assert flat.need_bn(200.0) == pytest.approx(60.0)


def test_unmet_need_counts_deals_taken_offers_open_and_matches() -> None:
    events: list[Event] = [
        offer(5.0, "coreweave"),  # seq 0, taken at seq 1
        OutsideDealAccepted("openai", 0, "coreweave", 5.0),
        offer(7.0),  # seq 2: still open at t = 78
        offer(4.0, "google"),  # seq 3: matched by Microsoft at seq 4
        FirstRefusalExercised("microsoft", 3, "google", 4.0),
    ]
    state = state_of(events)
    assert state.outside_compute_bn == 5.0
    assert state.outside_pending_bn == {"stargate": 7.0}
    assert state.rofr_matched_bn == 4.0
    assert NEED.covered_bn(state) == 16.0
    assert NEED.unmet_bn(state, 78.0) == pytest.approx(14.0)
    # once the open offer has expired it no longer covers anything
    assert NEED.unmet_bn(fold_at(events, 80.0), 80.0) == pytest.approx(NEED.need_bn(80.0) - 9.0)


def fold_at(events: list[Event], t: float) -> ContractState:
    from events.replay import state_at

    return state_at([Recorded(seq, 78.0, event) for seq, event in enumerate(events)], t)


# --- OpenAI ----------------------------------------------------------------------------


def test_openai_with_nothing_outside_has_its_floor_and_funding() -> None:
    assert BOTH.value("openai", state_of([]), 78.0) == pytest.approx(0.1 + 0.2 * 0.5)


def test_openai_outside_compute_counts_against_its_need() -> None:
    state = state_of([offer(15.0), OutsideDealAccepted("openai", 0, "stargate", 15.0)])
    assert BOTH.value("openai", state, 78.0) == pytest.approx(0.1 + 0.4 * 0.5 + 0.1)
    # a year later the need has doubled: the same compute is worth half as much
    assert BOTH.value("openai", state, 90.0) == pytest.approx(0.1 + 0.4 * 0.25 + 0.1)


def test_openai_compute_beyond_its_need_is_capped() -> None:
    state = state_of([offer(500.0), OutsideDealAccepted("openai", 0, "stargate", 500.0)])
    assert BOTH.value("openai", state, 78.0) == pytest.approx(0.1 + 0.4 + 0.1)


def test_an_offer_matched_by_microsoft_is_no_alternative_for_openai() -> None:
    state = state_of([offer(15.0), FirstRefusalExercised("microsoft", 0, "stargate", 15.0)])
    assert BOTH.value("openai", state, 79.0) == BOTH.value("openai", state_of([]), 79.0)


# --- Microsoft -------------------------------------------------------------------------


def test_microsoft_alternative_is_the_contract_plus_its_options_as_substitutes() -> None:
    assert BOTH.value("microsoft", state_of([]), 78.0) == pytest.approx(0.1)
    assert BOTH.value("microsoft", state_of([LICENSE]), 78.0) == pytest.approx(0.3)
    options = [
        LICENSE,
        OutsideOptionImproved("microsoft", "own_models", 0.5),
        OutsideOptionImproved("microsoft", "other_labs", 0.2),
    ]
    # 1 - (1 - 0.5) * (1 - 0.2) = 0.6
    assert BOTH.value("microsoft", state_of(options), 78.0) == pytest.approx(0.3 + 0.5 * 0.6)


def test_microsoft_reads_the_latest_value_of_each_option_and_only_its_own() -> None:
    events: list[Event] = [
        OutsideOptionImproved("microsoft", "own_models", 0.2),
        OutsideOptionImproved("microsoft", "own_models", 0.4),
        OutsideOptionImproved("openai", "own_models", 1.0),
    ]
    assert BOTH.value("microsoft", state_of(events), 78.0) == pytest.approx(0.1 + 0.5 * 0.4)


def test_microsoft_alternative_falls_when_agi_ends_its_licence() -> None:
    declared = [LICENSE, MilestoneReached("agi", "openai", False)]
    before = BOTH.value("microsoft", state_of([LICENSE]), 78.0)
    assert BOTH.value("microsoft", state_of(declared), 78.0) == pytest.approx(before - 0.2)


# --- contract ----------------------------------------------------------------------------


def test_a_party_without_an_alternative_is_an_error() -> None:
    with pytest.raises(KeyError, match="no alternative for party 'buyer'"):
        BOTH.value("buyer", state_of([]), 0.0)
    with pytest.raises(KeyError):
        Alternatives(need=NEED, openai=OPENAI).value("microsoft", state_of([]), 0.0)


def test_floor_and_weights_above_one_are_refused() -> None:
    with pytest.raises(ValueError, match="floor \\+ weights must be <= 1"):
        MicrosoftAlternative(floor=0.5, contract_weight=0.3, options_weight=0.3)


@given(
    taken=st.lists(st.floats(0.0, 1000.0), max_size=5),
    options=st.lists(st.floats(0.0, 1.0), max_size=4),
    t=st.floats(0.0, 400.0),
    licensed=st.booleans(),
)
def test_values_lie_in_the_unit_interval_and_grow_with_what_is_secured(
    taken: list[float], options: list[float], t: float, licensed: bool
) -> None:
    events: list[Event] = [LICENSE] if licensed else []
    for value in taken:
        seq = len(events)
        events += [offer(value), OutsideDealAccepted("openai", seq, "stargate", value)]
    for index, value in enumerate(options):
        events.append(OutsideOptionImproved("microsoft", f"o{index}", value))
    state = state_of(events)
    for party in ("openai", "microsoft"):
        assert 0.0 <= BOTH.value(party, state, t) <= 1.0
    fewer = state_of(events[:-2] if taken and not options else events[:0])
    assert BOTH.value("openai", fewer, t) <= BOTH.value("openai", state, t) + 1e-12
