"""Value ramps in scenario files: one rule (``agents.utility.ramp``) for the loader and
the utility model; proportional ramps (``v / max``) need numbers, rank ramps do not."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from agents.outcome_space import Issue
from agents.utility import value_table
from sim.scenario import ScenarioError, load_scenario, parse_toml, scenario_from_raw

TEMPLATE = """
[scenario]
name = "ramps"
domain = "generic"
start = 2025-01-01
time_unit = "step"
horizon = 10

[negotiation]
protocol = "sao"
parties = ["a", "b"]
n_steps = 10
review = false

[[negotiation.issues]]
name = "x"
values = {values}

[parties.a]
strategy = "boulware"
weights = {{ x = 1.0 }}
values = {{ x = "{a}" }}

[parties.b]
strategy = "conceder"
weights = {{ x = 1.0 }}
values = {{ x = "{b}" }}
"""


def load(values: str, a: str = "increasing", b: str = "decreasing") -> object:
    text = TEMPLATE.format(values=values, a=a, b=b)
    return scenario_from_raw(parse_toml(text, "r.toml"), source="r.toml")


def test_bilateral_demo_prices_score_value_over_largest_value() -> None:
    demo = load_scenario("bilateral-demo")
    assert demo.party("seller").value_table("price") == {
        10: 0.5,
        12: 0.6,
        14: 0.7,
        16: 0.8,
        18: 0.9,
        20: 1.0,
    }
    buyer = demo.party("buyer").value_table("price")
    assert buyer == {v: 1 - v / 20 for v in (10, 12, 14, 16, 18, 20)}
    assert buyer[20] == 0.0 and buyer[10] == 0.5


@given(
    values=st.lists(st.integers(0, 10**6), min_size=1, max_size=8, unique=True).filter(
        lambda vs: max(vs) > 0
    ),
    a=st.sampled_from(["increasing", "decreasing", "increasing-by-rank", "decreasing-by-rank"]),
)
def test_loader_and_utility_model_agree(values: list[int], a: str) -> None:
    scenario = load(str(values), a=a, b="increasing-by-rank")
    assert scenario.party("a").value_table("x") == value_table(Issue("x", tuple(values)), a)  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("values", "shown"),
    [
        ('["slow", "fast"]', '"slow" (a string)'),
        ("[false, true]", "false (a boolean)"),
        ("[-5, 5]", "-5 (below 0)"),
        ("[0]", "0 as its largest value"),
    ],
)
def test_a_proportional_ramp_on_values_it_cannot_score_names_the_key(
    values: str, shown: str
) -> None:
    with pytest.raises(ScenarioError) as info:
        load(values, a="increasing", b="increasing-by-rank")
    assert str(info.value) == (
        'r.toml: parties.a.values.x: expected "increasing-by-rank" or a table of utilities '
        '("increasing" scores value / largest value and needs numbers >= 0 with a largest '
        f'> 0; issue x has {shown}), got "increasing"'
    )


def test_rank_ramps_take_any_values_in_their_listed_order() -> None:
    scenario = load('["slow", "standard", "fast"]', "increasing-by-rank", "decreasing-by-rank")
    assert scenario.party("a").value_table("x") == {"slow": 0.0, "standard": 0.5, "fast": 1.0}  # type: ignore[attr-defined]
    assert scenario.party("b").value_table("x") == {"slow": 1.0, "standard": 0.5, "fast": 0.0}  # type: ignore[attr-defined]


def test_msft_openai_keeps_its_ordinal_utilities() -> None:
    # Years are ordinal there: equal steps along the listed values, as before v / max.
    scenario = load_scenario("msft-openai")
    assert scenario.party("microsoft").value_table("term_end") == {
        2030: 0.0,
        2032: 0.25,
        2035: 0.5,
        2040: 0.75,
        2050: 1.0,
    }
    assert scenario.party("openai").value_table("ip_expiry") == {
        "agi_declared": 1.0,
        "2032|agi_verified": 0.5,
        "term": 0.0,
    }
