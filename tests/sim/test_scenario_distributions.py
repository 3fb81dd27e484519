"""Distributions in scenarios: checked at load, drawn deterministically by resolve."""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import pytest

from events.calendar import months_between
from sim.scenario import (
    Distribution,
    Scenario,
    load_scenario,
    parse_toml,
    resolve,
    scenario_from_raw,
)
from sim.scenario.builtins import builtin_text

MANY = {
    "agi.at": {
        "dist": "normal",
        "mean": "2029-01-01",  # ISO strings and dates both work for time keys
        "sd": 24,
        "low": dt.date(2026, 1, 1),
        "high": 170,
    },
    "regulators.cma.strictness": {"dist": "uniform", "low": 0.1, "high": 0.6},
    "regulators.ftc.review_months": {"dist": "triangular", "low": 4, "mode": 8, "high": 14},
    "competitors.stargate.intensity": {"dist": "choice", "values": [0.5, 1, 2]},
    "competitors.amazon.boost": {"dist": "uniform", "low": 0, "high": 0.1},
    "rofr.max_match_bn": {"dist": "normal", "mean": 30, "sd": 10, "low": 0},
    "parties.microsoft.discount": {"dist": "uniform", "low": 0.98, "high": 1.0},
    "parties.microsoft.params.exponent": {"dist": "choice", "values": [1, 2, 3]},
}


@pytest.fixture(scope="module")
def many() -> Scenario:
    return load_scenario(set_values=MANY)


# The built-in's uncertain assumptions (issue 13: "an uncertain assumption is given as
# a distribution"): the AGI date, OpenAI's reservation, and the money model's.
BUILTIN_DISTRIBUTIONS = [
    "agi.at",
    *(f"alternatives.microsoft.{k}" for k in ("contract_weight", "floor", "options_weight")),
    *(
        f"alternatives.openai.{k}"
        for k in ("compute_weight", "floor", "funding_bn", "funding_weight")
    ),
    *(f"competitors.{c}.{k}" for c in ("amazon", "coreweave", "google") for k in
      ("intensity", "programme_bn")),
    "competitors.stargate.intensity",  # its programme is FACTS.md's USD 500 bn
    *(f"compute_need.{k}" for k in ("cap_bn", "growth", "per_revenue", "revenue_bn")),
    *(
        f"outside_options.{o}.{k}"
        for o in ("other_labs", "own_models")
        for k in ("ceiling", "initial", "ramp_years")
    ),
    "parties.microsoft.patience",
    "parties.openai.patience",
    "parties.openai.reservation",
    "regulators.ftc.complaint_delay",
    "regulators.ftc.complaint_probability",
    "restructuring.long_stop",
    *(
        f"restructuring.reviewers.{key}.{name}"
        for key in ("california_ag", "delaware_ag")
        for name in ("approval_probability", "conditions_probability", "review_months")
    ),
    "rofr.budget_bn",
    "rofr.walk_alternative",
]


def test_the_builtin_draws_its_uncertain_assumptions() -> None:
    scenario = load_scenario()
    assert [key for key, _ in scenario.distributions()] == BUILTIN_DISTRIBUTIONS
    assert not scenario.is_resolved


def test_keys_are_drawn_in_sorted_order(many: Scenario) -> None:
    keys = [key for key, _ in many.distributions()]
    assert keys == sorted(keys) and len(keys) == len(set(BUILTIN_DISTRIBUTIONS) | set(MANY))
    resolved, drawn = resolve(many, np.random.default_rng(1))
    assert list(drawn) == keys
    assert resolved.is_resolved and resolved.distributions() == ()


def test_same_seed_same_draws_other_seed_other_draws(many: Scenario) -> None:
    first = resolve(many, np.random.default_rng(42))
    again = resolve(many, np.random.default_rng(42))
    other = resolve(many, np.random.default_rng(43))
    assert first == again
    assert first[1] != other[1]


def test_the_drawn_values_land_in_the_scenario(many: Scenario) -> None:
    resolved, drawn = resolve(many, np.random.default_rng(7))
    assert resolved.agi is not None and resolved.agi.at == drawn["agi.at"]
    assert resolved.regulator("cma").strictness == drawn["regulators.cma.strictness"]
    assert resolved.rofr is not None and resolved.rofr.max_match_bn == drawn["rofr.max_match_bn"]
    exponent = resolved.party("microsoft").param_dict()["exponent"]
    assert exponent == drawn["parties.microsoft.params.exponent"]
    assert type(exponent) is int  # integer choices stay integers for strategy params
    assert all(type(value) in (int, float) for value in drawn.values())


def test_draws_do_not_depend_on_table_order() -> None:
    raw = parse_toml(builtin_text("msft-openai"), "x")
    raw["regulators"]["cma"]["strictness"] = {"dist": "uniform", "low": 0, "high": 1}
    raw["regulators"]["eu"]["strictness"] = {"dist": "uniform", "low": 0, "high": 1}
    shuffled: dict[str, Any] = dict(reversed(list(raw.items())))
    shuffled["regulators"] = dict(reversed(list(raw["regulators"].items())))
    shuffled["parties"] = dict(reversed(list(raw["parties"].items())))
    a = scenario_from_raw(raw, source="a")
    b = scenario_from_raw(shuffled, source="b")
    assert a == b
    assert resolve(a, np.random.default_rng(5)) == resolve(b, np.random.default_rng(5))


def test_resolve_is_the_identity_without_distributions() -> None:
    demo = load_scenario("bilateral-demo")
    rng = np.random.default_rng(9)
    state = rng.bit_generator.state
    resolved, drawn = resolve(demo, rng)
    assert resolved is demo and drawn == {}
    assert rng.bit_generator.state == state
    once, _ = resolve(load_scenario(), np.random.default_rng(9))
    assert resolve(once, rng) == (once, {})


def test_date_distribution_parameters_become_time_units() -> None:
    scenario = load_scenario()
    assert scenario.agi is not None
    start = dt.date(2019, 1, 1)
    assert scenario.agi.at == Distribution(
        "triangular",
        low=months_between(start, dt.date(2026, 6, 1)),
        mode=months_between(start, dt.date(2029, 1, 1)),
        high=months_between(start, dt.date(2034, 1, 1)),
    )
    rng = np.random.default_rng(0)
    times = [resolve(scenario, rng)[1]["agi.at"] for _ in range(300)]
    assert all(89.0 <= t <= 180.0 for t in times)
    assert 100 < float(np.mean(times)) < 140  # mean of triangular(89, 120, 180) is 129.7


def test_normal_draws_are_clipped() -> None:
    clipped = Distribution("normal", mean=0.5, sd=10.0, low=0.2, high=0.7)
    rng = np.random.default_rng(3)
    draws = [clipped.draw(rng) for _ in range(500)]
    assert min(draws) == 0.2 and max(draws) == 0.7
    unbounded = Distribution("normal", mean=0.0, sd=1.0)
    assert unbounded.support() == (-np.inf, np.inf)
    assert clipped.support() == (0.2, 0.7)


def test_each_kind_draws_inside_its_support() -> None:
    rng = np.random.default_rng(11)
    kinds = [
        Distribution("uniform", low=1.0, high=3.0),
        Distribution("triangular", low=0.0, mode=0.0, high=1.0),
        Distribution("triangular", low=0.0, mode=1.0, high=1.0),
        Distribution("triangular", low=2.0, mode=2.0, high=2.0),
        Distribution("choice", values=(1, 5, 9)),
    ]
    for distribution in kinds:
        low, high = distribution.support()
        assert all(low <= distribution.draw(rng) <= high for _ in range(200))


def test_choice_weights() -> None:
    rng = np.random.default_rng(0)
    only_last = Distribution("choice", values=(1.0, 2.0, 3.0), weights=(0.0, 0.0, 2.0))
    assert {only_last.draw(rng) for _ in range(50)} == {3.0}
    skewed = Distribution("choice", values=(0, 1), weights=(1.0, 3.0))
    share = sum(skewed.draw(rng) for _ in range(2000)) / 2000
    assert 0.7 < share < 0.8


def test_one_uniform_draw_per_distribution() -> None:
    """Uniform, triangular and choice use one rng.random() each (inverse CDF)."""
    rng = np.random.default_rng(21)
    u = np.random.default_rng(21).random(3)
    assert Distribution("uniform", low=0.0, high=10.0).draw(rng) == pytest.approx(10 * u[0])
    Distribution("choice", values=(1, 2)).draw(rng)
    tri = Distribution("triangular", low=0.0, mode=0.5, high=1.0).draw(rng)
    expected = (u[2] / 2) ** 0.5 if u[2] < 0.5 else 1 - ((1 - u[2]) / 2) ** 0.5
    assert tri == pytest.approx(expected)


def test_distribution_data_form() -> None:
    assert Distribution("normal", mean=1.0, sd=2.0).to_data() == {
        "dist": "normal",
        "mean": 1.0,
        "sd": 2.0,
    }
    assert Distribution("choice", values=(1, 2), weights=(1.0, 1.0)).to_data() == {
        "dist": "choice",
        "values": [1, 2],
        "weights": [1.0, 1.0],
    }


def test_round_trip_keeps_distributions(many: Scenario) -> None:
    assert Scenario.from_data(many.to_data()) == many
    assert many.to_data()["agi"]["at"] == {
        "dist": "normal",
        "high": 170.0,
        "low": 84.0,
        "mean": 120.0,
        "sd": 24.0,
    }


def test_resolve_equals_revalidating_the_scenario_with_the_drawn_values() -> None:
    """resolve() puts draws in place directly; loading the same values must agree."""
    import numpy as np

    from sim.scenario import Scenario, load_scenario, resolve

    scenario = load_scenario(
        "msft-openai",
        [
            "parties.microsoft.params.exponent={dist='uniform', low=0.5, high=3.0}",
            "regulators.cma.strictness={dist='triangular', low=0.1, mode=0.3, high=0.9}",
            "competitors.stargate.intensity={dist='choice', values=[0.5, 1.0, 2.0]}",
            "rofr.max_match_bn={dist='uniform', low=10, high=40}",
        ],
    )
    for seed in range(10):
        resolved, drawn = resolve(scenario, np.random.default_rng(seed))
        assert len(drawn) == len(load_scenario().distributions()) + 3  # stargate's was one
        data = scenario.to_data()
        for dotted, value in drawn.items():
            node = data
            *parents, last = dotted.split(".")
            for part in parents:
                node = node[part]
            node[last] = value
        assert resolved == Scenario.from_data(data)
        assert resolved.is_resolved
