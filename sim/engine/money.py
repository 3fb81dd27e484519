"""The partnership's money model, built from a resolved scenario for the engine.

Turns the scenario's ``[compute_need]``, ``[alternatives.*]``, ``[rofr]`` and history
tranches into the agents' value objects (``agents.compute_need``,
``agents.alternatives``, ``agents.first_refusal``): the one place that maps scenario
keys to their parameters, so the engine, the summary and tests build them alike.
"""

from __future__ import annotations

import math

from agents.alternatives import Alternatives, MicrosoftAlternative, OpenAIAlternative
from agents.compute_need import ComputeNeed
from agents.first_refusal import RofrPolicy
from sim.scenario import Scenario
from sim.scenario.distributions import Distribution


def _value(value: float | Distribution) -> float:
    """A concrete number of a resolved scenario (``sim.scenario.resolve`` drew it)."""
    if isinstance(value, Distribution):
        raise ValueError("the money model needs a resolved scenario (no distributions)")
    return float(value)


def compute_need_for(scenario: Scenario) -> ComputeNeed | None:
    """OpenAI's compute need (``[compute_need]``), or None without that table."""
    spec = scenario.compute_need
    if spec is None:
        return None
    return ComputeNeed(
        at=spec.at,
        revenue_bn=_value(spec.revenue_bn),
        growth=_value(spec.growth),
        per_revenue=_value(spec.per_revenue),
        until=spec.until,
        cap_bn=_value(spec.cap_bn),
    )


def alternatives_for(scenario: Scenario, need: ComputeNeed | None = None) -> Alternatives | None:
    """Both sides' alternatives (``[alternatives.*]``), or None without those tables."""
    if not scenario.alternatives:
        return None
    if need is None:
        need = compute_need_for(scenario)
    openai = microsoft = None
    spec = scenario.alternative("openai")
    if spec is not None:
        params = {name: _value(value) for name, value in spec.params}
        openai = OpenAIAlternative(**params)
    spec = scenario.alternative("microsoft")
    if spec is not None:
        params = {name: _value(value) for name, value in spec.params}
        microsoft = MicrosoftAlternative(**params)  # type: ignore[arg-type]
    return Alternatives(need=need, openai=openai, microsoft=microsoft)


def rofr_policy_for(scenario: Scenario, alternatives: Alternatives | None) -> RofrPolicy:
    """When the first refusal's holder matches (``[rofr]``), and which offers are history."""
    rofr = scenario.rofr
    if rofr is None:
        return RofrPolicy()
    history = tuple(
        (competitor.key, tranche.at)
        for competitor in scenario.competitors
        for tranche in competitor.tranches
        if tranche.taken
    )
    return RofrPolicy(
        max_match_bn=_value(rofr.max_match_bn),
        budget_bn=math.inf if rofr.budget_bn is None else _value(rofr.budget_bn),
        needs_license=rofr.needs_license,
        walk_alternative=(
            math.inf if rofr.walk_alternative is None else _value(rofr.walk_alternative)
        ),
        alternatives=alternatives if rofr.walk_alternative is not None else None,
        history=history,
    )
