"""Forks: the shared prefix is the parent's, byte for byte; the fork record; changes
take effect from the fork point on; forks of forks; logs that cannot be forked."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from functools import lru_cache

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from events.calendar import months_between
from events.codec import Recorded
from events.errors import InputError, IntegrityError
from events.model import (
    ContractSigned,
    Forked,
    MilestoneReached,
    NegotiationEnded,
    OfferMade,
    OutsideOfferMade,
    ReviewOpened,
    RulingIssued,
    RunEnded,
)
from events.replay import state_at
from events.verify import verify_bytes
from events.writer import ChainWriter
from sim.domain import negotiation_domain
from sim.engine import simulate
from sim.engine.party_valuation import world_valuation
from sim.scenario import load_scenario
from sim.whatif import fork, fork_point
from sim.whatif.diff import diff_logs

START = dt.date(2019, 1, 1)
_SEQ_FIELDS = ("reply_to", "offer_seq")


@lru_cache(maxsize=64)
def parent_log(seed: int, *overrides: str) -> bytes:
    return simulate(load_scenario("msft-openai", list(overrides)), seed).log_bytes()


def lines(data: bytes) -> list[bytes]:
    return data.split(b"\n")[:-1]


def shifted(records: Sequence[Recorded], at_seq: int, prev: str) -> list[bytes]:
    """The parent's lines after ``at_seq`` as they must appear after a no-change fork's
    ``Forked`` record: seq + 1, references to events after the fork point + 1, same
    times and data, the chain recomputed from ``prev`` (the Forked line's hash)."""
    out: list[bytes] = []
    writer = ChainWriter(out.append, seq=at_seq + 2, prev=prev, last_t=records[at_seq].t)
    for record in records[at_seq + 1 :]:
        event = record.event
        moved = {
            name: getattr(event, name) + 1
            for name in _SEQ_FIELDS
            if getattr(event, name, None) is not None and getattr(event, name) > at_seq
        }
        writer.append(record.t, attrs.evolve(event, **moved) if moved else event)
    return out


def first_of(records: Sequence[Recorded], kind: type) -> Recorded:
    return next(record for record in records if type(record.event) is kind)


# --- the shared prefix and the fork record ---------------------------------------------

CHANGES = [
    ["regulators.cma.strictness=1.0"],
    ["regulators.ftc.conditions={}", "regulators.eu.review_months=1.0"],
    ["parties.openai.reservation=0.6"],
    ["parties.microsoft.strategy=conceder"],
    ["competitors.stargate.intensity=4.0"],
    ["competitors.amazon.value_bn=[40.0, 80.0]", "rofr.max_match_bn=100.0"],
    ["regulators.eu.conditions={remove=['license.infrastructure', 'exclusivity.api']}"],
]


@settings(max_examples=20, deadline=None)
@given(
    seed=st.integers(0, 300),
    where=st.floats(0.0, 0.999),
    changes=st.sampled_from(CHANGES),
    reseed=st.sampled_from([None, 7]),
)
def test_prefix_is_the_parents_and_differences_come_after_the_fork_point(
    seed: int, where: float, changes: list[str], reseed: int | None
) -> None:
    data = parent_log(seed)
    parent = verify_bytes(data)
    at_seq = int(where * (len(parent.records) - 1))  # never RunEnded
    child = fork(data, at=at_seq, set=changes, seed=reseed)
    child_data = child.log_bytes()
    records = verify_bytes(child_data).records  # the fork is a valid log
    assert lines(child_data)[: at_seq + 1] == lines(data)[: at_seq + 1]
    forked = records[at_seq + 1]
    assert type(forked.event) is Forked
    assert forked.event.parent_digest == parent.digest
    assert forked.event.at_seq == at_seq
    assert forked.event.seed == (None if reseed is None else str(reseed))
    assert forked.t == parent.records[at_seq].t
    assert set(forked.event.changes) == {change.partition("=")[0] for change in changes}
    assert type(records[-1].event) is RunEnded
    assert sum(type(r.event) is Forked for r in records) == 1
    diff = diff_logs(data, child_data)
    assert diff.first_seq == at_seq + 1
    assert diff.fork is not None and diff.fork["child"] == "b"
    if diff.behaviour is not None:  # what happened differs only after the fork point
        for record in (diff.behaviour.a, diff.behaviour.b):
            assert record is None or record.seq > at_seq


@pytest.mark.parametrize("seed", [0, 3, 11])
def test_a_fork_without_changes_is_the_parent_shifted_by_its_fork_record(seed: int) -> None:
    data = parent_log(seed)
    parent = verify_bytes(data).records
    points = sorted({0, 1, len(parent) // 3, len(parent) // 2, len(parent) - 2})
    for at_seq in points:
        child = fork(data, at=at_seq)
        child_lines = lines(child.log_bytes())
        assert child_lines[: at_seq + 1] == lines(data)[: at_seq + 1]
        forked_line = child_lines[at_seq + 1]
        assert b'"type":"Forked"' in forked_line
        import hashlib

        prev = hashlib.sha256(forked_line).hexdigest()
        assert child_lines[at_seq + 2 :] == shifted(parent, at_seq, prev)
        assert child.summary == simulate(load_scenario("msft-openai"), seed).summary


def test_a_fork_returns_the_changed_scenario_and_the_parents_seed_and_draws() -> None:
    data = parent_log(2)
    child = fork(data, at=40, set=["regulators.cma.strictness=0.9"])
    parent = simulate(load_scenario("msft-openai"), 2)
    assert child.scenario.regulator("cma").strictness == 0.9
    assert child.scenario.regulator("ftc") == parent.scenario.regulator("ftc")
    assert child.seed == "2"
    assert child.drawn == parent.drawn
    assert child.live_final == child.final


def test_fork_is_deterministic_and_accepts_a_path(tmp_path: object) -> None:
    from pathlib import Path

    path = Path(str(tmp_path)) / "parent.jsonl"
    path.write_bytes(parent_log(4))
    a = fork(path, at=60, set={"parties.openai.reservation": 0.5}, seed="9:2")
    b = fork(str(path), at="seq:60", set=["parties.openai.reservation=0.5"], seed="9:2")
    assert a.log_bytes() == b.log_bytes()


# --- fork points -----------------------------------------------------------------------


def test_fork_point_by_seq_time_and_date() -> None:
    records = verify_bytes(parent_log(1)).records
    assert fork_point(records, 17) == 17
    assert fork_point(records, "seq:17") == 17
    # A bare number is a time in every command (as in replay --at), not a seq.
    assert fork_point(records, "100") == max(r.seq for r in records if r.t <= 100.0)
    t = records[30].t
    last_at_t = max(r.seq for r in records if r.t <= t)
    assert fork_point(records, t) == last_at_t
    assert fork_point(records, f"t={t!r}") == last_at_t
    assert fork_point(records, "0.0") == max(r.seq for r in records if r.t <= 0.0)
    date = dt.date(2025, 7, 1)
    expected = max(r.seq for r in records if r.t <= months_between(START, date))
    assert fork_point(records, "2025-07-01") == expected
    assert fork_point(records, date) == expected


@pytest.mark.parametrize(
    ("at", "needle"),
    [
        (-1, "expected a seq from 0 to"),
        (10_000, "expected a seq from 0 to"),
        ("seq:99999", "expected a seq from 0 to"),
        ("99999", "at or after the run's end"),  # a bare number is a time (months)
        (1e9, "at or after the run's end"),
        ("2040-01-01", "at or after the run's end"),
        (-0.5, "before the run's first event"),
        ("soon", "or an event number (seq:412)"),
        ("seq:1e3", "or an event number (seq:412)"),
        ("\u0661\u0662", "or an event number (seq:412)"),  # Arabic-Indic "12" is no time
        (True, "expected a seq or a time"),
    ],
)
def test_bad_fork_points_are_input_errors_naming_at(at: object, needle: str) -> None:
    records = verify_bytes(parent_log(1)).records
    with pytest.raises(InputError, match=r"^--at") as caught:
        fork_point(records, at)  # type: ignore[arg-type]
    assert needle in str(caught.value)


def test_the_last_seq_before_run_ended_is_the_latest_fork_point() -> None:
    data = parent_log(1)
    last = len(verify_bytes(data).records) - 1
    with pytest.raises(InputError, match=r"run's end"):
        fork(data, at=last)
    child = fork(data, at=last - 1, set=["regulators.cma.strictness=1.0"])
    assert [type(r.event) for r in child.records[-2:]] == [Forked, RunEnded]


# --- what the changes do ---------------------------------------------------------------


def test_the_done_criterion_stricter_regulator_before_its_ruling() -> None:
    """Fork just before the deal goes to review, with a maximally strict CMA that
    reviews every deal (a regulator judges its jurisdiction when the deal reaches it):
    the CMA's ruling changes (approved with its conditions or blocked, never plainly
    approved), and everything before the fork point is the parent's."""
    changed = 0
    for seed in range(6):
        data = parent_log(seed)
        parent = verify_bytes(data).records
        rulings = [r for r in parent if type(r.event) is RulingIssued and not r.event.in_force]
        if not rulings:
            continue
        reviewed = [r for r in parent if type(r.event) is ContractSigned and r.event.review]
        at_seq = reviewed[0].seq - 1
        # Strict, with conditions that bind on the usual deal (the API's exclusivity).
        strict = [
            "regulators.cma.strictness=1.0",
            "regulators.cma.control_threshold=0.0",  # any deal within its jurisdiction
            "regulators.cma.conditions={remove=['exclusivity.api']}",
        ]
        child = fork(data, at=at_seq, set=strict)
        cma = [
            r
            for r in child.records[at_seq + 1 :]
            if type(r.event) is RulingIssued and r.event.regulator == "cma"
        ]
        if cma and cma[0].event.outcome == "approved":
            # strictness 1 approves plainly only when its conditions change nothing
            signed = next(
                r.event
                for r in child.records
                if r.seq < cma[0].seq
                and type(r.event) is ContractSigned
                and r.event.contract_id == cma[0].event.contract_id
            )
            conditions = child.scenario.regulator("cma").conditions
            assert set(conditions.apply(signed.clauses)) == set(signed.clauses)
        before = [r.event for r in parent if type(r.event) is RulingIssued]
        after = [r.event for r in child.records if type(r.event) is RulingIssued]
        changed += before != after
    assert changed, "a strict CMA changed no ruling in six runs"


def test_moving_agi_reschedules_the_milestone() -> None:
    data = parent_log(5)
    target = months_between(START, dt.date(2027, 1, 1))
    child = fork(data, at=0, set=["agi.at=2027-01-01"])
    declared = first_of(child.records, MilestoneReached)
    assert declared.t == pytest.approx(target)
    # The AGI clause in force (FACTS.md: OpenAI declares, no panel) makes it final at once.
    assert [r.event.verified for r in child.records if type(r.event) is MilestoneReached] == [True]
    assert child.summary["agi_time"] == pytest.approx(target)
    later = fork(data, at=60, set=["agi.at=2033-06-01"])
    assert later.summary["agi_time"] == pytest.approx(months_between(START, dt.date(2033, 6, 1)))


def test_a_silenced_competitor_makes_no_more_offers() -> None:
    # Competitors on the Poisson schedule, whose offers a higher rate multiplies (on the
    # need schedule the unmet need caps them).
    poisson = [f"competitors.{k}.schedule=poisson" for k in ("amazon", "google", "stargate")]
    data = parent_log(6, *poisson, "competitors.coreweave.schedule=poisson")
    parent = verify_bytes(data).records
    offers = [r for r in parent if type(r.event) is OutsideOfferMade]
    at_seq = offers[len(offers) // 2].seq  # the fork point is that competitor's own offer
    key = parent[at_seq].event.competitor
    child = fork(data, at=at_seq, set=[f"competitors.{key}.intensity=0"])
    later = [
        r
        for r in child.records[at_seq + 1 :]
        if type(r.event) is OutsideOfferMade and r.event.competitor == key
    ]
    assert later == []
    busier = fork(data, at=at_seq, set=[f"competitors.{key}.intensity=24"])
    assert sum(
        type(r.event) is OutsideOfferMade and r.event.competitor == key for r in busier.records
    ) > sum(type(r.event) is OutsideOfferMade and r.event.competitor == key for r in parent)


def test_a_strategy_swap_changes_the_offers_after_the_fork_point() -> None:
    data = parent_log(0)
    parent = verify_bytes(data).records
    first_offer = first_of(parent, OfferMade).seq
    child = fork(data, at=first_offer, set=["parties.microsoft.strategy=hardliner"])
    ms_offers = [
        r
        for r in child.records[first_offer + 1 :]
        if type(r.event) is OfferMade and r.event.sender == "microsoft"
    ]
    assert ms_offers
    # A hardliner offers its best bundle: the best as it values the world at the time
    # (its valuation changes with the half-year and with AGI news, its offer with it).
    scenario = child.scenario
    space = negotiation_domain(
        tuple((i.name, tuple(i.values)) for i in scenario.negotiation.issues)
    ).space
    valuation = world_valuation(scenario, "microsoft", space)
    for record in ms_offers:
        state = state_at(child.records, record.t)
        _, ranking = valuation.ranked(
            record.t, state.agi_time, state.agi_verified_time if state.agi_verified else None
        )
        best = space.as_dict(int(ranking[0]))
        assert record.event.terms.as_dict() == best
    assert len({r.event.terms for r in ms_offers}) < len(ms_offers)  # it repeats itself


def test_a_later_deadline_keeps_hardliners_talking_longer() -> None:
    stubborn = ("parties.microsoft.strategy=hardliner", "parties.openai.strategy=hardliner")
    data = parent_log(1, *stubborn)
    parent = verify_bytes(data).records
    ended = first_of(parent, NegotiationEnded)
    assert ended.event.reason == "deadline"
    at_seq = first_of(parent, OfferMade).seq
    child = fork(data, at=at_seq, set=["negotiation.deadline=2028-07-01"])
    moved = first_of(child.records, NegotiationEnded)
    assert moved.event.reason == "deadline"
    assert moved.t == pytest.approx(months_between(START, dt.date(2028, 7, 1)))


def test_reseeding_changes_the_luck_not_the_prefix() -> None:
    data = parent_log(8)
    plain = fork(data, at=60).log_bytes()
    again = fork(data, at=60, seed=1).log_bytes()
    other = fork(data, at=60, seed=2).log_bytes()
    assert lines(again)[:61] == lines(data)[:61]
    assert len({plain, again, other}) == 3
    assert fork(data, at=60, seed=1).log_bytes() == again


# --- forks of forks ------------------------------------------------------------------


def test_a_fork_of_a_fork_reapplies_the_first_fork() -> None:
    data = parent_log(3)
    first = fork(data, at=50, set=["regulators.cma.strictness=1.0"])
    first_data = first.log_bytes()
    for at_seq in (51, 80, len(first.records) - 2):
        second = fork(first_data, at=at_seq, set=["parties.openai.reservation=0.5"])
        second_data = second.log_bytes()
        assert lines(second_data)[: at_seq + 1] == lines(first_data)[: at_seq + 1]
        records = verify_bytes(second_data).records
        forks = [r.event for r in records if type(r.event) is Forked]
        assert [f.at_seq for f in forks] == [50, at_seq]
        assert forks[1].parent_digest == first.digest
        assert second.scenario.regulator("cma").strictness == 1.0
        assert second.scenario.party("openai").reservation == 0.5
    # Forking a fork without changes reproduces it (shifted by the new fork record).
    again = fork(first_data, at=90)
    import hashlib

    again_lines = lines(again.log_bytes())
    prev = hashlib.sha256(again_lines[91]).hexdigest()
    assert again_lines[92:] == shifted(first.records, 90, prev)


def test_a_fork_of_a_fork_before_its_fork_point_starts_from_the_root() -> None:
    data = parent_log(3)
    first = fork(data, at=50, set=["regulators.cma.strictness=1.0"])
    early = fork(first.log_bytes(), at=20, set=["regulators.ftc.strictness=0.0"])
    forks = [r.event for r in early.records if type(r.event) is Forked]
    assert [(f.at_seq, f.parent_digest) for f in forks] == [(20, first.digest)]
    assert early.scenario.regulator("cma").strictness == 0.3  # the first fork came later
    assert lines(early.log_bytes())[:21] == lines(data)[:21]


def test_a_fork_at_a_fork_record() -> None:
    data = parent_log(3)
    first = fork(data, at=50, set=["regulators.cma.strictness=1.0"])
    second = fork(first.log_bytes(), at=51, set=["regulators.ftc.strictness=1.0"])
    assert [type(r.event) for r in second.records[50:53]][1:] == [Forked, Forked]


# --- what cannot be forked -------------------------------------------------------------


@pytest.mark.parametrize(
    ("at", "assignment", "key"),
    [
        ("late", "agi.at=2035-01-01", "agi.at"),
        ("late", "agi.verification_probability=0.1", "agi.verification_probability"),
        (60, "scenario.horizon=2040-01-01", "scenario.horizon"),
        (60, "negotiation.round=1.0", "negotiation.round"),
        (60, "competitors.amazon.first=2026-01-01", "competitors.amazon.first"),
        (60, "prelude.2019-initial.note=changed", "prelude"),
        (
            "late",
            "parties.openai.weights={term_end=0.05, ip_expiry=0.17, ip_scope=0.05, "
            "revenue_share=0.18, cloud=0.2, equity=0.25, investment_bn=0.1}",
            "parties.openai.weights",
        ),
        (60, "agi.at=2020-01-01", "agi.at"),
    ],
)
def test_changes_that_cannot_be_made_mid_run_name_the_key(
    at: object, assignment: str, key: str
) -> None:
    data = parent_log(5)
    records = verify_bytes(data).records
    if at == "late":
        at = first_of(records, MilestoneReached).seq
    with pytest.raises(InputError) as caught:
        fork(data, at=at, set=[assignment])  # type: ignore[arg-type]
    message = str(caught.value)
    assert f"--set {key}" in message and "\n" not in message


def test_future_prelude_entries_can_change_past_ones_cannot() -> None:
    data = parent_log(0)
    # An open cloud from 2025: the amendment also drops the API's exclusivity.
    remove = "['exclusivity.api']"
    child = fork(data, at=1, set=[f"prelude.2025-rofr.amend.remove={remove}"])
    state = [r for r in child.records if r.t >= months_between(START, dt.date(2025, 2, 1))]
    assert state
    signed = [r.event for r in child.records if getattr(r.event, "contract_id", "") == "2025-rofr"]
    assert signed
    kinds = {clause.KIND for clause in signed[0].clauses}
    assert "exclusivity" not in kinds and "first_refusal" in kinds
    at_2025 = state_at(child.records, months_between(START, dt.date(2025, 7, 1)))
    assert not at_2025.holds("exclusivity.api") and at_2025.holds("first_refusal.compute")
    with pytest.raises(InputError, match="prelude"):
        fork(data, at=3, set=["prelude.2019-initial.clauses[6].share=0.3"])


def test_a_distribution_is_not_a_change() -> None:
    with pytest.raises(InputError, match="concrete value"):
        fork(parent_log(0), at=10, set=['agi.at={dist="uniform", low=100, high=120}'])


def test_a_tampered_log_is_refused() -> None:
    data = bytearray(parent_log(2))
    index = data.index(b'"strictness":0.3')
    data[index + len('"strictness":0.')] = ord("9")
    with pytest.raises(IntegrityError, match=r"^cannot fork: <log>: line 1:"):
        fork(bytes(data), at=10)
    cut = b"".join(line + b"\n" for line in lines(parent_log(2))[:-1])
    with pytest.raises(IntegrityError, match="without RunEnded"):
        fork(cut, at=10)


def test_a_log_this_negsim_does_not_reproduce_is_refused() -> None:
    """A forged log: a ruling rewritten and the chain recomputed. It verifies, but
    re-simulating its scenario and seed gives other events."""
    records = verify_bytes(parent_log(3)).records  # seed 3 has a deal under review
    ruling = next(r for r in records if type(r.event) is RulingIssued and not r.event.in_force)
    out: list[bytes] = []
    writer = ChainWriter(out.append)
    for record in records:
        event = record.event
        if record.seq == ruling.seq:
            event = attrs.evolve(event, outcome="blocked")
        writer.append(record.t, event)
    forged = b"".join(line + b"\n" for line in out)
    verify_bytes(forged)
    with pytest.raises(IntegrityError) as caught:
        fork(forged, at=ruling.seq + 1)
    message = str(caught.value)
    assert "not produced by this negsim version/scenario" in message
    assert f"from seq {ruling.seq}" in message
    # Before the forged event the history is genuine, and a fork there is fine.
    fork(forged, at=ruling.seq - 1)


def test_a_log_from_another_version_is_refused() -> None:
    records = verify_bytes(parent_log(2)).records
    out: list[bytes] = []
    writer = ChainWriter(out.append)
    for record in records:
        event = record.event
        if record.seq == 0:
            event = attrs.evolve(event, package_version="0.0.1")
        writer.append(record.t, event)
    with pytest.raises(IntegrityError, match=r"written by negsim 0\.0\.1"):
        fork(b"".join(line + b"\n" for line in out), at=5)


def test_review_events_follow_the_fork_point_in_time() -> None:
    """Changes take effect at the fork point's time: a review opened after it uses the
    new review time."""
    data = parent_log(3)
    parent = verify_bytes(data).records

    def deal_reviews(records: list[Recorded]) -> list[Recorded]:
        """Reviews of the signed deal (not the CMA's 2023 inquiry of the contract in force)."""
        return [r for r in records if type(r.event) is ReviewOpened and not r.event.in_force]

    opened = deal_reviews(parent)[0]
    child = fork(data, at=opened.seq - 3, set=["regulators.cma.review_months=30.0"])
    cma = next(r for r in deal_reviews(child.records) if r.event.regulator == "cma")
    old = next(r for r in deal_reviews(parent) if r.event.regulator == "cma")
    assert cma.event.due - cma.t > old.event.due - old.t


def test_a_changed_deal_applies_to_agreements_after_the_fork_point() -> None:
    """The deal template is the engine's own (its config.deal): a fork before the agreement
    signs the changed clauses; the parent signed the scenario's."""
    data = parent_log(0)
    records = verify_bytes(data).records
    signed = [r for r in records if type(r.event) is ContractSigned and r.event.review]
    assert signed, "seed 0 reaches a deal"
    child = fork(
        data, at=signed[0].seq - 5, set=["negotiation.deal.clauses[1].expiry=agi_verified"]
    )
    forked = next(r.event for r in child.records if type(r.event) is Forked)
    assert set(forked.changes) == {"negotiation.deal"}

    def share_expiry(log_records: Sequence[Recorded]) -> str:
        deal = next(
            r.event for r in log_records if type(r.event) is ContractSigned and r.event.review
        )
        share = next(c for c in deal.clauses if c.KIND == "revenue_share" and c.payer == "openai")
        return share.expiry.text()

    assert share_expiry(records) == "agi_declared"
    assert share_expiry(child.records) == "agi_verified"
