"""Forks count every prelude entry as history, regulators' acts included: a fork after
the CMA opened its inquiry (8 December 2023) must not record it again, a fork before
it must record it (once), whatever prelude entry the fork changes. And a fork may
change how likely a party is to ask a regulator to look."""

from __future__ import annotations

from pathlib import Path

import pytest

from agents.complaint import BREAK_DOWNS
from events.codec import Recorded
from events.model import (
    ContractSigned,
    Forked,
    NegotiationEnded,
    RegulatorAsked,
    ReviewOpened,
    RulingIssued,
)
from events.verify import verify_file
from sim.engine import simulate
from sim.scenario import load_scenario
from sim.whatif import fork as whatif_fork
from tests.cli_helpers import run_cli


@pytest.fixture(scope="module")
def parent(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("history") / "parent.jsonl"
    path.write_bytes(simulate(load_scenario("msft-openai"), 2).log_bytes())
    return path


def cma_acts(records: list[Recorded]) -> list[tuple[int, str]]:
    return [
        (r.seq, type(r.event).__name__)
        for r in records
        if type(r.event) in (ReviewOpened, RulingIssued)
        and r.event.in_force
        and r.event.regulator == "cma"
    ]


def fork(capsys: pytest.CaptureFixture[str], parent: Path, at: int, change: str) -> list[Recorded]:
    child = parent.with_name(f"child-{at}.jsonl")
    args = ["fork", str(parent), "--at", f"seq:{at}", "--set", change, "--out", str(child)]
    result = run_cli(capsys, args)
    assert result.code == 0, result.err
    return verify_file(child).records


def review_seq(parent: Path) -> int:
    records = verify_file(parent).records
    return next(seq for seq, kind in cma_acts(records) if kind == "ReviewOpened")


def test_a_fork_after_the_inquiry_opened_does_not_record_it_again(
    capsys: pytest.CaptureFixture[str], parent: Path
) -> None:
    at = review_seq(parent)
    records = fork(capsys, parent, at, "prelude.2025-cma-decision.note=changed")
    assert type(records[at + 1].event) is Forked
    acts = cma_acts(records)
    assert [kind for _, kind in acts] == ["ReviewOpened", "RulingIssued"]
    assert acts[0][0] == at  # the parent's, before the fork point
    signed = [r.event.contract_id for r in records if type(r.event) is ContractSigned]
    assert signed.count("2025-rofr") == 1  # the rest of the history, once


def test_a_fork_before_the_inquiry_opened_records_it_once(
    capsys: pytest.CaptureFixture[str], parent: Path
) -> None:
    at = review_seq(parent) - 1  # the 2023 contract, just before the inquiry
    records = fork(capsys, parent, at, "prelude.2023-cma-inquiry.note=changed")
    acts = cma_acts(records)
    assert [kind for _, kind in acts] == ["ReviewOpened", "RulingIssued"]
    assert acts[0][0] > at + 1  # recorded by the fork, after its Forked record
    signed = [r.event.contract_id for r in records if type(r.event) is ContractSigned]
    assert signed.count("2023-extension") == 1 and signed.count("2025-rofr") == 1


def test_a_past_regulator_entry_cannot_change(
    capsys: pytest.CaptureFixture[str], parent: Path
) -> None:
    at = review_seq(parent)
    child = parent.with_name("refused.jsonl")
    args = ["fork", str(parent), "--at", f"seq:{at}", "--set", "prelude.2023-cma-inquiry.note=x"]
    result = run_cli(capsys, [*args, "--out", str(child)])
    assert result.code == 2
    assert "prelude[3] is already in the past" in result.err
    assert not child.exists()


def parent_with(complained: bool) -> tuple[bytes, int]:
    """A msft-openai run whose talks broke down, with or without a complaint, and the
    seq of the break-down."""
    scenario = load_scenario("msft-openai")
    for seed in range(60):
        result = simulate(scenario, seed)
        ended = [r for r in result.records if type(r.event) is NegotiationEnded]
        asked = any(type(r.event) is RegulatorAsked for r in result.records)
        if ended and ended[0].event.reason in BREAK_DOWNS and asked == complained:
            return result.log_bytes(), ended[0].seq
    raise AssertionError("no such run in 60 seeds")


@pytest.mark.parametrize(("complained", "probability"), [(False, 1.0), (True, 0.0)])
def test_a_fork_changes_whether_a_party_complains(complained: bool, probability: float) -> None:
    data, ended = parent_with(complained)
    child = whatif_fork(
        data, at=ended - 1, set=[f"regulators.ftc.complaint_probability={probability}"]
    )
    asked = [r for r in child.records if type(r.event) is RegulatorAsked]
    assert bool(asked) is not complained


def test_a_fork_at_an_event_a_subscriber_answers() -> None:
    """A deal signed during the restructuring is answered at once by the actor's
    ``ConsentGiven`` (a ``World.subscribe`` callback): a fork at the deal records
    ``Forked`` right after it, and the consent after that."""
    from events.model import ConsentGiven

    scenario = load_scenario("msft-openai")
    for seed in range(20):
        result = simulate(scenario, seed)
        records = result.records
        signed = [
            r.seq
            for r in records[:-1]
            if type(r.event) is ContractSigned and type(records[r.seq + 1].event) is ConsentGiven
        ]
        if signed:
            break
    else:
        raise AssertionError("no deal answered by a consent in 20 seeds")
    at = signed[0]
    child = whatif_fork(result.log_bytes(), at=at, set=["regulators.cma.strictness=0.9"])
    assert [type(r.event) for r in child.records[at : at + 3]] == [
        ContractSigned,
        Forked,
        ConsentGiven,
    ]
