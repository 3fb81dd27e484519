"""Loading the built-in scenarios; the canonical data form and its round trip."""

from __future__ import annotations

import datetime as dt
import json
import os
import pickle
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from events.clauses import (
    AgiDefinition,
    Equity,
    Exclusivity,
    FirstRefusal,
    Investment,
    License,
    RevenueShare,
)
from sim.scenario import (
    BUILTINS,
    Distribution,
    Scenario,
    list_builtins,
    load_scenario,
    parse_toml,
    resolve,
    scenario_from_raw,
)
from sim.scenario.builtins import builtin_text

MINIMAL = """
[scenario]
name = "mini"
start = 2020-01-01
horizon = 24

[negotiation]
parties = ["microsoft", "openai"]
opens = 2020-03-01
deadline = 12
round = 1

[[negotiation.issues]]
name = "cloud"
values = ["rofr"]

[negotiation.deal]
term_end = 2030

[[negotiation.deal.clauses]]
kind = "revenue_share"
payer = "openai"
payee = "microsoft"
rate = 0.1

[[negotiation.deal.clauses]]
kind = "first_refusal"
holder = "microsoft"
scope = "compute"
include = { issue = "cloud", in = ["rofr"] }

[parties.microsoft]
strategy = "linear"
weights = { cloud = 1 }
values = { cloud = "increasing-by-rank" }

[parties.openai]
strategy = "hardliner"
weights = { cloud = 1.0 }
values = { cloud = { rofr = 0.25 } }
"""


@pytest.fixture(scope="module")
def msft() -> Scenario:
    return load_scenario()


def test_both_builtins_load() -> None:
    assert [name for name, _ in list_builtins()] == list(BUILTINS)
    for name, description in list_builtins():
        scenario = load_scenario(name)
        assert scenario.name == name
        assert description and "\n" not in description
        assert scenario.description.startswith(description)


def test_the_default_is_msft_openai(msft: Scenario) -> None:
    assert msft.name == "msft-openai"
    assert msft.domain == "partnership"
    assert msft.start == dt.date(2019, 1, 1)
    assert msft.time_unit == "month"
    assert msft.horizon == 204.0  # 2036-01-01
    assert msft.negotiation.protocol == "alternating"
    assert msft.negotiation.parties == ("microsoft", "openai")
    assert msft.negotiation.opens == 78.0  # 2025-07-01
    assert msft.negotiation.deadline is None  # no deadline assumed for the talks
    assert msft.party("openai").deadline == msft.time_of(dt.date(2025, 12, 31))  # funding
    assert msft.negotiation.valuation == "world" and msft.negotiation.reopen is not None
    assert msft.negotiation.round == 0.5
    assert msft.negotiation.review is True
    assert msft.negotiation.issue_names == (
        "term_end",
        "ip_expiry",
        "ip_scope",
        "revenue_share",
        "cloud",
        "equity",
        "investment_bn",
    )
    assert [r.key for r in msft.regulators] == ["cma", "eu", "ftc"]
    assert [c.key for c in msft.competitors] == ["amazon", "coreweave", "google", "stargate"]
    stargate = msft.competitor("stargate")  # FACTS.md: USD 500 bn over four years from 21 Jan 2025
    assert stargate.programme_bn == 500.0 and msft.date_of(stargate.until) == dt.date(2029, 1, 21)
    assert [(msft.date_of(t.at), t.value_bn) for t in stargate.tranches] == [
        (dt.date(2025, 7, 22), 30.0)  # FACTS.md: Oracle's 4.5 GW, about USD 30 bn a year
    ]
    coreweave = msft.competitor("coreweave")  # FACTS.md: USD 11.9 bn (March), 4 bn (May 2025)
    assert [(t.value_bn, t.taken) for t in coreweave.tranches] == [(11.9, True), (4.0, True)]
    assert all(c.schedule == "need" for c in msft.competitors)
    assert msft.rofr is not None and msft.rofr.window == 1.0 and msft.rofr.max_match_bn == 30.0
    assert msft.agi is not None and msft.agi.verification is True
    assert msft.agi.at == Distribution("triangular", low=89.0, mode=120.0, high=180.0)


def test_the_prelude_reproduces_the_facts(msft: Scenario) -> None:
    """FACTS.md: 1 + 2 + 10 = USD 13 bn; exclusivity becomes ROFR; term to 2030."""
    entries = [e for e in msft.prelude if e.is_contract]
    # FACTS.md: the UK CMA's inquiry, opened 8 December 2023, closed 5 March 2025.
    acts = [(msft.date_of(e.at), e.review, e.ruling) for e in msft.prelude if not e.is_contract]
    assert [(date, review is not None, ruling is not None) for date, review, ruling in acts] == [
        (dt.date(2023, 12, 8), True, False),
        (dt.date(2025, 3, 5), False, True),
    ]
    assert acts[1][2] is not None and acts[1][2].outcome == "no_jurisdiction"
    assert entries[0].id == "2019-initial"
    assert [msft.date_of(e.at) for e in entries] == [
        dt.date(2019, 7, 22),
        dt.date(2021, 3, 1),
        dt.date(2023, 1, 23),
        dt.date(2025, 1, 21),
    ]
    money = [[c.amount_bn for c in e.clauses if isinstance(c, Investment)] for e in entries]
    assert money == [[1.0], [2.0], [10.0], []]  # paid once each, never carried forward
    assert all(e.term_end == 2030 for e in entries)
    licence = License("microsoft", ("models", "infrastructure"), expiry="agi_declared")
    assert set(entries[-1].clauses) == {
        licence,
        RevenueShare("openai", "microsoft", 0.2, expiry="agi_declared"),
        RevenueShare("microsoft", "openai", 0.2),
        FirstRefusal("microsoft", "new_projects", 1.0),
        Exclusivity("microsoft", "api"),
        FirstRefusal("microsoft", "compute", 1.0),
        Equity("microsoft", 0.49),
        AgiDefinition("openai", verification=False),
    }
    exclusive_all = Exclusivity("microsoft", "all")
    assert [exclusive_all in e.clauses for e in entries] == [True, True, True, False]
    assert all(e.at < msft.negotiation.opens for e in entries)


def test_the_deal_binds_issues_to_clauses(msft: Scenario) -> None:
    deal = msft.negotiation.deal
    assert deal is not None
    values = {
        "term_end": 2040,
        "ip_expiry": "2032|agi_verified",
        "ip_scope": "models",
        "revenue_share": 0.12,
        "cloud": "open",
        "equity": 0.27,
        "investment_bn": 10,
    }
    clauses, term_end = deal.bind(values)
    assert term_end == 2040
    assert set(clauses) == {
        License("microsoft", ("models",), expiry="2032|agi_verified"),
        RevenueShare("openai", "microsoft", 0.12, expiry="agi_declared"),
        Equity("microsoft", 0.27, 300.0),
        Investment("microsoft", 10.0),
    }
    # An agreement replaces every right the deal governs and keeps the rest.
    amended, _ = deal.amend(msft.prelude[-1].clauses, 2030, values)
    assert FirstRefusal("microsoft", "new_projects", 1.0) in amended
    assert RevenueShare("microsoft", "openai", 0.2) in amended
    assert not any(
        isinstance(c, Exclusivity | FirstRefusal) and c.KIND == "exclusivity" for c in amended
    )
    assert FirstRefusal("microsoft", "compute", 1.0) not in amended
    assert Equity("microsoft", 0.49) not in amended and Equity("microsoft", 0.27, 300.0) in amended


def test_party_utilities_are_expanded(msft: Scenario) -> None:
    microsoft, openai = msft.negotiating_parties()
    assert microsoft.key == "microsoft" and microsoft.strategy == "boa-boulware"
    assert openai.key == "openai"
    for party in (microsoft, openai):
        assert sum(party.weight_dict().values()) == pytest.approx(1.0, abs=1e-9)
        for issue in msft.negotiation.issues:
            table = party.value_table(issue.name)
            assert list(table) == list(issue.values)
            assert all(0.0 <= u <= 1.0 for u in table.values())
    assert microsoft.value_table("term_end") == {
        2030: 0.0,
        2032: 0.25,
        2035: 0.5,
        2040: 0.75,
        2050: 1.0,
    }
    assert openai.value_table("term_end") == {
        2030: 1.0,
        2032: 0.75,
        2035: 0.5,
        2040: 0.25,
        2050: 0.0,
    }
    assert microsoft.value_of("ip_expiry", "term") == 1.0
    assert openai.value_of("ip_expiry", "term") == 0.0
    assert microsoft.value_of("cloud", "rofr") == 0.7
    with pytest.raises(KeyError):
        microsoft.value_of("cloud", "shared")
    assert msft.negotiation.issue("investment_bn").values == (0, 5, 10, 20)


def test_bilateral_demo(msft: Scenario) -> None:
    demo = load_scenario("bilateral-demo")
    assert demo.domain == "generic"
    assert demo.time_unit == "step"
    assert demo.horizon == 100.0
    assert demo.negotiation.protocol == "sao"
    assert demo.negotiation.n_steps == 100
    assert demo.negotiation.opens == 0.0
    assert demo.negotiation.deadline is None and demo.negotiation.round is None
    assert demo.negotiation.review is False
    assert demo.prelude == () and demo.regulators == () and demo.competitors == ()
    assert demo.rofr is None and demo.agi is None
    assert [p.strategy for p in demo.negotiating_parties()] == ["boulware", "conceder"]
    assert demo.is_resolved
    with pytest.raises(ValueError):
        demo.date_of(3.0)


def test_minimal_file_defaults_and_single_value_tables(tmp_path: Path) -> None:
    path = tmp_path / "mini.toml"
    path.write_text(MINIMAL, encoding="utf-8")
    mini = load_scenario(path)
    assert mini.description == ""
    assert mini.negotiation.opens == 2.0
    assert mini.negotiation.review is False  # no regulators
    assert mini.negotiation.n_steps is None
    assert mini.negotiation.deal is not None and mini.negotiation.deal.term_end == 2030
    assert mini.negotiation.deal.governs == (
        "first_refusal.compute",
        "revenue_share.openai_to_microsoft",
    )
    microsoft = mini.party("microsoft")
    assert microsoft.name == "microsoft"
    assert microsoft.reservation == 0.0 and microsoft.discount == 1.0
    assert microsoft.value_table("cloud") == {"rofr": 1.0}  # a single value is worth 1
    assert mini.party("openai").value_table("cloud") == {"rofr": 0.25}
    assert mini.prelude == () and mini.rofr is None and mini.agi is None


def test_a_file_path_loads_like_the_builtin(tmp_path: Path, msft: Scenario) -> None:
    path = tmp_path / "copy.toml"
    path.write_text(builtin_text("msft-openai"), encoding="utf-8")
    assert load_scenario(path) == msft
    assert load_scenario(str(path)) == msft


def test_times_may_be_dates_strings_or_numbers(msft: Scenario) -> None:
    with_string = msft.with_overrides({"agi.at": "2029-06-01"})
    with_date = msft.with_overrides({"agi.at": dt.date(2029, 6, 1)})
    with_number = msft.with_overrides({"agi.at": 125})
    assert with_string == with_date == with_number
    assert with_number.agi is not None and with_number.agi.at == 125.0


@pytest.mark.parametrize("name", BUILTINS)
def test_to_data_round_trips_through_json(name: str) -> None:
    scenario = load_scenario(name)
    data = scenario.to_data()
    assert Scenario.from_data(data) == scenario
    assert Scenario.from_data(json.loads(json.dumps(data))) == scenario
    resolved, _ = resolve(scenario, np.random.default_rng(3))
    assert Scenario.from_data(json.loads(json.dumps(resolved.to_data()))) == resolved


def _walk(value: Any, path: str = "") -> None:
    if isinstance(value, dict):
        assert list(value) == sorted(value), path
        for key, item in value.items():
            assert isinstance(key, str)
            _walk(item, f"{path}.{key}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _walk(item, f"{path}[{index}]")
    else:
        assert type(value) in (bool, int, float, str), (path, value)


@pytest.mark.parametrize("name", BUILTINS)
def test_to_data_is_canonical(name: str) -> None:
    data = load_scenario(name).to_data()
    _walk(data)
    assert data["scenario"]["start"] in ("2019-01-01", "2025-01-01")
    assert json.dumps(data) == json.dumps(data, sort_keys=True)


def test_objects_are_frozen_hashable_and_picklable(msft: Scenario) -> None:
    assert pickle.loads(pickle.dumps(msft)) == msft
    assert hash(msft) == hash(load_scenario())
    with pytest.raises(AttributeError):
        msft.name = "other"  # type: ignore[misc]


_OVERRIDE = st.one_of(
    st.tuples(st.just("regulators.cma.strictness"), st.floats(0, 1)),
    st.tuples(st.just("regulators.ftc.review_months"), st.floats(0.01, 48)),
    st.tuples(st.just("competitors.stargate.intensity"), st.floats(0, 20)),
    st.tuples(st.just("competitors.amazon.first"), st.floats(0, 203)),
    st.tuples(st.just("agi.at"), st.floats(0, 203.9)),
    st.tuples(st.just("agi.verification"), st.booleans()),
    st.tuples(st.just("parties.microsoft.reservation"), st.floats(0, 1)),
    st.tuples(st.just("parties.openai.discount"), st.floats(0.01, 1)),
    st.tuples(
        st.just("parties.microsoft.strategy"),
        st.sampled_from(["linear", "tit-for-tat", "rubinstein"]),
    ),
    st.tuples(
        st.just("parties.openai.params.exponent"),
        st.one_of(st.integers(-5, 5), st.floats(-3, 3), st.booleans(), st.text(max_size=5)),
    ),
    st.tuples(
        st.just("regulators.eu.strictness"),
        st.floats(0, 1).flatmap(
            lambda low: st.floats(low, 1).map(
                lambda high: {"dist": "uniform", "low": low, "high": high}
            )
        ),
    ),
    st.tuples(
        st.just("rofr.max_match_bn"),
        st.lists(st.floats(0, 100), min_size=1, max_size=4).map(
            lambda values: {"dist": "choice", "values": values}
        ),
    ),
    st.tuples(
        st.just("parties.microsoft.params.patience"),
        st.floats(-5, 5).map(lambda mean: {"dist": "normal", "mean": mean, "sd": 1.0}),
    ),
)


@given(st.lists(_OVERRIDE, max_size=6))
def test_round_trip_with_overrides(overrides: list[tuple[str, object]]) -> None:
    values = dict(overrides)
    scenario = load_scenario(set_values=values)
    data = json.loads(json.dumps(scenario.to_data()))
    assert Scenario.from_data(data) == scenario


_SCRIPT = """
import json, sys
import numpy as np
from sim.scenario import load_scenario, resolve
out = []
for name in ("msft-openai", "bilateral-demo"):
    scenario = load_scenario(name)
    resolved, drawn = resolve(scenario, np.random.default_rng(2024))
    out.append([scenario.to_data(), resolved.to_data(), drawn])
sys.stdout.write(json.dumps(out))
"""


def test_to_data_and_draws_do_not_depend_on_the_hash_seed() -> None:
    outputs = set()
    for seed in ("0", "1", "12345"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        result = subprocess.run(
            [sys.executable, "-c", _SCRIPT], env=env, capture_output=True, text=True, check=True
        )
        outputs.add(result.stdout)
    assert len(outputs) == 1


def test_scenario_from_raw_rejects_a_non_table() -> None:
    from sim.scenario import ScenarioError

    with pytest.raises(ScenarioError, match=r"^<data>: expected a table, got \[\]$"):
        Scenario.from_data([])  # type: ignore[arg-type]
    raw = parse_toml(builtin_text("bilateral-demo"), "x")
    assert scenario_from_raw(raw, source="x") == load_scenario("bilateral-demo")
