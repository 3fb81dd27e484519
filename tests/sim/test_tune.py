"""Tuning: search spaces, determinism, objectives, errors, CLI."""

from __future__ import annotations

import math

import orjson
import pytest

from events.errors import InputError
from sim.batch.execution import Execution
from sim.engine import simulate
from sim.lab import Range, parse_param, tune
from sim.lab.tune import _grid
from sim.scenario import load_scenario
from tests.cli_helpers import assert_one_line_error, run_cli


def test_parse_param() -> None:
    assert parse_param("exponent=0.1:10") == ("exponent", Range(0.1, 10.0))
    assert parse_param("exponent=0.1:10:log") == ("exponent", Range(0.1, 10.0, log=True))
    assert parse_param("delay=1,2,3") == ("delay", (1, 2, 3))
    assert parse_param("exponent = 0.5, 2") == ("exponent", (0.5, 2))
    for bad in ("exponent", "=1:2", "exponent=", "exponent=1:2:3", "exponent=a:b"):
        with pytest.raises(InputError, match=r"^params "):
            parse_param(bad)
    with pytest.raises(ValueError, match="log range"):
        Range(0.0, 1.0, log=True)


def test_grid_points() -> None:
    assert Range(1.0, 3.0).grid(3) == [1.0, 2.0, 3.0]
    assert Range(0.1, 10.0, log=True).grid(3) == pytest.approx([0.1, 1.0, 10.0])
    assert Range(1, 3, integer=True).grid(5) == [1, 2, 3]
    # Two ranges share the trial budget: floor(sqrt(9)) = 3 values each.
    cells = _grid({"a": Range(0.0, 1.0), "b": (True, False), "c": Range(1.0, 2.0)}, 9)
    assert len(cells) == 3 * 2 * 3
    assert cells[0] == {"a": 0.0, "b": True, "c": 1.0}


def test_grid_tuning_on_bilateral_demo() -> None:
    found = tune(
        "bilateral-demo",
        party="buyer",
        strategy="boulware",
        params={"exponent": [0.5, 2.0, 8.0]},
        seeds=3,
    )
    assert [t.params for t in found.trials] == [
        {"exponent": 0.5},
        {"exponent": 2.0},
        {"exponent": 8.0},
    ]
    assert found.objective == "utility_buyer" and found.direction == "maximize"
    means = [t.objective.mean for t in found.trials]
    assert found.best.objective.mean == max(means)
    assert found.best is found.trials[means.index(max(means))]  # the earliest wins ties
    assert found.baseline.number == -1 and found.baseline.params == {}
    for trial in found.trials:
        assert [r["seed"] for r in trial.rows] == ["0:0", "0:1", "0:2"]
        assert trial.objective.n == 3
    # The rows are the runs they name.
    row = found.runs[1]
    scenario = load_scenario("bilateral-demo", found.rerun_set())
    assert simulate(scenario, row["seed"]).digest == row["digest"]


def test_random_search_is_deterministic_and_opponents_multiply_runs() -> None:
    kwargs = dict(
        party="seller",
        strategy="tit-for-tat",
        params=["delay=1:4", "scale=0.5:2:log"],
        method="random",
        trials=3,
        seeds=2,
        seed=5,
        opponents="boulware,conceder",
    )
    one = tune("bilateral-demo", **kwargs)
    two = tune("bilateral-demo", **kwargs, execution=Execution(workers=2))
    assert one.as_dict() == two.as_dict()
    assert one.runs == two.runs
    for trial in one.trials:
        assert isinstance(trial.params["delay"], int) and 1 <= trial.params["delay"] <= 4
        assert 0.5 <= trial.params["scale"] <= 2.0
        assert trial.objective.n == 4  # 2 seeds x 2 opponents
    other = tune("bilateral-demo", **{**kwargs, "seed": 6})
    assert [t.params for t in other.trials] != [t.params for t in one.trials]
    # Paired gain over the same runs.
    gain = one.gain
    diffs = [
        b["utility_seller"] - a["utility_seller"]
        for b, a in zip(one.best.rows, one.baseline.rows, strict=True)
    ]
    assert gain.mean == pytest.approx(sum(diffs) / len(diffs))


def test_minimising_a_derived_column() -> None:
    found = tune(
        "bilateral-demo",
        party="buyer",
        strategy="linear",
        params={"exponent": [0.5, 1.0, 3.0]},
        objective="pareto_distance",
        direction="minimize",
        seeds=2,
    )
    means = [t.objective.mean for t in found.trials if not math.isnan(t.objective.mean)]
    assert found.best.objective.mean == min(means)
    assert found.gain.mean >= 0.0 or math.isnan(found.gain.mean)


def test_optuna_search_is_seeded() -> None:
    pytest.importorskip("optuna")
    kwargs = dict(
        party="buyer",
        strategy="boulware",
        params=["exponent=0.2:8:log"],
        method="optuna",
        trials=4,
        seeds=2,
        seed=1,
    )
    one = tune("bilateral-demo", **kwargs)
    two = tune("bilateral-demo", **kwargs)
    assert [t.params for t in one.trials] == [t.params for t in two.trials]
    assert all(0.2 <= t.params["exponent"] <= 8 for t in one.trials)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"strategy": "nope"}, r"unknown strategy 'nope'; valid: boulware, linear"),
        (
            {"params": ["speed=1:2"]},
            r"strategy 'boulware' has no parameter 'speed'; valid: exponent, max_aspiration",
        ),
        ({"params": ["exponent=-1:2"]}, r"^params exponent: strategy 'boulware': exponent must"),
        ({"params": {"exponent": []}}, r"at least one value"),
        ({"params": []}, r"nothing to tune; strategy 'boulware' takes: exponent"),
        ({"party": "nobody"}, r"no negotiating party 'nobody'; valid: buyer, seller"),
        ({"objective": "final_status"}, r"not a numeric summary column"),
        ({"method": "annealing"}, r"^method: expected one of grid, random, optuna"),
        ({"opponents": "boulware,zzz"}, r"^opponents: unknown strategy 'zzz'"),
        ({"seeds": 0}, r"^seeds: expected a positive integer, got 0"),
    ],
)
def test_bad_inputs_are_one_line_errors(kwargs: dict, message: str) -> None:
    base = {"party": "buyer", "strategy": "boulware", "params": ["exponent=1:2"], "seeds": 1}
    with pytest.raises(InputError, match=message):
        tune("bilateral-demo", **{**base, **kwargs})


def test_integer_parameters_refuse_fractions() -> None:
    with pytest.raises(InputError, match="delay must be an integer"):
        tune("bilateral-demo", party="buyer", strategy="tit-for-tat", params=["delay=1.5,2"])


# -- CLI ------------------------------------------------------------------------------

TUNE = [
    "tune",
    "bilateral-demo",
    "--party",
    "buyer",
    "--strategy",
    "boulware",
    "--param",
    "exponent=0.5,4",
    "--seeds",
    "2",
    "--workers",
    "1",
]


def test_cli_tune_human(capsys) -> None:
    result = run_cli(capsys, TUNE)
    assert result.code == 0, result.err
    text = " ".join(result.out.split())
    assert "best: boulware(exponent=" in text
    assert "negsim run bilateral-demo --seed 0:0 --set parties.buyer.strategy=boulware" in text


def test_cli_tune_json_and_out(capsys, tmp_path) -> None:
    out = tmp_path / "best.csv"
    result = run_cli(capsys, [*TUNE, "--json", "--out", str(out), "--opponent", "conceder"])
    assert result.code == 0, result.err
    report = orjson.loads(result.out)
    assert report["party"] == "buyer" and report["opponents"] == ["conceder"]
    assert len(report["trials"]) == 2 and report["baseline"]["params"] == {}
    assert [run["seed"] for run in report["runs"]] == ["0:0", "0:1"]
    assert report["best"]["params"] in ({"exponent": 0.5}, {"exponent": 4})
    assert len(out.read_text().splitlines()) == 3


@pytest.mark.parametrize(
    ("extra", "needles"),
    [
        (["--param", "bogus=1:2"], ["has no parameter 'bogus'", "exponent"]),
        (["--strategy", "bogus"], ["unknown strategy 'bogus'", "rubinstein"]),
        (["--method", "nope"], ["--method"]),
        (["--objective", "regulator_outcome"], ["regulator_outcome", "utility_buyer"]),
        (["--out", "runs.txt"], ["--out", ".parquet"]),
    ],
)
def test_cli_tune_errors(capsys, extra: list[str], needles: list[str]) -> None:
    result = run_cli(capsys, [*TUNE, *extra])
    assert_one_line_error(result, 2, *needles)


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["--param", "exponent=-1:2"], "--param exponent: strategy 'boulware': exponent must"),
        (["--param", "exponent=1:2", "--party", "nobody"], "--party: scenario"),
        (["--param", "exponent=1:2", "--opponent", "zzz"], "--opponent: unknown strategy 'zzz'"),
        (["--param", "exponent=1:2", "--strategy", "nope"], "--strategy: unknown strategy"),
        (["--param", "exponent=1:2", "--objective", "final_status"], "--objective: "),
    ],
)
def test_the_cli_names_its_flags_in_library_errors(
    capsys: pytest.CaptureFixture[str], args: list[str], needle: str
) -> None:
    from tests.cli_helpers import assert_one_line_error, run_cli

    base = ["tune", "bilateral-demo", "--party", "buyer", "--seeds", "1", "--workers", "1"]
    assert_one_line_error(run_cli(capsys, [*base, *args]), 2, needle)
