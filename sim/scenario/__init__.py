"""Scenario files: schema, validation, ``--set`` overrides, distributions, built-ins.

from sim.scenario import load_scenario, resolve
scenario = load_scenario("msft-openai", ["regulators.cma.strictness=0.8"])
concrete, drawn = resolve(scenario, numpy.random.default_rng(7))
"""

from __future__ import annotations

from sim.scenario.builtins import BUILTINS, DEFAULT_SCENARIO, list_builtins
from sim.scenario.distributions import Distribution, resolve
from sim.scenario.errors import ScenarioError
from sim.scenario.load import load_scenario, parse_toml, read_scenario_text, scenario_from_raw
from sim.scenario.overrides import apply_overrides, apply_set_values, parse_value
from sim.scenario.schema import (
    AgiSpec,
    CompetitorSpec,
    IssueSpec,
    NegotiationSpec,
    PartySpec,
    PreludeEntry,
    RegulatorSpec,
    RofrSpec,
    Scenario,
)

__all__ = [
    "BUILTINS",
    "DEFAULT_SCENARIO",
    "AgiSpec",
    "CompetitorSpec",
    "Distribution",
    "IssueSpec",
    "NegotiationSpec",
    "PartySpec",
    "PreludeEntry",
    "RegulatorSpec",
    "RofrSpec",
    "Scenario",
    "ScenarioError",
    "apply_overrides",
    "apply_set_values",
    "list_builtins",
    "load_scenario",
    "parse_toml",
    "parse_value",
    "read_scenario_text",
    "resolve",
    "scenario_from_raw",
]
