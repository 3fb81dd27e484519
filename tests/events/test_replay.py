"""Replay: contract state derived by folding the log, checked against hand-worked values.

Times are months since 2019-01-01 (``tests/logs.py``): 2025-07-01 is 6 * 12 + 6 = 78.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import attrs
import orjson
import pytest
from hypothesis import given

from events.clauses import (
    Amendment,
    ComputeCommitment,
    Equity,
    Exclusivity,
    FirstRefusal,
    Investment,
    License,
    RevenueShare,
)
from events.codec import Recorded
from events.model import (
    ContractExpired,
    ContractSigned,
    Event,
    FirstRefusalExercised,
    MilestoneReached,
    ReviewOpened,
    RulingIssued,
    RunEnded,
)
from events.replay import Folder, around_agi, around_milestone, fold, milestone_index, state_at
from events.state import ContractState
from events.terms import Outcome
from events.verify import verify_bytes
from tests import strategies as gen
from tests.logs import (
    BOTH,
    CLAUSES_2019,
    CLAUSES_2021,
    CLAUSES_2023,
    CLAUSES_2025,
    CLAUSES_EXTENSION,
    CLAUSES_EXTENSION_IN_FORCE,
    MS,
    OAI,
    OFFER_MS_2,
    PARTNERSHIP,
    SEQ_AGI_DECLARED,
    SEQ_AGI_VERIFIED,
    build_log,
    partnership_log,
    run_started,
)

ROOT = Path(__file__).resolve().parents[2]
RECORDS = verify_bytes(partnership_log()).records
# Every right the history grants (a state lists each right granted so far).
RIGHTS_2025 = {
    "license.models": True,
    "license.infrastructure": True,
    "revenue_share.openai_to_microsoft": True,
    "exclusivity.all": False,  # replaced by API exclusivity and a ROFR in January 2025
    "exclusivity.api": True,
    "first_refusal.compute": True,
}
# The extension in force (after the CMA's conditions): an open cloud.
RIGHTS_EXTENSION = {
    **RIGHTS_2025,
    "exclusivity.api": False,
    "first_refusal.compute": False,
}
RIGHTS_AFTER_VERIFICATION = {
    **RIGHTS_EXTENSION,
    "license.models": False,
    "license.infrastructure": False,
    "revenue_share.openai_to_microsoft": False,
}
NO_RIGHTS = dict.fromkeys(RIGHTS_2025, False)


def records_of(pairs: list[tuple[float, Event]]) -> list[Recorded]:
    return [Recorded(seq, t, event) for seq, (t, event) in enumerate(pairs)]


# --- the partnership history -----------------------------------------------------------


def test_state_in_mid_2025_matches_the_seed() -> None:
    state = state_at(RECORDS, 78.0)  # 2025-07-01
    assert state.status == "in_force"
    assert state.investment_total_bn == 13  # 1 + 2 + 10
    assert state.term_end == 2030
    assert state.clauses == CLAUSES_2025
    assert state.contract_id == "ms-oai-2025"
    assert state.rights == RIGHTS_2025
    assert state.equity == {MS: 0.49}
    assert state.talks == "not_started"
    assert (state.seq, state.t) == (4, 78.0)


@pytest.mark.parametrize(
    ("t", "seq", "status", "clauses", "total"),
    [
        (0.0, 0, "negotiating", (), 0),
        (5.99, 0, "negotiating", (), 0),
        (6.0, 1, "in_force", CLAUSES_2019, 1),  # 2019-07-01
        (36.0, 2, "in_force", CLAUSES_2021, 3),  # 2022-01-01
        (53.0, 3, "in_force", CLAUSES_2023, 13),  # 2023-06-01
        (72.5, 3, "in_force", CLAUSES_2023, 13),  # 2025-01-16, before the amendment
        (73.0, 4, "in_force", CLAUSES_2025, 13),  # 2025-02-01
        (81.0, 12, "signed", CLAUSES_2025, 13),  # extension signed, awaiting review
        (82.0, 13, "under_review", CLAUSES_2025, 13),
        (89.9, 18, "under_review", CLAUSES_2025, 13),  # one approval, one open
        (90.0, 19, "in_force", CLAUSES_EXTENSION_IN_FORCE, 18),  # approved with conditions
        (150.0, 21, "in_force", CLAUSES_EXTENSION_IN_FORCE, 18),  # 2031-07-01
        (192.0, 23, "expired", (), 18),
        (1e4, 23, "expired", (), 18),
    ],
)
def test_state_at_several_times(
    t: float, seq: int, status: str, clauses: tuple[object, ...], total: float
) -> None:
    state = state_at(RECORDS, t)
    assert (state.seq, state.status, state.clauses, state.investment_total_bn) == (
        seq,
        status,
        clauses,
        total,
    )


def test_review_path_reviews_and_pending_clauses() -> None:
    assert state_at(RECORDS, 81.0).pending_terms == OFFER_MS_2
    assert state_at(RECORDS, 81.0).pending_clauses == CLAUSES_EXTENSION
    assert state_at(RECORDS, 81.0).reviews == ()
    assert state_at(RECORDS, 82.0).reviews == (("uk-cma", "open"),)
    assert state_at(RECORDS, 83.0).reviews == (("uk-cma", "open"), ("us-ftc", "open"))
    assert state_at(RECORDS, 88.0).reviews == (("uk-cma", "open"), ("us-ftc", "approved"))
    assert state_at(RECORDS, 88.0).pending_terms == OFFER_MS_2
    in_force = state_at(RECORDS, 90.0)
    assert in_force.reviews == (("uk-cma", "approved_with_conditions"), ("us-ftc", "approved"))
    assert in_force.pending_terms is None and in_force.pending_clauses == ()
    # The conditions (an open cloud) amend the clauses that take force.
    assert in_force.clauses == CLAUSES_EXTENSION_IN_FORCE
    assert in_force.terms == OFFER_MS_2
    assert in_force.rights == RIGHTS_EXTENSION
    assert (in_force.term_end, in_force.equity) == (2034, {MS: 0.3})
    assert in_force.contract_id == "ms-oai-ext"


def test_talks_and_outside_deals() -> None:
    assert state_at(RECORDS, 78.0).talks == "not_started"
    assert state_at(RECORDS, 79.0).talks == "open"
    assert state_at(RECORDS, 79.0).talks_outcome is None
    ended = state_at(RECORDS, 81.0)
    assert (ended.talks, ended.talks_outcome) == ("closed", "agreement")
    assert state_at(RECORDS, 86.5).outside_deals == ()
    assert state_at(RECORDS, 87.0).outside_deals == ("oracle",)
    assert state_at(RECORDS, 87.0).rofr_exercised == 0  # waived, not exercised


def test_agi_declared_then_verified_lapses_rights_waiting_for_verification() -> None:
    declared = state_at(RECORDS, 96.0)
    assert (declared.agi_declared, declared.agi_verified, declared.agi_time) == (True, False, 96.0)
    assert declared.rights == RIGHTS_EXTENSION  # the clauses lapse only on verification
    verified = state_at(RECORDS, 102.0)
    assert (verified.agi_declared, verified.agi_verified, verified.agi_time) == (True, True, 96.0)
    assert verified.agi_verified_time == 102.0
    assert verified.rights == RIGHTS_AFTER_VERIFICATION
    assert verified.holds("license.models") is False


def test_final_state() -> None:
    final = fold(RECORDS)
    assert final.status == "expired"
    assert final.terms is None and final.contract_id is None
    assert final.clauses == () and final.term_end is None
    assert final.rights == NO_RIGHTS
    assert final.investment_total_bn == 18
    assert (final.seq, final.t) == (23, 192.0)


def test_around_the_agi_declaration() -> None:
    around = around_milestone(RECORDS, "agi")
    assert around is not None
    before, after = around
    assert (before.seq, after.seq) == (SEQ_AGI_DECLARED - 1, SEQ_AGI_DECLARED)
    assert before.agi_declared is False and after.agi_declared is True
    assert before.rights == after.rights == RIGHTS_EXTENSION
    assert before.clauses == after.clauses == CLAUSES_EXTENSION_IN_FORCE
    assert milestone_index(RECORDS, "agi") == SEQ_AGI_DECLARED


def test_after_agi_waits_for_the_verification_a_clause_in_force_waits_for() -> None:
    around = around_agi(RECORDS)
    assert around is not None
    assert (around.declared_at, around.verified_at) == (96.0, 102.0)
    assert around.before.seq == SEQ_AGI_DECLARED - 1
    assert around.after.seq == SEQ_AGI_VERIFIED
    assert around.before.rights == RIGHTS_EXTENSION
    assert around.after.rights == RIGHTS_AFTER_VERIFICATION


def test_after_agi_is_the_declaration_when_no_clause_waits() -> None:
    clauses = (License(MS, ("models",), expiry="agi_declared"), Exclusivity(MS, "api"))
    pairs: list[tuple[float, Event]] = [
        (0.0, run_started()),
        (1.0, ContractSigned("c", BOTH, clauses, False, term_end=2030)),
        (2.0, MilestoneReached("agi", OAI, False)),
        (3.0, MilestoneReached("agi", "panel", True)),
    ]
    around = around_agi(records_of(pairs))
    assert around is not None and around.after.seq == 2
    assert around.after.rights == {"license.models": False, "exclusivity.api": True}


def test_around_milestone_without_agi_is_none() -> None:
    records = RECORDS[:SEQ_AGI_DECLARED]
    assert around_milestone(records, "agi") is None
    assert around_milestone(records, "agi-verified") is None
    assert around_agi(records) is None
    with pytest.raises(ValueError, match="unknown milestone"):
        around_milestone(RECORDS, "singularity")


def test_to_data_is_json_with_the_documented_keys() -> None:
    data = orjson.loads(orjson.dumps(state_at(RECORDS, 90.0).to_data()))
    assert data["terms"] == {
        "term_end": 2034,
        "ip_expiry": "agi_verified",
        "revenue_share": 0.15,
        "cloud": "rofr",
        "equity": 0.3,
    }
    assert data["clauses"][0] == {
        "kind": "license",
        "licensee": "microsoft",
        "scope": ["models", "infrastructure"],
        "expiry": "agi_verified",
    }
    assert data["reviews"] == {"uk-cma": "approved_with_conditions", "us-ftc": "approved"}
    assert data["rights"] == RIGHTS_EXTENSION
    assert data["equity"] == {"microsoft": 0.3}
    assert (data["status"], data["investment_total_bn"], data["seq"], data["t"]) == (
        "in_force",
        18,
        19,
        90.0,
    )


# --- blocked deals, conditions, AGI clauses: small hand-made logs ----------------------

PRELUDE: list[tuple[float, Event]] = [
    (0.0, run_started()),
    (48.0, ContractSigned("ms-oai-2023", BOTH, CLAUSES_2023, False, term_end=2030)),
    (81.0, ContractSigned("ext", BOTH, CLAUSES_EXTENSION, True, OFFER_MS_2, 2034)),
    (82.0, ReviewOpened("uk-cma", "ext", 90)),
    (82.0, ReviewOpened("us-ftc", "ext", 88)),
]


def test_a_blocked_deal_keeps_the_old_contract_in_force() -> None:
    pairs = [
        *PRELUDE,
        (88.0, RulingIssued("us-ftc", "ext", "approved")),
        (90.0, RulingIssued("uk-cma", "ext", "blocked")),
    ]
    state = fold(records_of(pairs))
    assert state.status == "blocked"
    assert state.clauses == CLAUSES_2023 and state.contract_id == "ms-oai-2023"
    assert state.pending_terms is None and state.pending_clauses == ()
    assert state.investment_total_bn == 10  # the blocked 5 bn never flowed
    assert state.reviews == (("uk-cma", "blocked"), ("us-ftc", "approved"))
    # A ruling after the block has nothing pending to act on, but it is on record.
    late = fold(records_of([*pairs, (91.0, RulingIssued("eu", "ext", "approved"))]))
    assert late.clauses == CLAUSES_2023 and late.status == "blocked"
    assert late.reviews == (("eu", "approved"), ("uk-cma", "blocked"), ("us-ftc", "approved"))


def test_conditions_from_several_regulators_accumulate() -> None:
    smaller_stake = Amendment(add=(Equity(MS, 0.2),))
    open_cloud = Amendment(remove=("exclusivity.api", "first_refusal.compute"))
    pairs = [
        *PRELUDE,
        (88.0, RulingIssued("us-ftc", "ext", "approved_with_conditions", smaller_stake)),
        (90.0, RulingIssued("uk-cma", "ext", "approved_with_conditions", open_cloud)),
    ]
    state = fold(records_of(pairs))
    assert state.status == "in_force"
    assert set(state.clauses) == {
        License(MS, ("models", "infrastructure"), expiry="agi_verified"),
        RevenueShare(OAI, MS, 0.15, expiry="agi_verified"),
        Equity(MS, 0.2),
        Investment(MS, 5.0),
    }
    assert state.equity == {MS: 0.2}
    assert state.investment_total_bn == 15


def test_a_condition_can_end_the_contract_earlier() -> None:
    pairs = [
        *PRELUDE,
        (88.0, RulingIssued("us-ftc", "ext", "approved")),
        (90.0, RulingIssued("uk-cma", "ext", "approved_with_conditions", Amendment(term_end=2031))),
    ]
    assert fold(records_of(pairs)).term_end == 2031


def test_rulings_and_reviews_on_another_contract_are_ignored() -> None:
    pairs = [
        *PRELUDE,
        (83.0, ReviewOpened("eu", "other", 90)),
        (84.0, RulingIssued("us-ftc", "other", "blocked")),
    ]
    state = fold(records_of(pairs))
    assert state.status == "under_review"
    assert state.reviews == (("uk-cma", "open"), ("us-ftc", "open"))
    assert state.pending_terms == OFFER_MS_2


def test_expiry_of_another_contract_changes_nothing() -> None:
    state = fold(records_of([*PRELUDE[:2], (90.0, ContractExpired("ms-oai-2019"))]))
    assert state.status == "in_force" and state.clauses == CLAUSES_2023


def test_rofr_exercised_is_counted() -> None:
    pairs = [*PRELUDE[:2], (86.0, FirstRefusalExercised("microsoft", 2, "google", 12))]
    assert fold(records_of(pairs)).rofr_exercised == 1


# --- every clause lapses at its own expiry ---------------------------------------------

# 2019-01-01 is t = 0; 2025-01-01 is t = 72.
MIXED = (
    License(MS, ("models",), expiry="2032|agi_verified"),
    RevenueShare(OAI, MS, 0.2, expiry="agi_verified"),
    Exclusivity(MS, "api", expiry="agi_declared"),
    ComputeCommitment(OAI, MS, 100.0, 6.0),
    FirstRefusal(MS, "compute", 1.0, expiry="2027-06-30"),
)


def _mixed_log(milestones: list[tuple[float, bool]]) -> list[Recorded]:
    pairs: list[tuple[float, Event]] = [
        (0.0, run_started()),
        (72.0, ContractSigned("c", BOTH, MIXED, False, term_end=2040)),
    ]
    pairs += [(t, MilestoneReached("agi", OAI, verified)) for t, verified in milestones]
    return records_of(pairs)


def test_each_right_lapses_at_its_own_time() -> None:
    records = _mixed_log([(120.0, False), (126.0, True)])  # declared 2029-01, verified 2029-07
    active = {
        "license.models": True,
        "revenue_share.openai_to_microsoft": True,
        "exclusivity.api": True,
        "first_refusal.compute": True,
    }
    assert state_at(records, 72.0).rights == active
    assert state_at(records, 72.0).compute_commitments_bn == {"openai_to_microsoft": 100.0}
    # 2027-06-30 is t = 101 + 29/30: the ROFR ends that day, not a day before.
    assert state_at(records, 101.9).holds("first_refusal.compute")
    assert not state_at(records, 102.0).holds("first_refusal.compute")
    declared = state_at(records, 120.0)
    assert declared.rights == {**active, "exclusivity.api": False, "first_refusal.compute": False}
    verified = state_at(records, 126.0)
    assert verified.rights == dict.fromkeys(active, False)


def test_a_year_expiry_comes_first_when_agi_is_late() -> None:
    records = _mixed_log([(200.0, False), (210.0, True)])  # AGI only in 2035
    assert state_at(records, 167.9).holds("license.models")  # 2032-12
    assert not state_at(records, 168.0).holds("license.models")  # 2033-01-01: 2032 is over
    assert state_at(records, 168.0).holds("revenue_share.openai_to_microsoft")
    assert not state_at(records, 210.0).holds("revenue_share.openai_to_microsoft")


def test_the_same_lapses_hold_when_the_log_is_replayed() -> None:
    records = _mixed_log([(120.0, False), (126.0, True)])
    decoded = verify_bytes(build_log([(r.t, r.event) for r in records]), require_end=False)
    for t in (72.0, 101.9, 102.0, 120.0, 126.0):
        assert state_at(decoded.records, t) == state_at(records, t)


def test_rights_follow_the_clauses() -> None:
    state = fold(records_of([(0.0, run_started()), (1.0, ContractSigned("c", BOTH, (), False))]))
    assert state.rights == {} and state.status == "in_force"


def test_other_milestones_do_not_count_as_agi() -> None:
    records = records_of([(0.0, run_started()), (1.0, MilestoneReached("asi", "openai", True))])
    assert fold(records).agi_declared is False
    assert around_milestone(records, "agi") is None


def test_a_generic_outcome_contract_has_no_partnership_fields() -> None:
    outcome = Outcome((("price", 12.5), ("delivery", "fast")))
    pairs = [
        (0.0, run_started()),
        (1.0, ContractSigned("d", ("buyer", "seller"), (), False, outcome)),
    ]
    state = fold(records_of(pairs))
    assert state.status == "in_force" and state.terms == outcome
    assert (state.clauses, state.term_end, state.rights) == ((), None, {})
    assert state.equity == {} and state.compute_commitments_bn == {}


# --- properties of fold ----------------------------------------------------------------


@given(gen.event_sequences(max_middle=20))
def test_fold_equals_incremental_folder_at_every_prefix(pairs: list[tuple[float, Event]]) -> None:
    records = records_of(pairs)
    folder = Folder()
    snapshots: list[ContractState] = []
    for record in records:
        folder.apply(record)
        snapshots.append(folder.state())
    # Compared after all applies: a snapshot must not change when the folder moves on.
    for index, snapshot in enumerate(snapshots):
        assert fold(records[: index + 1]) == snapshot
        assert snapshot.seq == index


@given(gen.event_sequences(max_middle=20))
def test_state_at_each_time_is_the_fold_of_every_event_up_to_it(
    pairs: list[tuple[float, Event]],
) -> None:
    records = records_of(pairs)
    for record in records:
        upto = [r for r in records if r.t <= record.t]
        assert state_at(records, record.t) == fold(upto)


@given(gen.event_sequences(max_middle=20))
def test_fold_is_deterministic_and_survives_the_log_round_trip(
    pairs: list[tuple[float, Event]],
) -> None:
    records = records_of(pairs)
    decoded = verify_bytes(build_log(pairs)).records
    assert fold(records) == fold(records) == fold(decoded)
    assert orjson.dumps(fold(records).to_data()) == orjson.dumps(fold(decoded).to_data())


def test_fold_gives_the_same_json_in_another_process() -> None:
    expected = orjson.dumps(fold(RECORDS).to_data(), option=orjson.OPT_SORT_KEYS).decode()
    script = (
        "import orjson; from events.replay import fold; from events.verify import verify_bytes;"
        "from tests.logs import partnership_log;"
        "print(orjson.dumps(fold(verify_bytes(partnership_log()).records).to_data(),"
        " option=orjson.OPT_SORT_KEYS).decode())"
    )
    env = {**os.environ, "PYTHONHASHSEED": "777"}
    out = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT, env=env
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == expected


def test_run_ended_does_not_change_the_contract() -> None:
    without_end = fold(RECORDS[:-1])
    with_end = fold(RECORDS)
    assert with_end == attrs.evolve(without_end, seq=23, t=192.0)
    assert isinstance(RECORDS[-1].event, RunEnded)


def test_the_partnership_log_is_what_tests_logs_says() -> None:
    assert [r.event for r in RECORDS] == [event for _, event in PARTNERSHIP]
