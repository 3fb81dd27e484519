"""``--set KEY=VALUE`` overrides and the Python equivalents."""

from __future__ import annotations

import copy
import datetime as dt

import pytest

from events.clauses import Equity
from sim.scenario import (
    Distribution,
    ScenarioError,
    apply_overrides,
    apply_set_values,
    load_scenario,
    parse_toml,
    parse_value,
)
from sim.scenario.builtins import builtin_text


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("0.8", 0.8),
        ("120", 120),
        ("true", True),
        ("linear", "linear"),
        ('"linear"', "linear"),
        ("'tit-for-tat'", "tit-for-tat"),
        ("tit-for-tat", "tit-for-tat"),
        ("2029-06-01", dt.date(2029, 6, 1)),
        ('"2029-06-01"', dt.date(2029, 6, 1)),
        ("[2030, 2040]", [2030, 2040]),
        ("{dist='uniform', low=0, high=1}", {"dist": "uniform", "low": 0, "high": 1}),
        ("", ""),
        ("a b", "a b"),
        ("1\nx = 2", "1\nx = 2"),
    ],
)
def test_parse_value(text: str, value: object) -> None:
    assert parse_value(text) == value
    assert type(parse_value(text)) is type(value)


def test_the_cli_examples() -> None:
    scenario = load_scenario(
        "msft-openai",
        [
            "regulators.cma.strictness=0.8",
            "agi.at=2029-06-01",
            "parties.microsoft.strategy=linear",
            "parties.microsoft.params.exponent=0.3",
        ],
    )
    assert scenario.regulator("cma").strictness == 0.8
    assert scenario.agi is not None and scenario.agi.at == scenario.time_of(dt.date(2029, 6, 1))
    assert scenario.party("microsoft").strategy == "linear"
    assert scenario.party("microsoft").param_dict() == {"exponent": 0.3}
    later = load_scenario("msft-openai", ["agi.at=2029-06-01", "agi.at=120"])
    assert later.agi is not None and later.agi.at == 120.0  # applied in order


def test_overrides_reach_every_kind_of_key() -> None:
    scenario = load_scenario(
        "msft-openai",
        [
            "agi.at.mode=2030-01-01",  # inside a distribution table
            "negotiation.issues.term_end.values=[2030, 2040]",  # an array entry by name
            "negotiation.issues[1].values=['term']",  # ... or by index
            "negotiation.fallback.ip_expiry=term",  # the contract in force must fit the issue
            "parties.microsoft.values.ip_expiry={term = 0.2}",
            "parties.openai.values.ip_expiry=increasing-by-rank",
            "prelude.2023-extension.note=ten billion",  # a prelude entry by id
            "prelude[0].clauses[6].share=0.45",  # a clause parameter in the history
            "regulators.doj={name = 'US DOJ', strictness = 0.4, review_months = 3}",
            "regulators.cma.conditions={}",
            "parties.openai.reservation={dist='normal', mean=0.4, sd=0.1, low=0.2, high=0.6}",
        ],
    )
    assert scenario.agi is not None
    assert scenario.agi.at == Distribution("triangular", low=89.0, mode=132.0, high=180.0)
    assert scenario.negotiation.issue("term_end").values == (2030, 2040)
    assert scenario.negotiation.issue("ip_expiry").values == ("term",)
    assert scenario.party("microsoft").value_table("ip_expiry") == {"term": 0.2}
    assert scenario.party("openai").value_table("ip_expiry") == {"term": 1.0}
    assert scenario.prelude[2].note == "ten billion"
    stakes = [
        [c.share for c in entry.clauses if isinstance(c, Equity)] for entry in scenario.prelude
    ]
    # carried forward by every amendment, and by the regulators' entries between them
    assert stakes == [[0.45]] * 6
    assert scenario.regulator("doj").name == "US DOJ"
    assert not scenario.regulator("cma").conditions
    assert scenario.party("openai").reservation == Distribution(
        "normal", mean=0.4, sd=0.1, low=0.2, high=0.6
    )


def test_overrides_do_not_mutate_the_raw_dict() -> None:
    raw = parse_toml(builtin_text("msft-openai"), "x")
    before = copy.deepcopy(raw)
    changed = apply_overrides(raw, ["regulators.cma.strictness=0.9", "agi.at=100"])
    assert raw == before
    assert changed["regulators"]["cma"]["strictness"] == 0.9
    also = apply_set_values(raw, {"agi.verification": False})
    assert raw == before and also["agi"]["verification"] is False


def test_validation_messages_still_apply_and_name_the_builtin() -> None:
    with pytest.raises(ScenarioError) as info:
        load_scenario("msft-openai", ["regulators.cma.strictness=2"])
    assert str(info.value) == (
        "builtin:msft-openai: regulators.cma.strictness: expected a number in [0, 1], got 2"
    )
    with pytest.raises(ScenarioError) as info:
        load_scenario("msft-openai", ["scenario.horizon=2030-01-01"])
    assert str(info.value) == (
        "builtin:msft-openai: agi.at.high: expected a time before scenario.horizon "
        "(2030-01-01), got 2034-01-01"
    )


@pytest.mark.parametrize(
    ("assignment", "message"),
    [
        ("agi.at", '--set agi.at: expected KEY=VALUE, got no "="'),
        ("=3", "--set =3: expected KEY=VALUE, got an empty KEY"),
        ("a..b=1", '--set a..b: expected a dotted key like regulators.cma.strictness, got "a..b"'),
        (
            "bogus=1",
            "--set bogus: expected a known top-level key (agi, alternatives, competitors, "
            "compute_need, negotiation, outside_options, parties, prelude, regulators, "
            'restructuring, rofr, scenario), got "bogus"',
        ),
        (
            "regulators.cma.strictnes=0.8",
            "--set regulators.cma.strictnes: expected a known key of regulators.cma "
            "(complaint_delay, complaint_probability, complaints_from, conditions, "
            'control_threshold, name, powers, review_months, strictness), got "strictnes"',
        ),
        (
            "regulators.cmaa.strictness=0.8",
            "--set regulators.cmaa.strictness: expected an existing regulator (cma, eu, ftc), "
            'got "cmaa"',
        ),
        (
            "scenario.name.x=1",
            "--set scenario.name.x: expected nothing after scenario.name (it is a value, "
            'not a table), got "x"',
        ),
        (
            "agi.at.foo=1",
            "--set agi.at.foo: expected a distribution key (dist, high, low, mean, mode, sd, "
            'values, weights), got "foo"',
        ),
        (
            "agi.at.low.x=1",
            "--set agi.at.low.x: expected nothing after agi.at.low (it is a value, not a table), "
            'got "x"',
        ),
        (
            "regulators.cma.strictness.low=0.1",
            "--set regulators.cma.strictness.low: expected regulators.cma.strictness to be a "
            "table, got 0.3",
        ),
        (
            "negotiation.issues.colour.values=[1]",
            "--set negotiation.issues.colour.values: expected an index or name of an existing "
            "issue (term_end, ip_expiry, ip_scope, revenue_share, cloud, equity, "
            'investment_bn), got "colour"',
        ),
        (
            "prelude.9.note=x",
            "--set prelude.9.note: expected an index or id of an existing prelude entry "
            "(2019-initial, 2021-follow-on, 2023-extension, 2023-cma-inquiry, 2025-rofr, "
            '2025-cma-decision), got "9"',
        ),
        (
            "parties.microsoft.weights.cloud.x=1",
            "--set parties.microsoft.weights.cloud.x: expected parties.microsoft.weights.cloud "
            "to be a table, got 0.18",
        ),
        (
            "parties.google.strategy=linear",
            "--set parties.google.strategy: expected an existing party (microsoft, openai), "
            'got "google"',
        ),
    ],
)
def test_bad_overrides(assignment: str, message: str) -> None:
    with pytest.raises(ScenarioError) as info:
        load_scenario("msft-openai", [assignment])
    assert str(info.value) == message


def test_set_values_and_with_overrides_agree() -> None:
    via_strings = load_scenario(
        "msft-openai", ["regulators.ftc.strictness=0.6", "parties.openai.strategy=tit-for-tat"]
    )
    via_dict = load_scenario(
        set_values={"regulators.ftc.strictness": 0.6, "parties.openai.strategy": "tit-for-tat"}
    )
    base = load_scenario()
    via_method = base.with_overrides(
        {"regulators.ftc.strictness": 0.6, "parties.openai.strategy": "tit-for-tat"}
    )
    via_assignments = base.with_overrides(
        assignments=["regulators.ftc.strictness=0.6", "parties.openai.strategy=tit-for-tat"]
    )
    assert via_strings == via_dict == via_method == via_assignments
    assert base.with_overrides() == base


def test_with_overrides_reports_bad_values() -> None:
    with pytest.raises(ScenarioError) as info:
        load_scenario().with_overrides({"rofr.window": 0})
    assert (
        str(info.value)
        == "msft-openai (with overrides): rofr.window: expected a number in (0, 1200], got 0"
    )


def test_a_dotted_float_key_in_a_value_table_via_set() -> None:
    scenario = load_scenario(
        "msft-openai",
        ["parties.openai.values.revenue_share={0.08 = 1, 0.12 = 0.9, 0.16 = 0.5, 0.2 = 0}"],
    )
    assert scenario.party("openai").value_table("revenue_share") == {
        0.08: 1.0,
        0.12: 0.9,
        0.16: 0.5,
        0.2: 0.0,
    }
