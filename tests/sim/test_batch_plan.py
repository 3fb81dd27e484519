"""Batch plans: seeds, the sweep grid (common random numbers), columns, chunks, meta."""

from __future__ import annotations

import pytest

from events.errors import InputError
from sim.batch.plan import guided_chunk_size, make_plan, parse_sweep
from sim.scenario import load_scenario
from sim.seeding import RunSeed


def test_parse_sweep_keeps_commas_inside_arrays_and_tables() -> None:
    axis = parse_sweep("negotiation.issues.term_end.values=[2030, 2040],[2030, 2050]")
    assert axis.key == "negotiation.issues.term_end.values"
    assert axis.values == ([2030, 2040], [2030, 2050])
    axis = parse_sweep('agi.at={dist="uniform", low=90, high=100},120')
    assert axis.values[1] == 120 and axis.values[0]["dist"] == "uniform"
    assert parse_sweep("agi.lapse_on=declared, verified").values == ("declared", "verified")


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("agi.at", "KEY=V1,V2"),
        ("=1,2", "KEY=V1,V2"),
        ("agi.at=1,,2", "empty"),
        ("agi.at=1,1", "twice"),
    ],
)
def test_bad_sweep_syntax(text: str, needle: str) -> None:
    with pytest.raises(InputError, match=needle):
        parse_sweep(text)


def test_grid_order_and_common_random_numbers() -> None:
    plan = make_plan(
        "msft-openai",
        3,
        seed=7,
        sweep=["agi.at=100,150", "regulators.cma.strictness=0.1,0.9"],
    )
    assert plan.total == 12
    # the last axis varies fastest
    assert [dict(cell.values) for cell in plan.cells] == [
        {"agi.at": 100, "regulators.cma.strictness": 0.1},
        {"agi.at": 100, "regulators.cma.strictness": 0.9},
        {"agi.at": 150, "regulators.cma.strictness": 0.1},
        {"agi.at": 150, "regulators.cma.strictness": 0.9},
    ]
    assert plan.cells[3].scenario.agi.at == 150.0
    assert plan.cells[3].scenario.regulator("cma").strictness == 0.9
    # run c*N+i has seed S:i in every cell
    assert [str(plan.run_seed(run)) for run in range(12)] == ["7:0", "7:1", "7:2"] * 4
    assert plan.run_seed(5) == RunSeed(7, (2,))
    assert plan.cell_of(5).index == 1


def test_columns_order_params_then_sweeps_then_summary() -> None:
    plan = make_plan("msft-openai", 2, sweep=["agi.at=100,120"])
    names = [name for name, _ in plan.columns]
    drawn = [f"param_{key}" for key, _ in load_scenario("msft-openai").distributions()]
    # agi.at is fixed by the sweep, so every other distribution is still drawn
    params = [name for name in drawn if name != "param_agi.at"]
    assert names[: len(params) + 1] == [*params, "sweep_agi.at"]
    assert dict(plan.columns)["sweep_agi.at"] == "INTEGER"
    assert names[len(params) + 1] == "agreement" and "utility_openai" in names
    plain = make_plan("msft-openai", 2)
    assert [n for n, _ in plain.columns][: len(drawn)] == drawn
    assert drawn[0] == "param_agi.at" and "param_parties.openai.reservation" in drawn


def test_unknown_sweep_key_reuses_override_validation() -> None:
    with pytest.raises(InputError, match=r"^sweep agi\.att: expected a known key of agi"):
        make_plan("msft-openai", 2, sweep=["agi.att=1,2"])
    with pytest.raises(InputError, match=r"sweep regulators.cma.strictness=7:.*strictness"):
        make_plan("msft-openai", 2, sweep=["regulators.cma.strictness=0.5,7"])


def test_swept_twice_and_bad_n() -> None:
    with pytest.raises(InputError, match="swept twice"):
        make_plan("msft-openai", 2, sweep=["agi.at=1,2", "agi.at=3"])
    with pytest.raises(InputError, match="positive"):
        make_plan("msft-openai", 0)


def test_meta_and_resume_check_name_what_differs() -> None:
    plan = make_plan("msft-openai", 4, seed=3, overrides=["regulators.cma.strictness=0.5"])
    meta = plan.meta()
    assert meta["seed"] == "3" and meta["n"] == "4" and meta["scenario"] == "msft-openai"
    assert len(meta["scenario_sha256"]) == 64 and meta["version"]
    plan.check_resume("s", meta, plan.columns)  # itself: fine
    assert (
        make_plan(
            "msft-openai", 9, seed=3, overrides=["regulators.cma.strictness=0.5"]
        ).check_resume("s", meta, plan.columns)
        == 4
    )  # a larger n extends it
    other = make_plan("msft-openai", 3, seed=4, overrides=["regulators.cma.strictness=0.5"])
    with pytest.raises(InputError, match=r"seed \(the store's is 3, this one 4\); n \(") as info:
        other.check_resume("s", meta, plan.columns)
    assert "\n" not in str(info.value)
    changed = make_plan("msft-openai", 4, seed=3)
    with pytest.raises(InputError, match="scenario"):
        changed.check_resume("s", meta, plan.columns)


def test_a_scenario_object_works_like_its_name() -> None:
    by_name = make_plan("msft-openai", 2, overrides=["agi.at=100"])
    by_object = make_plan(load_scenario("msft-openai"), 2, overrides=["agi.at=100"])
    assert by_name.digest == by_object.digest


def test_chunks_stay_within_a_cell() -> None:
    plan = make_plan("msft-openai", 5, sweep=["agi.at=100,120"])
    chunks = [runs for _, runs in plan.chunks([0, 1, 2, 3, 4, 5, 6, 8, 9], 3)]
    assert chunks == [(0, 1, 2), (3, 4), (5, 6, 8), (9,)]
    size = guided_chunk_size(2)
    assert [size(remaining) for remaining in (10_000, 200, 40, 3)] == [32, 25, 8, 8]
    guided = [len(runs) for _, runs in make_plan("msft-openai", 300).chunks(range(300), size)]
    assert guided[0] == 32 and guided[-1] <= 8 and sum(guided) == 300
    assert guided == sorted(guided, reverse=True)
