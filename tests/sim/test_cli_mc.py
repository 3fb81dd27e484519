"""``negsim mc``: end to end with --json, files, and the one-line error contract."""

from __future__ import annotations

import csv
import sqlite3
from pathlib import Path

import orjson
import pytest

from tests.cli_helpers import assert_one_line_error, run_cli


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # the default store goes to ./runs/


def test_json_end_to_end(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    result = run_cli(
        capsys,
        ["mc", "-n", "8", "--seed", "3", "--workers", "2", "--out", "r.csv", "--json"],
    )
    assert result.code == 0, result.err
    assert result.err == ""
    report = orjson.loads(result.out)  # one object, nothing else on stdout
    assert set(report) == {"store", "out", "n", "runs_stored", "summary"}
    assert report["store"] == "runs/msft-openai-mc-3.sqlite"
    assert (report["out"], report["n"], report["runs_stored"]) == ("r.csv", 8, 8)
    outcomes = [entry["outcome"] for entry in report["summary"]]
    assert outcomes == [
        "agreement",
        "regulator_approved",
        "after_agi.license.models",
        "agreement_time",
        "utility_microsoft",
        "utility_openai",
        "agi_time",
    ]
    agreement = report["summary"][0]
    assert set(agreement) == {"outcome", "group", "value", "ci_low", "ci_high", "n"}
    assert agreement["group"] == {} and agreement["n"] == 8
    assert agreement["ci_low"] <= agreement["value"] <= agreement["ci_high"]
    with open(tmp_path / "r.csv", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 8 and rows[0]["seed"] == "3:0"
    with sqlite3.connect(tmp_path / report["store"]) as conn:
        meta = dict(conn.execute("SELECT key, value FROM meta"))
        columns = [row[1] for row in conn.execute("PRAGMA table_info(runs)")]
    assert meta["scenario"] == "msft-openai" and meta["seed"] == "3" and meta["n"] == "8"
    assert len(meta["scenario_sha256"]) == 64 and meta["sweep"] == "[]" and meta["version"]
    assert columns[:4] == ["run", "seed", "digest", "events"]
    assert "param_agi.at" in columns and "utility_openai" in columns


def test_sweep_table_has_a_row_group_per_cell(capsys: pytest.CaptureFixture[str]) -> None:
    result = run_cli(
        capsys,
        ["mc", "-n", "4", "--workers", "1", "--sweep", "agi.at=100,150", "--out", "r.parquet"],
    )
    assert result.code == 0, result.err
    assert "agi.at" in result.out and "150" in result.out and "agreement" in result.out
    assert "95% CI" in result.out and "Stored 8 runs in runs/msft-openai-mc-0.sqlite" in result.out
    json_run = run_cli(capsys, ["mc", "-n", "4", "--sweep", "agi.at=100,150", "--resume", "--json"])
    groups = {str(e["group"]) for e in orjson.loads(json_run.out)["summary"]}
    assert groups == {"{'agi.at': 100}", "{'agi.at': 150}"}


def test_existing_store_and_resume_mismatch(capsys: pytest.CaptureFixture[str]) -> None:
    assert run_cli(capsys, ["mc", "-n", "2", "--workers", "1", "--store", "b.sqlite"]).code == 0
    again = run_cli(capsys, ["mc", "-n", "2", "--store", "b.sqlite"])
    assert_one_line_error(again, 2, "b.sqlite", "already exists", "--resume")
    other = run_cli(capsys, ["mc", "-n", "2", "--seed", "9", "--store", "b.sqlite", "--resume"])
    assert_one_line_error(other, 2, "cannot resume", "seed (the store's is 0, this one 9)")
    bigger = run_cli(capsys, ["mc", "-n", "3", "--store", "b.sqlite", "--resume"])
    assert_one_line_error(bigger, 2, "n (the store's is 2, this one 3)")
    scen = run_cli(capsys, ["mc", "bilateral-demo", "-n", "2", "--store", "b.sqlite", "--resume"])
    assert_one_line_error(scen, 2, "scenario (the store's is 'msft-openai'")


@pytest.mark.parametrize(
    ("args", "code", "needles"),
    [
        (["-n", "0"], 2, ["-n"]),
        (["-n", "2", "--sweep", "agi.at"], 2, ["--sweep", "KEY=V1,V2"]),
        (["-n", "2", "--sweep", "agi.nope=1,2"], 2, ["--sweep agi.nope", "known key"]),
        (["-n", "2", "--sweep", "agi.at=1,x"], 2, ["--sweep agi.at=x"]),
        (["-n", "2", "--set", "agi.nope=1"], 2, ["--set agi.nope"]),
        (["-n", "2", "--executor", "foo"], 2, ["--executor", "foo"]),
        (["-n", "2", "--address", "tcp://127.0.0.1:8786"], 2, ["--address needs --executor dask"]),
        (["-n", "2", "--workers", "0"], 2, ["--workers"]),
        (["-n", "2", "--out", "r.xlsx"], 2, [".parquet or .csv"]),
        (["nope", "-n", "2"], 2, ["nope"]),
        (["-n", "2", "--store", "f/b.sqlite"], 3, ["cannot create directory"]),
        (["-n", "2", "--workers", "1", "--out", "f/r.csv"], 3, ["cannot write results"]),
    ],
)
def test_bad_input_is_one_line(
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    args: list[str],
    code: int,
    needles: list[str],
) -> None:
    (tmp_path / "f").write_text("a file, not a directory")
    assert_one_line_error(run_cli(capsys, ["mc", *args]), code, *needles)


def test_missing_extras_say_what_to_install(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import sys

    monkeypatch.setitem(sys.modules, "distributed", None)  # import fails as if absent
    monkeypatch.setitem(sys.modules, "pyarrow", None)
    dask = run_cli(capsys, ["mc", "-n", "2", "--executor", "dask", "--store", "d.sqlite"])
    assert_one_line_error(dask, 2, "pip install '.[dask]'")
    parquet = run_cli(capsys, ["mc", "-n", "2", "--out", "r.parquet"])
    assert_one_line_error(parquet, 2, "pip install '.[parquet]'")
    assert not Path("runs").exists()  # refused before running anything
    assert not Path("d.sqlite").exists()


def test_a_failed_first_attempt_leaves_no_store(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from sim.batch import executors

    def broken(*args: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(executors, "ProcessExecutor", broken)
    result = run_cli(capsys, ["mc", "-n", "2", "--store", "b.sqlite"])
    assert_one_line_error(result, 3, "No space left")
    assert not Path("b.sqlite").exists()  # so the next attempt needs no --resume
