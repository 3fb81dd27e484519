"""``negsim fork`` and ``negsim diff`` end to end, including the documented walkthrough
(docs/what-if.md): a run from a batch store, forked just before the first ruling with a
stricter CMA, and the diff that shows what changed."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest

from events.model import Forked, RulingIssued
from events.verify import verify_file
from sim.engine import simulate
from sim.scenario import load_scenario
from tests.cli_helpers import assert_one_line_error, run_cli


@pytest.fixture
def parent(tmp_path: Path) -> Path:
    path = tmp_path / "parent.jsonl"
    path.write_bytes(simulate(load_scenario("msft-openai"), 3).log_bytes())
    return path


def first_ruling_seq(path: Path) -> int:
    records = verify_file(path).records
    return next(r.seq for r in records if type(r.event) is RulingIssued)


def first_deal_ruling_seq(path: Path) -> int:
    """The first ruling on a deal (the history's own rulings are on the contract in force)."""
    records = verify_file(path).records
    return next(
        r.seq for r in records if type(r.event) is RulingIssued and not r.event.in_force
    )


def test_fork_writes_a_verified_log_and_diff_finds_the_fork_point(
    capsys: pytest.CaptureFixture[str], parent: Path, tmp_path: Path
) -> None:
    at = first_ruling_seq(parent) - 1
    child = tmp_path / "child.jsonl"
    args = ["fork", str(parent), "--at", f"seq:{at}", "--set", "regulators.ftc.strictness=1.0"]
    result = run_cli(capsys, [*args, "--out", str(child)])
    assert result.code == 0, result.err
    assert f"after seq {at}" in result.out
    assert "regulators.ftc.strictness=1.0" in result.out
    records = verify_file(child).records
    assert type(records[at + 1].event) is Forked

    shown = run_cli(capsys, ["diff", str(parent), str(child)])
    assert shown.code == 0, shown.err
    assert f"B is a fork of A after seq {at}" in shown.out
    assert f"First difference at seq {at + 1}" in shown.out
    assert "before AGI" in shown.out and "at the end" in shown.out

    data = orjson.loads(run_cli(capsys, ["diff", str(parent), str(child), "--json"]).out)
    assert data["identical"] is False
    assert data["first_difference"]["seq"] == at + 1
    assert data["first_difference"]["b"]["type"] == "Forked"
    assert data["fork"]["child"] == "b" and data["fork"]["at_seq"] == at
    assert set(data["states"]) == {"before_agi", "after_agi", "final"}


def test_fork_json_and_the_default_output_path(
    capsys: pytest.CaptureFixture[str], parent: Path
) -> None:
    result = run_cli(capsys, ["fork", str(parent), "--at", "t=99.5", "--seed", "5", "--json"])
    assert result.code == 0, result.err
    report = orjson.loads(result.out)
    out = Path(report["log"])
    assert out == parent.with_name(f"parent.fork-{report['at_seq']}.jsonl")
    assert report["parent_digest"] == verify_file(parent).digest
    assert report["digest"] == verify_file(out).digest
    assert report["at_t"] <= 99.5
    assert report["changes"] == {} and report["fork_seed"] == "5"


def test_diff_of_identical_logs(capsys: pytest.CaptureFixture[str], parent: Path) -> None:
    result = run_cli(capsys, ["diff", str(parent), str(parent)])
    assert result.code == 0
    assert "identical" in result.out
    data = orjson.loads(run_cli(capsys, ["diff", str(parent), str(parent), "--json"]).out)
    assert data["identical"] is True and data["first_difference"] is None


def test_diff_of_two_unrelated_runs(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    a, b = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    a.write_bytes(simulate(load_scenario("msft-openai"), 1).log_bytes())
    b.write_bytes(simulate(load_scenario("msft-openai"), 2).log_bytes())
    data = orjson.loads(run_cli(capsys, ["diff", str(a), str(b), "--json"]).out)
    assert data["fork"] is None
    assert data["first_difference"]["seq"] == 0  # RunStarted: another seed


def test_a_tampered_log_is_refused_in_one_line(
    capsys: pytest.CaptureFixture[str], parent: Path, tmp_path: Path
) -> None:
    data = parent.read_bytes().replace(b'"outcome":"approved"', b'"outcome":"blocked"', 1)
    tampered = tmp_path / "tampered.jsonl"
    tampered.write_bytes(data)
    result = run_cli(capsys, ["fork", str(tampered), "--at", "10"])
    assert_one_line_error(result, 1, "cannot fork", "tampered.jsonl")
    assert not tampered.with_name("tampered.fork-10.jsonl").exists()
    result = run_cli(capsys, ["diff", str(parent), str(tampered)])
    assert_one_line_error(result, 1, "cannot diff", "tampered.jsonl")


@pytest.mark.parametrize(
    ("args", "code", "needle"),
    [
        (["--at", "seq:99999"], 2, "--at 99999"),
        (["--at", "99999"], 2, "--at t=99999: at or after the run's end"),
        (["--at", "later"], 2, "--at 'later'"),
        (["--at", "10", "--set", "scenario.horizon=2040-01-01"], 2, "--set scenario.horizon"),
        (["--at", "10", "--set", "regulators.cma.strictness=7"], 2, "regulators.cma.strictness"),
        (["--at", "10", "--set", "regulators.nobody.strictness=1"], 2, "nobody"),
        (["--at", "10", "--seed", "x"], 2, "--seed"),
    ],
)
def test_fork_usage_errors(
    capsys: pytest.CaptureFixture[str], parent: Path, args: list[str], code: int, needle: str
) -> None:
    assert_one_line_error(run_cli(capsys, ["fork", str(parent), *args]), code, needle)


def test_fork_refuses_to_overwrite_its_parent(
    capsys: pytest.CaptureFixture[str], parent: Path
) -> None:
    before = parent.read_bytes()
    result = run_cli(capsys, ["fork", str(parent), "--at", "10", "--out", str(parent)])
    assert_one_line_error(result, 2, "overwrite the parent")
    assert parent.read_bytes() == before


def test_missing_log(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    missing = str(tmp_path / "nope.jsonl")
    assert_one_line_error(run_cli(capsys, ["fork", missing, "--at", "1"]), 2, "no such log")
    assert_one_line_error(run_cli(capsys, ["diff", missing, missing]), 2, "no such log")


def test_walkthrough_batch_export_fork_diff(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """docs/what-if.md, step by step."""
    monkeypatch.chdir(tmp_path)
    store = "runs/batch.sqlite"
    mc = run_cli(capsys, ["mc", "-n", "20", "--seed", "7", "--workers", "1", "--store", store])
    assert mc.code == 0, mc.err
    export = run_cli(capsys, ["export", "--store", store, "--run", "6", "--out", "runs/r6.jsonl"])
    assert export.code == 0, export.err
    at = first_deal_ruling_seq(Path("runs/r6.jsonl")) - 1
    assert at == 84  # docs/what-if.md: "--at seq:84"
    fork = run_cli(
        capsys,
        [
            "fork",
            "runs/r6.jsonl",
            "--at",
            f"seq:{at}",
            "--set",
            "regulators.ftc.strictness=1.0",
            "--out",
            "runs/r6-strict-ftc.jsonl",
        ],
    )
    assert fork.code == 0, fork.err
    diff = run_cli(capsys, ["diff", "runs/r6.jsonl", "runs/r6-strict-ftc.jsonl", "--json"])
    report = orjson.loads(diff.out)
    assert report["first_difference"]["seq"] == at + 1
    assert report["fork"]["changes"] == {"regulators.ftc.strictness": 1.0}
    # The exported run is run 6 of the batch: seed 7:6, reproduced by negsim run.
    run6 = simulate(load_scenario("msft-openai"), "7:6")
    assert verify_file("runs/r6.jsonl").digest == run6.digest
    # the walkthrough's point: a strict FTC cannot block, it opens an inquiry first
    rulings = [
        [
            (r.event.regulator, r.event.outcome)
            for r in verify_file(p).records
            if type(r.event) is RulingIssued
        ]
        for p in (Path("runs/r6.jsonl"), Path("runs/r6-strict-ftc.jsonl"))
    ]
    ftc = [[o for r, o in run if r == "ftc"] for run in rulings]
    assert ftc[1][0] == "inquiry" and len(ftc[1]) == 2
    assert "blocked" not in ftc[0] + ftc[1]
