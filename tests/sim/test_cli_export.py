"""``negsim export``: a stored run's log, verified, matching its digest and a re-run."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest

from sim.batch import run_batch
from sim.batch.execution import Execution
from sim.batch.store import BatchStore
from tests.cli_helpers import assert_one_line_error, run_cli


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("export") / "b.sqlite"
    run_batch(
        "msft-openai",
        3,
        seed=4,
        overrides=["regulators.cma.strictness=0.6"],
        sweep=["agi.at=100,150"],
        execution=Execution(workers=2),
        store=path,
    )
    return path


def test_export_verifies_matches_and_reproduces(
    capsys: pytest.CaptureFixture[str], store: Path, tmp_path: Path
) -> None:
    out = tmp_path / "logs" / "run4.jsonl"
    result = run_cli(capsys, ["export", "--store", str(store), "--run", "4", "--out", str(out)])
    assert result.code == 0, result.err
    with BatchStore.open(store) as batch:
        row = batch.row(4)
    assert row["seed"] == "4:1" and row["sweep_agi.at"] == 150
    assert f"digest {row['digest']}" in result.out
    verified = run_cli(capsys, ["verify", str(out), "--json"])
    assert verified.code == 0, verified.err
    assert orjson.loads(verified.out)["digest"] == row["digest"]
    # run 4 = cell 1 (agi.at=150), seed 4:1, re-run alone with the same overrides
    rerun = tmp_path / "rerun.jsonl"
    again = run_cli(
        capsys,
        [
            "run",
            "--seed",
            "4:1",
            "--set",
            "regulators.cma.strictness=0.6",
            "--set",
            "agi.at=150",
            "--out",
            str(rerun),
            "--json",
        ],
    )
    assert again.code == 0, again.err
    assert rerun.read_bytes() == out.read_bytes()


def test_export_json(capsys: pytest.CaptureFixture[str], store: Path, tmp_path: Path) -> None:
    out = tmp_path / "r0.jsonl"
    result = run_cli(
        capsys, ["export", "--store", str(store), "--run", "0", "--out", str(out), "--json"]
    )
    report = orjson.loads(result.out)
    assert (report["run"], report["seed"], report["out"]) == (0, "4:0", str(out))
    assert report["events"] == len(out.read_bytes().splitlines())


def test_unknown_run_and_missing_store(
    capsys: pytest.CaptureFixture[str], store: Path, tmp_path: Path
) -> None:
    out = str(tmp_path / "x.jsonl")
    unknown = run_cli(capsys, ["export", "--store", str(store), "--run", "6", "--out", out])
    assert_one_line_error(unknown, 2, "no run 6", "runs 0..5")
    missing = run_cli(
        capsys, ["export", "--store", str(tmp_path / "no.sqlite"), "--run", "0", "--out", out]
    )
    assert_one_line_error(missing, 2, "no.sqlite", "no such file")
    negative = run_cli(capsys, ["export", "--store", str(store), "--run", "-1", "--out", out])
    assert_one_line_error(negative, 2, "--run")
    assert not Path(out).exists()
