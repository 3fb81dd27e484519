"""``negsim backtest`` and ``negsim run --as-of`` end to end, checked against runs
simulated directly (in this process, without the batch runner or the store)."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import numpy as np
import orjson
import pytest

from events import state_at
from events.calendar import date_at, months_between
from events.verify import verify_file
from sim.backtest.scoring import crps, mid_rank
from sim.batch.store import BatchStore
from sim.engine import simulate
from sim.scenario import load_scenario
from tests.cli_helpers import assert_one_line_error, run_cli

UNCERTAIN = 'parties.seller.reservation={dist="uniform", low=0.1, high=0.6}'
OBSERVED = """
[[observed]]
name = "deal"
quantity = "agreement"
value = true

[[observed]]
name = "when"
quantity = "agreement_time"
value = 70
tolerance = 5

[[observed]]
name = "price"
quantity = "terms_price"
value = 12
values = [14]

[[observed]]
name = "status"
quantity = "state.status@60"
value = "negotiating"

[[observed]]
name = "signed"
quantity = "first:ContractSigned@10"
value = 71
tolerance = 3
"""


@pytest.fixture
def observed(tmp_path: Path) -> Path:
    path = tmp_path / "observed.toml"
    path.write_text(OBSERVED, encoding="utf-8")
    return path


def direct_values(n: int, seed: int) -> list[list[object]]:
    """Each run's quantities computed straight from the engine's result."""
    scenario = load_scenario("bilateral-demo", [UNCERTAIN])
    out = []
    for i in range(n):
        result = simulate(scenario, f"{seed}:{i}")
        summary = result.summary
        signed = [r.t for r in result.records if type(r.event).__name__ == "ContractSigned"]
        signed = [t for t in signed if t >= 10]
        out.append(
            [
                summary["agreement"],
                summary["agreement_time"],
                summary["terms_price"],
                state_at(result.records, 60).status,
                signed[0] if signed else None,
            ]
        )
    return out


def test_json_contract_and_values_match_direct_runs(
    capsys: pytest.CaptureFixture[str], observed: Path, tmp_path: Path
) -> None:
    n, seed = 12, 4
    result = run_cli(
        capsys,
        [
            *("backtest", "bilateral-demo", "--observed", str(observed), "-n", str(n)),
            *("--seed", str(seed), "--workers", "1", "--set", UNCERTAIN, "--json"),
        ],
    )
    assert result.code == 0, result.err
    report = orjson.loads(result.out)
    assert {"observed", "joint"} <= set(report)
    assert set(report["joint"]) >= {"share", "low", "high"}
    for entry in report["observed"]:
        assert {"name", "percentile", "score"} <= set(entry)
        assert ("quantiles" in entry) != ("shares" in entry)
    by_name = {entry["name"]: entry for entry in report["observed"]}
    direct = direct_values(n, seed)

    times = [row[1] for row in direct if row[1] is not None]
    assert by_name["when"]["percentile"] == pytest.approx(mid_rank(times, 70))
    assert by_name["when"]["score"] == pytest.approx(crps(times, 70))
    assert by_name["when"]["quantiles"]["q50"] == pytest.approx(float(np.median(times)))
    prices = [row[2] for row in direct]
    matched = sum(p in (12, 14) for p in prices)
    assert by_name["price"]["score"] == pytest.approx((1 - matched / n) ** 2)
    assert by_name["price"]["shares"] == {
        str(p): prices.count(p) / n for p in sorted(set(prices), key=str)
    }
    statuses = [row[3] for row in direct]
    assert by_name["status"]["shares"] == {s: statuses.count(s) / n for s in sorted(set(statuses))}
    signed = [row[4] for row in direct if row[4] is not None]
    assert by_name["signed"]["quantiles"]["q05"] == pytest.approx(float(np.quantile(signed, 0.05)))
    joint = sum(
        bool(row[0])
        and row[1] is not None
        and abs(row[1] - 70) <= 5
        and row[2] in (12, 14)
        and row[3] == "negotiating"
        and row[4] is not None
        and abs(row[4] - 71) <= 3
        for row in direct
    )
    assert joint > 0  # the observations are plausible: the joint share means something
    assert report["joint"]["share"] == pytest.approx(joint / n)
    assert report["joint"]["low"] <= report["joint"]["share"] <= report["joint"]["high"]


def test_store_is_reused_and_against_scores_on_the_same_seeds(
    capsys: pytest.CaptureFixture[str], observed: Path, tmp_path: Path
) -> None:
    store = tmp_path / "b.sqlite"
    args = ["backtest", "bilateral-demo", "--observed", str(observed), "-n", "8"]
    args += ["--workers", "1", "--set", UNCERTAIN, "--store", str(store), "--json"]
    table = tmp_path / "t.csv"
    first = run_cli(capsys, [*args, "--against", "bilateral-demo", "--out", str(table)])
    assert first.code == 0, first.err
    with table.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert [row["scenario"] for row in rows] == ["bilateral-demo"] * 10  # 5 each
    assert {row["name"] for row in rows} == {"deal", "when", "price", "status", "signed"}
    report = orjson.loads(first.out)
    # the same scenario on the same seeds: identical scores, zero skill
    for mine, theirs in zip(report["observed"], report["against"]["observed"], strict=True):
        assert mine["score"] == theirs["score"]
        assert mine["skill"] in (0.0, None)
    assert (tmp_path / "b-against.sqlite").exists()
    with BatchStore.open(store) as opened:
        digests = [row["digest"] for row in opened.rows()]
    second = run_cli(capsys, args)
    assert second.code == 0, second.err
    with BatchStore.open(store) as opened:
        assert [row["digest"] for row in opened.rows()] == digests
    for entry in report["observed"]:
        del entry["skill"]
    assert orjson.loads(second.out)["observed"] == report["observed"]


def test_human_output_fits_80_columns(
    capsys: pytest.CaptureFixture[str], observed: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "80")
    result = run_cli(
        capsys,
        [
            *("backtest", "bilateral-demo", "--observed", str(observed), "-n", "6"),
            *("--workers", "1", "--against", "bilateral-demo", "--set", UNCERTAIN),
        ],
    )
    assert result.code == 0, result.err
    assert max(len(line) for line in result.out.splitlines()) <= 80
    assert "Runs matching every observation" in result.out


def test_a_state_path_that_does_not_exist_is_one_line(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "o.toml"
    path.write_text(
        "[[observed]]\nname='x'\nquantity='state.rights.nope@3'\nvalue=true\n", encoding="utf-8"
    )
    result = run_cli(
        capsys, ["backtest", "bilateral-demo", "--observed", str(path), "-n", "2", "--workers", "1"]
    )
    assert_one_line_error(result, 2, str(path), "observed[0] (x)", "no key 'nope'")


def test_an_unknown_summary_column_fails_before_running(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "o.toml"
    path.write_text("[[observed]]\nname='x'\nquantity='colour'\nvalue=1\n", encoding="utf-8")
    result = run_cli(capsys, ["backtest", "bilateral-demo", "--observed", str(path), "-n", "2"])
    assert_one_line_error(result, 2, "observed[0] (x)", "no summary column 'colour'")


def test_msft_openai_dates_and_rights(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = tmp_path / "o.toml"
    path.write_text(
        """
[[observed]]
name = "ip access in 2030"
quantity = "state.rights.license.models@2030-01-01"
value = true

[[observed]]
name = "first ruling"
quantity = "first:RulingIssued@2025-01-01"
value = 2026-06-01
tolerance = 90
""",
        encoding="utf-8",
    )
    result = run_cli(
        capsys, ["backtest", "--observed", str(path), "-n", "3", "--workers", "1", "--json"]
    )
    assert result.code == 0, result.err
    access, ruling = orjson.loads(result.out)["observed"]
    scenario = load_scenario("msft-openai")
    expected_access, expected_ruling = [], []
    for i in range(3):
        run = simulate(scenario, f"0:{i}")
        t = months_between(scenario.start, dt.date(2030, 1, 1))
        expected_access.append(state_at(run.records, t).rights.get("license.models"))
        rulings = [r.t for r in run.records if type(r.event).__name__ == "RulingIssued"]
        rulings = [r for r in rulings if r >= months_between(scenario.start, dt.date(2025, 1, 1))]
        if rulings:
            expected_ruling.append(date_at(scenario.start, rulings[0] + 1e-9))
    share = sum(bool(a) for a in expected_access) / 3
    assert access["shares"].get("true", 0.0) == pytest.approx(share)
    if expected_ruling:
        assert ruling["quantiles"]["q05"] <= ruling["quantiles"]["q95"]
        assert ruling["defined"] == len(expected_ruling)
        assert min(d.isoformat() for d in expected_ruling) <= ruling["quantiles"]["q05"]


def test_run_as_of_drops_later_prelude_entries(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    full = load_scenario("msft-openai")
    cutoff = dt.date(2024, 6, 30)
    keep = [e.id for e in full.prelude if e.at <= months_between(full.start, cutoff)]
    assert 0 < len(keep) < len(full.prelude)  # the test means something
    out = tmp_path / "asof.jsonl"
    result = run_cli(capsys, ["run", "--as-of", cutoff.isoformat(), "--out", str(out), "--json"])
    assert result.code == 0, result.err
    started = verify_file(out).records[0].event
    assert [entry["id"] for entry in started.scenario["prelude"]] == keep
    bad = run_cli(capsys, ["run", "bilateral-demo", "--as-of", "2024-01-01"])
    assert_one_line_error(bad, 2, "--as-of", "counts steps")


def test_ctrl_c_says_where_the_runs_are(
    capsys: pytest.CaptureFixture[str],
    observed: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import importlib

    module = importlib.import_module(
        "sim.backtest.backtest"
    )  # the package exports a function of that name

    def stop(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(module, "run_scenario", stop)
    store = tmp_path / "kept.sqlite"
    base = ["backtest", "bilateral-demo", "--observed", str(observed), "-n", "2"]
    result = run_cli(capsys, [*base, "--store", str(store)])
    assert_one_line_error(result, 130, "interrupted", str(store), "rerun the same command")
    result = run_cli(capsys, base)
    assert_one_line_error(result, 130, "interrupted", "pass --store")


def test_as_of_drops_history_from_the_scenario_not_from_against(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "o.toml"
    path.write_text(
        "[[observed]]\nname='signed'\nquantity='first:ContractSigned@2025-01-01'\n"
        "value=2025-01-21\ntolerance=1\n",
        encoding="utf-8",
    )
    full = load_scenario("msft-openai")
    cutoff = months_between(full.start, dt.date(2024, 12, 31))
    dropped = [e for e in full.prelude if e.at > cutoff]
    # Signed on 2025-01-21, and the CMA's decision of 2025-03-05 (FACTS.md).
    assert [e.id for e in dropped] == ["2025-rofr", "2025-cma-decision"]
    result = run_cli(
        capsys,
        [
            *("backtest", "--observed", str(path), "-n", "2", "--workers", "1"),
            *("--as-of", "2024-12-31", "--against", "msft-openai", "--json"),
        ],
    )
    assert result.code == 0, result.err
    report = orjson.loads(result.out)
    assert report["observed"][0]["matched"] == 0
    assert report["against"]["observed"][0]["matched"] == 2
    assert report["against"]["joint"]["share"] == 1.0


def test_a_number_observed_for_a_text_column_is_one_line(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "o.toml"
    path.write_text("[[observed]]\nname='s'\nquantity='final_status'\nvalue=3\n", encoding="utf-8")
    result = run_cli(
        capsys, ["backtest", "bilateral-demo", "--observed", str(path), "-n", "2", "--workers", "1"]
    )
    assert_one_line_error(result, 2, "observed[0] (s)", "not a number")


def test_the_report_does_not_depend_on_the_worker_count(
    capsys: pytest.CaptureFixture[str], observed: Path
) -> None:
    reports = []
    for workers in ("1", "2"):
        result = run_cli(
            capsys,
            [
                *("backtest", "bilateral-demo", "--observed", str(observed), "-n", "10"),
                *("--workers", workers, "--set", UNCERTAIN, "--json"),
            ],
        )
        assert result.code == 0, result.err
        reports.append(orjson.loads(result.out))
    assert reports[0] == reports[1]


def test_as_of_comes_before_set_and_an_ungranted_right_reads_as_not_held(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """A 2023 variant whose talks open in 2023: the opening moves before the dropped
    2025 entry only once that entry is gone. A right the deal can grant but a run never
    granted is not held (false) in that run; a right no clause can grant is an error."""
    obs = tmp_path / "obs.toml"
    obs.write_text(
        '[[observed]]\nname = "rofr"\nquantity = "state.rights.first_refusal.compute@2025-07-01"\n'
        "value = true\n",
        encoding="utf-8",
    )
    args = ["backtest", "msft-openai", "--as-of", "2023-06-01"]
    args += ["--set", "negotiation.opens=2023-06-01", "--observed", str(obs)]
    result = run_cli(capsys, [*args, "-n", "4", "--workers", "1", "--json"])
    assert result.code == 0, result.err
    report = orjson.loads(result.out)["observed"][0]
    assert set(report["shares"]) <= {"true", "false"} and report["shares"]
    scenario = load_scenario("msft-openai")
    run = simulate(
        load_scenario("msft-openai").with_overrides(assignments=["agi.at=150"]), 0
    )  # a plain run: the 2025 ROFR is in its history
    assert state_at(run.records, scenario.time_of(dt.date(2025, 7, 1))).rights[
        "first_refusal.compute"
    ]
    obs.write_text(
        '[[observed]]\nname = "typo"\nquantity = "state.rights.first_refusal.cmpute@2025-07-01"\n'
        "value = true\n",
        encoding="utf-8",
    )
    bad = run_cli(capsys, [*args, "-n", "2", "--workers", "1"])
    assert_one_line_error(bad, 2, "first_refusal.cmpute")


def test_the_docs_history_backtest_runs_and_its_reference_matches_everything(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """docs/backtest.md's example: a mid-2024 variant whose talks open in 2024, scored
    against the built-in scenario as given (with --as-of, --against takes no --set)."""
    observed = Path(__file__).resolve().parents[2] / "docs" / "examples"
    args = ["backtest", "msft-openai", "--as-of", "2024-06-01"]
    args += ["--set", "negotiation.opens=2024-06-01"]
    args += ["--observed", str(observed / "msft-openai-mid-2025-observed.toml")]
    result = run_cli(capsys, [*args, "-n", "6", "--workers", "1", "--against", "msft-openai"])
    assert result.code == 0, result.err
    report = orjson.loads(
        run_cli(
            capsys, [*args, "-n", "6", "--workers", "1", "--against", "msft-openai", "--json"]
        ).out
    )
    assert report["against"]["joint"]["share"] == 1.0  # the history holds every answer
    names = [entry["name"] for entry in report["observed"]]
    assert names[0] == "ROFR on new compute by mid-2025" and len(names) == 5
