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


def compute_need_for(scenario: Scenario) -> ComputeNeed | None:
    """OpenAI's compute need (``[compute_need]``), or None without that table."""
    spec = scenario.compute_need
    if spec is None:
        return None
    return ComputeNeed(
        at=spec.at,
        revenue_bn=float(spec.revenue_bn),
        growth=float(spec.growth),
        per_revenue=float(spec.per_revenue),
        until=spec.until,
        cap_bn=float(spec.cap_bn),
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
        params = {name: float(value) for name, value in spec.params}
        openai = OpenAIAlternative(**params)
    spec = scenario.alternative("microsoft")
    if spec is not None:
        params = {name: float(value) for name, value in spec.params}
        microsoft = MicrosoftAlternative(**params)
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
        max_match_bn=float(rofr.max_match_bn),
        budget_bn=math.inf if rofr.budget_bn is None else float(rofr.budget_bn),
        needs_license=rofr.needs_license,
        walk_alternative=(
            math.inf if rofr.walk_alternative is None else float(rofr.walk_alternative)
        ),
        alternatives=alternatives if rofr.walk_alternative is not None else None,
        history=history,
    )
