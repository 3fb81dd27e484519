"""Forks count every prelude entry as history, regulators' acts included: a fork after
the CMA opened its inquiry (8 December 2023) must not record it again, a fork before
it must record it (once), whatever prelude entry the fork changes."""

from __future__ import annotations

from pathlib import Path

import pytest

from events.codec import Recorded
from events.model import ContractSigned, Forked, ReviewOpened, RulingIssued
from events.verify import verify_file
from sim.engine import simulate
from sim.scenario import load_scenario
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
