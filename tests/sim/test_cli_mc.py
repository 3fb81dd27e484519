"""``negsim mc``: end to end with --json, files, and the one-line error contract."""

from __future__ import annotations

import csv
import re
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
    assert report["store"] == "runs/msft-openai-mc-s3-n8.sqlite"
    assert (report["out"], report["n"], report["runs_stored"]) == ("r.csv", 8, 8)
    outcomes = [entry["outcome"] for entry in report["summary"]]
    assert outcomes == [
        "agreement",
        "regulator_approved",
        "after_agi.license.models",
        "agreement_after_agi",
        "restructuring_completed",
        "restructuring_failed",
        "agreement_time",
        "agreement_offers",
        "talk_rounds",
        "walk_aways",
        "restructuring_time",
        "funding_lost_bn",
        "utility_microsoft",
        "utility_openai",
        "agi_time",
        "offers_microsoft",
        "coherence_microsoft",
        "offers_openai",
        "coherence_openai",
    ]
    coherence = report["summary"][outcomes.index("coherence_microsoft")]
    assert coherence["n"] == 8 and 0.0 <= coherence["value"] <= 1.0
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
    assert "95% CI" in result.out
    # a sweep's default store name carries a digest of the sweep: no other batch shares it
    assert re.search(r"Stored 8 runs in runs/msft-openai-mc-s0-n4-[0-9a-f]{8}\.sqlite", result.out)
    json_run = run_cli(capsys, ["mc", "-n", "4", "--sweep", "agi.at=100,150", "--resume", "--json"])
    summary = orjson.loads(json_run.out)["summary"]
    groups = {str(e["group"]) for e in summary}
    assert groups == {"{'agi.at': 100}", "{'agi.at': 150}"}
    # each cell's coherence rows follow its own rows, not all cells' at the end
    cells = [str(e["group"]) for e in summary]
    assert cells == sorted(cells, key=cells.index)  # one contiguous block per cell
    assert sum(e["outcome"] == "coherence_openai" for e in summary) == 2
    assert "coherence_openai (mean)" in result.out


def test_existing_store_and_resume_mismatch(capsys: pytest.CaptureFixture[str]) -> None:
    assert run_cli(capsys, ["mc", "-n", "2", "--workers", "1", "--store", "b.sqlite"]).code == 0
    again = run_cli(capsys, ["mc", "-n", "2", "--store", "b.sqlite"])
    assert_one_line_error(again, 2, "b.sqlite", "already exists", "--resume")
    other = run_cli(capsys, ["mc", "-n", "2", "--seed", "9", "--store", "b.sqlite", "--resume"])
    assert_one_line_error(other, 2, "cannot resume", "seed (the store's is 0, this one 9)")
    smaller = run_cli(capsys, ["mc", "-n", "1", "--store", "b.sqlite", "--resume"])
    assert_one_line_error(smaller, 2, "n (the store holds a batch of 2 runs per cell", "-n 2")
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


def _digests(path: Path) -> list[tuple[int, str, str]]:
    with sqlite3.connect(path) as conn:
        return conn.execute("SELECT run, seed, digest FROM runs ORDER BY run").fetchall()


def _logs(path: Path) -> list[bytes]:
    from sim.batch.store import BatchStore

    with BatchStore.open(path) as store:
        return [store.log(run) for run in store.run_ids()]


@pytest.mark.parametrize("sweep", [[], ["--sweep", "agi.at=100,150"]])
def test_resume_with_a_larger_n_extends_the_batch_byte_for_byte(
    capsys: pytest.CaptureFixture[str], sweep: list[str]
) -> None:
    """Run i's seed does not depend on N, so 12 runs then --resume -n 30 is the 30-run batch."""
    small = ["mc", "-n", "12", "--seed", "4", *sweep, "--workers", "2", "--json"]
    assert run_cli(capsys, [*small, "--store", "ext.sqlite"]).code == 0
    big = ["mc", "-n", "30", "--seed", "4", *sweep, "--workers", "2", "--json"]
    extended = run_cli(capsys, [*big, "--store", "ext.sqlite", "--resume"])
    assert extended.code == 0, extended.err
    fresh = run_cli(capsys, [*big, "--store", "fresh.sqlite"])
    assert fresh.code == 0, fresh.err
    cells = 2 if sweep else 1
    assert [run for run, _, _ in _digests(Path("ext.sqlite"))] == list(range(30 * cells))
    assert _digests(Path("ext.sqlite")) == _digests(Path("fresh.sqlite"))
    assert _logs(Path("ext.sqlite")) == _logs(Path("fresh.sqlite"))  # every log, byte for byte
    one, two = orjson.loads(extended.out), orjson.loads(fresh.out)
    assert one["runs_stored"] == two["runs_stored"] == 30 * cells
    assert one["summary"] == two["summary"]
    with sqlite3.connect("ext.sqlite") as conn:
        assert dict(conn.execute("SELECT key, value FROM meta"))["n"] == "30"


def test_the_readme_batches_do_not_collide(capsys: pytest.CaptureFixture[str]) -> None:
    """`negsim mc -n 300 && negsim mc -n 1000`, as the README shows (smaller here)."""
    first = run_cli(capsys, ["mc", "-n", "6", "--workers", "1", "--json"])
    second = run_cli(capsys, ["mc", "-n", "10", "--workers", "1", "--json"])
    assert first.code == 0 and second.code == 0, second.err
    stores = {orjson.loads(r.out)["store"] for r in (first, second)}
    assert stores == {"runs/msft-openai-mc-s0-n6.sqlite", "runs/msft-openai-mc-s0-n10.sqlite"}
    swept = run_cli(capsys, ["mc", "-n", "6", "--workers", "1", "--sweep", "agi.at=100,150"])
    overridden = run_cli(capsys, ["mc", "-n", "6", "--workers", "1", "--set", "agi.at=100"])
    assert swept.code == 0 and overridden.code == 0, (swept.err, overridden.err)
    assert len(list(Path("runs").glob("*.sqlite"))) == 4  # four batches, four stores


def test_a_generic_batch_explains_only_the_outcomes_it_has(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    store = tmp_path / "demo.sqlite"
    result = run_cli(capsys, ["mc", "bilateral-demo", "-n", "4", "--store", str(store)])
    assert result.code == 0, result.err
    for word in ("agi", "regulator", "microsoft", "openai", "rofr"):
        assert word not in result.out.lower(), word
    assert "agreement of all runs" in result.out
