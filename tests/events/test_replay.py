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

from events.codec import Recorded
from events.model import (
    AgiClause,
    ContractExpired,
    ContractSigned,
    Event,
    FirstRefusalExercised,
    MilestoneReached,
    ReviewOpened,
    RulingIssued,
    RunEnded,
)
from events.replay import Folder, around_milestone, fold, milestone_index, state_at
from events.state import ContractState
from events.terms import Outcome, Terms, TermsPatch
from events.verify import verify_bytes
from tests import strategies as gen
from tests.logs import (
    BOTH,
    OFFER_MS_2,
    PARTNERSHIP,
    SEQ_AGI_DECLARED,
    SEQ_AGI_VERIFIED,
    TERMS_2019,
    TERMS_2021,
    TERMS_2023,
    TERMS_2025_AMENDED,
    TERMS_EXTENSION_IN_FORCE,
    build_log,
    partnership_log,
    run_started,
)

ROOT = Path(__file__).resolve().parents[2]
RECORDS = verify_bytes(partnership_log()).records
BOTH_RIGHTS = {"ip_access": True, "revenue_share_to_microsoft": True}
NO_RIGHTS = {"ip_access": False, "revenue_share_to_microsoft": False}


def records_of(pairs: list[tuple[float, Event]]) -> list[Recorded]:
    return [Recorded(seq, t, event) for seq, (t, event) in enumerate(pairs)]


# --- the partnership history -----------------------------------------------------------


def test_state_in_mid_2025_matches_the_seed() -> None:
    state = state_at(RECORDS, 78.0)  # 2025-07-01
    assert state.status == "in_force"
    assert state.investment_total_bn == 13  # 1 + 2 + 10
    assert state.cloud == "rofr"
    assert state.term_end == 2030
    assert state.post_agi_access is False
    assert state.terms == TERMS_2025_AMENDED
    assert state.contract_id == "ms-oai-2025"
    assert state.rights == BOTH_RIGHTS
    assert state.talks == "not_started"
    assert (state.seq, state.t) == (4, 72 + 20 / 31)


@pytest.mark.parametrize(
    ("t", "seq", "status", "terms", "total"),
    [
        (0.0, 0, "negotiating", None, 0),
        (5.99, 0, "negotiating", None, 0),
        (6.0, 1, "in_force", TERMS_2019, 1),  # 2019-07-01
        (36.0, 2, "in_force", TERMS_2021, 3),  # 2022-01-01
        (53.0, 3, "in_force", TERMS_2023, 13),  # 2023-06-01
        (72.5, 3, "in_force", TERMS_2023, 13),  # 2025-01-16, before the amendment
        (73.0, 4, "in_force", TERMS_2025_AMENDED, 13),  # 2025-02-01
        (81.0, 12, "signed", TERMS_2025_AMENDED, 13),  # extension signed, awaiting review
        (82.0, 13, "under_review", TERMS_2025_AMENDED, 13),
        (89.9, 18, "under_review", TERMS_2025_AMENDED, 13),  # one approval, one open
        (90.0, 19, "in_force", TERMS_EXTENSION_IN_FORCE, 18),  # approved with conditions
        (150.0, 21, "in_force", TERMS_EXTENSION_IN_FORCE, 18),  # 2031-07-01
        (192.0, 23, "expired", None, 18),
        (1e9, 23, "expired", None, 18),
    ],
)
def test_state_at_several_times(
    t: float, seq: int, status: str, terms: Terms | None, total: float
) -> None:
    state = state_at(RECORDS, t)
    assert (state.seq, state.status, state.terms, state.investment_total_bn) == (
        seq,
        status,
        terms,
        total,
    )


def test_review_path_reviews_and_pending_terms() -> None:
    assert state_at(RECORDS, 81.0).pending_terms == OFFER_MS_2
    assert state_at(RECORDS, 81.0).reviews == ()
    assert state_at(RECORDS, 82.0).reviews == (("uk-cma", "open"),)
    assert state_at(RECORDS, 83.0).reviews == (("uk-cma", "open"), ("us-ftc", "open"))
    assert state_at(RECORDS, 88.0).reviews == (("uk-cma", "open"), ("us-ftc", "approved"))
    assert state_at(RECORDS, 88.0).pending_terms == OFFER_MS_2
    in_force = state_at(RECORDS, 90.0)
    assert in_force.reviews == (("uk-cma", "approved_with_conditions"), ("us-ftc", "approved"))
    assert in_force.pending_terms is None
    # The conditions (cloud open, no post-AGI access) patch the terms that take force.
    assert in_force.terms == TERMS_EXTENSION_IN_FORCE
    assert (in_force.cloud, in_force.post_agi_access, in_force.term_end) == ("open", False, 2034)
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


def test_agi_declared_then_verified_under_a_verified_clause() -> None:
    declared = state_at(RECORDS, 96.0)
    assert (declared.agi_declared, declared.agi_verified, declared.agi_time) == (True, False, 96.0)
    assert declared.rights == BOTH_RIGHTS  # the clause lapses rights only on verification
    verified = state_at(RECORDS, 102.0)
    assert (verified.agi_declared, verified.agi_verified, verified.agi_time) == (True, True, 96.0)
    assert verified.rights == NO_RIGHTS
    assert verified.microsoft_keeps_access is False


def test_final_state() -> None:
    final = fold(RECORDS)
    assert final.status == "expired"
    assert final.terms is None and final.contract_id is None
    assert final.cloud is None and final.term_end is None and final.post_agi_access is False
    assert final.rights == NO_RIGHTS
    assert final.investment_total_bn == 18
    assert (final.seq, final.t) == (23, 192.0)


def test_around_agi() -> None:
    around = around_milestone(RECORDS, "agi")
    assert around is not None
    before, after = around
    assert (before.seq, after.seq) == (SEQ_AGI_DECLARED - 1, SEQ_AGI_DECLARED)
    assert before.agi_declared is False and after.agi_declared is True
    assert before.rights == after.rights == BOTH_RIGHTS
    assert before.terms == after.terms == TERMS_EXTENSION_IN_FORCE
    assert milestone_index(RECORDS, "agi") == SEQ_AGI_DECLARED


def test_around_agi_verified() -> None:
    around = around_milestone(RECORDS, "agi-verified")
    assert around is not None
    before, after = around
    assert (before.seq, after.seq) == (SEQ_AGI_VERIFIED - 1, SEQ_AGI_VERIFIED)
    assert before.rights == BOTH_RIGHTS and after.rights == NO_RIGHTS


def test_around_milestone_without_agi_is_none() -> None:
    records = RECORDS[:SEQ_AGI_DECLARED]
    assert around_milestone(records, "agi") is None
    assert around_milestone(records, "agi-verified") is None
    with pytest.raises(ValueError, match="unknown milestone"):
        around_milestone(RECORDS, "singularity")


def test_to_data_is_json_with_the_documented_keys() -> None:
    data = orjson.loads(orjson.dumps(state_at(RECORDS, 90.0).to_data()))
    assert data["terms"] == {
        "term_end": 2034,
        "post_agi_access": False,
        "ip_scope": "models_and_infra",
        "revenue_share": 0.15,
        "cloud": "open",
        "equity": 0.3,
        "investment_bn": 5.0,
    }
    assert data["reviews"] == {"uk-cma": "approved_with_conditions", "us-ftc": "approved"}
    assert data["rights"] == BOTH_RIGHTS
    assert (data["status"], data["investment_total_bn"], data["seq"], data["t"]) == (
        "in_force",
        18,
        19,
        90.0,
    )


# --- blocked deals, conditions, AGI clauses: small hand-made logs ----------------------

PRELUDE: list[tuple[float, Event]] = [
    (0.0, run_started()),
    (48.0, ContractSigned("ms-oai-2023", BOTH, TERMS_2023, 13, False)),
    (81.0, ContractSigned("ext", BOTH, OFFER_MS_2, 5, True)),
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
    assert state.terms == TERMS_2023 and state.contract_id == "ms-oai-2023"
    assert state.pending_terms is None
    assert state.investment_total_bn == 13  # the blocked 5 bn never flowed
    assert state.reviews == (("uk-cma", "blocked"), ("us-ftc", "approved"))
    # A ruling after the block has nothing pending to act on, but it is on record.
    late = fold(records_of([*pairs, (91.0, RulingIssued("eu", "ext", "approved"))]))
    assert late.terms == TERMS_2023 and late.status == "blocked"
    assert late.reviews == (("eu", "approved"), ("uk-cma", "blocked"), ("us-ftc", "approved"))


def test_conditions_from_several_regulators_accumulate() -> None:
    pairs = [
        *PRELUDE,
        (88.0, RulingIssued("us-ftc", "ext", "approved_with_conditions", TermsPatch(equity=0.2))),
        (90.0, RulingIssued("uk-cma", "ext", "approved_with_conditions", TermsPatch(cloud="open"))),
    ]
    state = fold(records_of(pairs))
    assert state.status == "in_force"
    assert state.terms == Terms(2034, True, "models_and_infra", 0.15, "open", 0.2, 5)
    assert state.investment_total_bn == 18


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
    assert state.status == "in_force" and state.terms == TERMS_2023


def test_rofr_exercised_is_counted() -> None:
    pairs = [*PRELUDE[:2], (86.0, FirstRefusalExercised("microsoft", 2, "google", 12))]
    assert fold(records_of(pairs)).rofr_exercised == 1


def _agi_log(post_agi_access: bool, clause: AgiClause, milestones: list[bool]) -> list[Recorded]:
    terms = Terms(2030, post_agi_access, "models", 0.2, "rofr", 0.49, 13)
    pairs: list[tuple[float, Event]] = [
        (0.0, run_started()),
        (1.0, ContractSigned("c", BOTH, terms, 13, False, clause)),
    ]
    pairs += [(2.0 + i, MilestoneReached("agi", "openai", v)) for i, v in enumerate(milestones)]
    return records_of(pairs)


@pytest.mark.parametrize(
    ("post_agi_access", "on", "milestones", "rights"),
    [
        # the "forever deal": rights survive whatever happens
        (True, "declared", [False], BOTH_RIGHTS),
        (True, "declared", [False, True], BOTH_RIGHTS),
        (True, "verified", [False, True], BOTH_RIGHTS),
        # rights lapse at declaration ...
        (False, "declared", [], BOTH_RIGHTS),
        (False, "declared", [False], NO_RIGHTS),
        (False, "declared", [True], NO_RIGHTS),
        # ... or only once verified
        (False, "verified", [False], BOTH_RIGHTS),
        (False, "verified", [False, True], NO_RIGHTS),
        (False, "verified", [True], NO_RIGHTS),
    ],
)
def test_agi_clause(
    post_agi_access: bool, on: str, milestones: list[bool], rights: dict[str, bool]
) -> None:
    state = fold(_agi_log(post_agi_access, AgiClause(on=on), milestones))
    assert state.rights == rights
    assert state.post_agi_access is post_agi_access
    assert state.agi_declared is bool(milestones)
    assert state.agi_verified is any(milestones)


def test_agi_clause_lapses_only_the_rights_it_names() -> None:
    state = fold(_agi_log(False, AgiClause(lapses=("ip_access",)), [False]))
    assert state.rights == {"ip_access": False, "revenue_share_to_microsoft": True}


def test_rights_follow_the_terms() -> None:
    terms = Terms(2030, False, "none", 0.0, "open", 0.0, 0)
    state = fold(
        records_of([(0.0, run_started()), (1.0, ContractSigned("c", BOTH, terms, 0, False))])
    )
    assert state.rights == NO_RIGHTS and state.status == "in_force"


def test_other_milestones_do_not_count_as_agi() -> None:
    records = records_of([(0.0, run_started()), (1.0, MilestoneReached("asi", "openai", True))])
    assert fold(records).agi_declared is False
    assert around_milestone(records, "agi") is None


def test_a_generic_outcome_contract_has_no_partnership_fields() -> None:
    outcome = Outcome((("price", 12.5), ("delivery", "fast")))
    pairs = [
        (0.0, run_started()),
        (1.0, ContractSigned("d", ("buyer", "seller"), outcome, 0, False)),
    ]
    state = fold(records_of(pairs))
    assert state.status == "in_force" and state.terms == outcome
    assert (state.cloud, state.term_end, state.post_agi_access) == (None, None, False)
    assert state.rights == NO_RIGHTS


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
