"""Tournaments: pairings, seeds, ranking, output, CLI."""

from __future__ import annotations

import io
import math
from pathlib import Path

import orjson
import pytest

from events.errors import InputError
from sim.batch.execution import Execution
from sim.engine import simulate
from sim.lab import tournament
from sim.scenario import load_scenario
from sim.stats import mean_ci, proportion_ci, t_quantile
from tests.cli_helpers import assert_one_line_error, run_cli

STRATEGIES = ("boulware", "conceder", "hardliner")


@pytest.fixture(scope="module")
def played():
    return tournament("bilateral-demo", STRATEGIES, repetitions=4, seed=3)


def test_every_ordered_pair_plays_the_same_seeds(played) -> None:
    assert len(played.rows) == 9 * 4
    pairs = [(r["first_strategy"], r["second_strategy"]) for r in played.rows[::4]]
    assert pairs == [(a, b) for a in STRATEGIES for b in STRATEGIES]
    for k, row in enumerate(played.rows):
        assert row["run"] == k
        assert row["seed"] == f"3:{k % 4}"
        assert row["pairing"] == f"{row['first_strategy']} vs {row['second_strategy']}"


def test_a_row_is_the_run_it_names(played) -> None:
    row = played.rows[4 * 5 + 2]  # conceder vs hardliner, seed 3:2
    assert (row["first_strategy"], row["second_strategy"]) == ("conceder", "hardliner")
    scenario = load_scenario(
        "bilateral-demo",
        [
            "parties.buyer.params={}",
            "parties.seller.params={}",
            "parties.buyer.strategy=conceder",
            "parties.seller.strategy=hardliner",
        ],
    )
    assert simulate(scenario, "3:2").digest == row["digest"]


def test_ranking_pools_both_seats(played) -> None:
    hard = played.score("hardliner")
    seats = [r["utility_buyer"] for r in played.rows if r["first_strategy"] == "hardliner"]
    seats += [r["utility_seller"] for r in played.rows if r["second_strategy"] == "hardliner"]
    assert hard.utility.n == len(seats) == 2 * 3 * 4
    assert hard.utility.mean == pytest.approx(sum(seats) / len(seats))
    # A hardliner never concedes, so it only "agrees" when its opponent gives it all.
    ranked = [entry.strategy for entry in played.ranking]
    means = [entry.utility.mean for entry in played.ranking]
    assert means == sorted(means, reverse=True)
    assert sorted(ranked) == sorted(STRATEGIES)
    for entry in played.ranking:
        assert entry.utility.low <= entry.utility.mean <= entry.utility.high
        assert 0.0 <= entry.agreement_rate.low <= entry.agreement_rate.high <= 1.0


def test_pareto_distance_is_over_agreements(played) -> None:
    for row in played.rows:
        if row["agreement"]:
            assert row["pareto_distance"] >= 0.0
            assert row["time_to_agreement"] == row["agreement_time"]  # bilateral opens at 0
        else:
            assert row["pareto_distance"] is None


def test_same_seed_same_table_whatever_the_workers() -> None:
    one = tournament("bilateral-demo", ("linear", "conceder"), repetitions=3, seed=1)
    two = tournament(
        "bilateral-demo",
        ("linear", "conceder"),
        repetitions=3,
        seed=1,
        execution=Execution(workers=2),
    )
    assert one.rows == two.rows
    assert one.as_dict() == two.as_dict()


def test_scenario_params_are_cleared_and_overrides_applied() -> None:
    # The scenario gives the buyer a Boulware exponent, which tit-for-tat does not take:
    # each seat's params are cleared before the strategies are swapped in.
    scenario = load_scenario("bilateral-demo", ["parties.buyer.params.exponent=2.0"])
    played = tournament(scenario, ["tit-for-tat"], repetitions=1)
    assert played.rows[0]["pairing"] == "tit-for-tat vs tit-for-tat"
    # Overrides apply after the clearing.
    short = tournament(
        "bilateral-demo", ["linear"], repetitions=2, overrides=["negotiation.n_steps=10"]
    )
    assert all(row["agreement_time"] <= 10 for row in short.rows)
    with pytest.raises(InputError, match="exponent"):
        tournament(
            "bilateral-demo",
            ["tit-for-tat"],
            repetitions=1,
            overrides=["parties.buyer.params.exponent=2.0"],
        )


def test_bad_strategy_names_list_the_valid_ones() -> None:
    with pytest.raises(InputError, match=r"unknown strategy 'nope'; valid: boulware, linear"):
        tournament("bilateral-demo", "boulware,nope", repetitions=1)
    with pytest.raises(InputError, match="given twice"):
        tournament("bilateral-demo", "boulware,boulware", repetitions=1)
    with pytest.raises(InputError, match="repetitions"):
        tournament("bilateral-demo", "boulware", repetitions=0)


def test_write_parquet_and_csv(played, tmp_path: Path) -> None:
    pq = pytest.importorskip("pyarrow.parquet")
    table = pq.read_table(played.write(tmp_path / "t.parquet"))
    assert table.num_rows == 36
    assert table.column("pairing")[0].as_py() == "boulware vs boulware"
    text = played.write(tmp_path / "t.csv").read_text().splitlines()
    assert text[0].startswith("run,seed,digest,events,first_strategy,second_strategy,pairing")
    assert len(text) == 37
    with pytest.raises(InputError, match="unknown output format"):
        played.write(tmp_path / "t.txt")


def test_stats_helpers() -> None:
    est = mean_ci([1.0, 2.0, 3.0, None, float("nan")])
    assert (est.mean, est.n) == (2.0, 3)
    assert est.half_width == pytest.approx(t_quantile(0.975, 2) * 1.0 / math.sqrt(3))
    assert math.isinf(mean_ci([1.0]).half_width)
    assert mean_ci([]).n == 0 and mean_ci([]).format() == "-"
    rate = proportion_ci([True] * 10)
    assert rate.mean == 1.0 and rate.high == 1.0 and rate.low == pytest.approx(0.7225, abs=1e-4)


# -- CLI ------------------------------------------------------------------------------


def test_cli_tournament_table_and_csv(capsys, tmp_path: Path) -> None:
    out = tmp_path / "runs.csv"
    result = run_cli(
        capsys,
        [
            "tournament",
            "bilateral-demo",
            "--strategies",
            "boulware,conceder",
            "-r",
            "2",
            "--workers",
            "1",
            "--out",
            str(out),
        ],
    )
    assert result.code == 0, result.err
    assert "boulware" in result.out and "Pareto" in result.out
    assert f"wrote 8 runs to {out}" in " ".join(result.out.split())
    assert len(out.read_text().splitlines()) == 9


def test_cli_tournament_json(capsys) -> None:
    args = ["tournament", "bilateral-demo", "--strategies", "conceder", "-r", "2", "--json"]
    result = run_cli(capsys, [*args, "--workers", "1"])
    assert result.code == 0, result.err
    report = orjson.loads(result.out)
    assert report["strategies"] == ["conceder"] and report["runs"] == 2
    assert report["ranking"][0]["strategy"] == "conceder"
    assert set(report["ranking"][0]["utility"]) == {"mean", "low", "high", "half_width", "n"}


@pytest.mark.parametrize(
    ("args", "needles"),
    [
        (["--strategies", "boulware,frobnicate"], ["unknown strategy 'frobnicate'", "tit-for-tat"]),
        (["--strategies", "boulware", "--out", "x.txt"], ["--out", ".parquet"]),
        (["--strategies", "boulware", "-r", "0"], ["repetitions"]),
        (["--strategies", "boulware", "--set", "parties.nobody.strategy=x"], ["nobody"]),
    ],
)
def test_cli_tournament_errors(capsys, args: list[str], needles: list[str]) -> None:
    result = run_cli(capsys, ["tournament", "bilateral-demo", *args])
    assert_one_line_error(result, 2, *needles)


def test_pairing_matrices_fit_80_columns_and_show_each_partys_means(played) -> None:
    from rich.console import Console

    console = Console(width=80, record=True, file=io.StringIO())
    console.print(played.pairing_table())
    lines = console.export_text().splitlines()
    assert max(len(line.rstrip()) for line in lines) <= 80
    means = played.pairing_means()
    rows = [line.split() for line in lines if line.strip()[:1].isdigit()]
    assert len(rows) == 2 * len(played.strategies)  # one matrix per party
    for side in (0, 1):
        for number, a in enumerate(played.strategies, 1):
            cells = rows[side * len(played.strategies) + number - 1]
            assert cells[:2] == [str(number), a]
            assert cells[2:] == [f"{means[a, b][side]:.2f}" for b in played.strategies]
