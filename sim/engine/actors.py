"""Builders: each actor of a run, made from its part of a resolved scenario.

One function per kind of actor says which scenario keys become which of its
settings (``*_settings``), and one builds it (``build_*``) with its random stream.
The engine builds a run's actors with them; a fork (``sim.whatif``) rebuilds the
settings of an actor whose keys it changed, from the changed scenario, and hands
them to ``agents.settings.reconfigure``. So a new scenario key is mapped here once.
Every value must be drawn already (a resolved scenario): ``concrete`` says so.
"""

from __future__ import annotations

import math
from typing import Any

import simpy

from agents.competitor import Competitor, Tranche
from agents.complaint import Complainant
from agents.compute_need import ComputeNeed
from agents.milestone import AgiMilestone
from agents.outside_option import OutsideOption
from agents.regulator import Regulator
from agents.restructuring import FundingCondition, Restructuring, Reviewer
from sim.scenario import Scenario
from sim.scenario.distributions import concrete
from sim.scenario.schema import CompetitorSpec, OutsideOptionSpec, RegulatorSpec
from sim.seeding import RunSeed, stream


def second_party(scenario: Scenario) -> str:
    """The party outsiders court and who declares AGI, unless the scenario says
    otherwise (``competitors.<key>.to``, ``agi.declared_by``): OpenAI in msft-openai."""
    return scenario.negotiation.parties[1]


# --- regulators ----------------------------------------------------------------------


def regulator_settings(spec: RegulatorSpec) -> dict[str, Any]:
    return {
        "name": spec.name,
        "strictness": concrete(spec.strictness),
        "review_months": concrete(spec.review_months),
        "conditions": spec.conditions,
        "powers": spec.powers,
        "control_threshold": spec.control_threshold,
    }


def regulator_streams(spec: RegulatorSpec, seed: RunSeed) -> dict[str, Any]:
    """A regulator's streams: deals' reviews, and reviews of the contract in force."""
    return {
        "rng": stream(seed, f"regulator:{spec.key}"),
        "in_force_rng": stream(seed, f"regulator:{spec.key}:in_force"),
    }


def build_regulator(spec: RegulatorSpec, seed: RunSeed, env: simpy.Environment) -> Regulator:
    return Regulator(
        key=spec.key,
        inbox=simpy.Store(env),
        **regulator_settings(spec),
        **regulator_streams(spec, seed),
    )


def complainant_settings(spec: RegulatorSpec) -> dict[str, Any]:
    return {
        "probability": concrete(spec.complaint_probability),
        "delay": concrete(spec.complaint_delay),
    }


def complainant_stream(party: str, regulator: str, seed: RunSeed) -> Any:
    return stream(seed, f"complaint:{party}:{regulator}")


def build_complainants(spec: RegulatorSpec, seed: RunSeed) -> list[Complainant]:
    """The parties that may ask this regulator to look (``complaints_from``)."""
    return [
        Complainant(
            party=party,
            regulator=spec.key,
            rng=complainant_stream(party, spec.key, seed),
            **complainant_settings(spec),
        )
        for party in spec.complaints_from
    ]


# --- competitors ----------------------------------------------------------------------


def competitor_settings(scenario: Scenario, key: str) -> dict[str, Any]:
    spec: CompetitorSpec = scenario.competitor(key)
    return {
        "name": spec.name,
        "target": spec.to if spec.to is not None else second_party(scenario),
        "kind": spec.kind,
        "intensity": concrete(spec.intensity),
        "first": spec.first,
        "value_low_bn": spec.value_bn_low,
        "value_high_bn": spec.value_bn_high,
        "window": 1.0 if scenario.rofr is None else scenario.rofr.window,
        "schedule": spec.schedule,
        "tranches": tuple(Tranche(t.at, t.value_bn, t.taken) for t in spec.tranches),
        "programme_bn": math.inf if spec.programme_bn is None else concrete(spec.programme_bn),
        "until": math.inf if spec.until is None else spec.until,
    }


def competitor_stream(key: str, seed: RunSeed) -> Any:
    return stream(seed, f"competitor:{key}")


def build_competitor(
    scenario: Scenario, key: str, seed: RunSeed, need: ComputeNeed | None
) -> Competitor:
    return Competitor(
        key=key,
        rng=competitor_stream(key, seed),
        need=need,
        **competitor_settings(scenario, key),
    )


# --- outside options, the AGI milestone, the restructuring ----------------------------


def outside_option_settings(spec: OutsideOptionSpec) -> dict[str, Any]:
    return {
        "since": spec.since,
        "initial": concrete(spec.initial),
        "ceiling": concrete(spec.ceiling),
        "ramp_months": concrete(spec.ramp_years) * 12.0,
        "every": spec.every,
    }


def outside_option_stream(key: str, seed: RunSeed) -> Any:
    return stream(seed, f"outside_option:{key}")


def build_outside_option(spec: OutsideOptionSpec, seed: RunSeed) -> OutsideOption:
    return OutsideOption(
        party=spec.party,
        option=spec.option,
        rng=outside_option_stream(spec.key, seed),
        **outside_option_settings(spec),
    )


def milestone_settings(scenario: Scenario) -> dict[str, Any]:
    agi = scenario.agi
    if agi is None:
        raise ValueError("the scenario has no [agi] milestone")
    return {
        "at": concrete(agi.at),
        "declared_by": agi.declared_by if agi.declared_by is not None else second_party(scenario),
        "verification": agi.verification,
        "delay": agi.verification_delay,
        "probability": agi.verification_probability,
    }


def milestone_stream(seed: RunSeed) -> Any:
    return stream(seed, "agi")


def build_milestone(scenario: Scenario, seed: RunSeed) -> AgiMilestone:
    return AgiMilestone(rng=milestone_stream(seed), **milestone_settings(scenario))


def restructuring_stream(seed: RunSeed) -> Any:
    return stream(seed, "restructuring")


def build_restructuring(scenario: Scenario, seed: RunSeed) -> Restructuring:
    """The ``[restructuring]`` section's actor."""
    plan = scenario.restructuring
    if plan is None:
        raise ValueError("the scenario has no [restructuring] section")
    funding = None
    if plan.funding_deadline is not None and plan.funding_investor is not None:
        funding = FundingCondition(
            plan.funding_investor, plan.funding_at_risk_bn, plan.funding_deadline
        )
    return Restructuring(
        by=plan.by,
        form=plan.form,
        proposed=plan.proposed,
        consent_from=plan.consent_from,
        reviewers=tuple(
            Reviewer(
                r.key,
                concrete(r.review_months),
                concrete(r.approval_probability),
                concrete(r.conditions_probability),
            )
            for r in plan.reviewers
        ),
        rng=restructuring_stream(seed),
        long_stop=None if plan.long_stop is None else concrete(plan.long_stop),
        funding=funding,
    )


__all__ = [
    "build_competitor",
    "build_complainants",
    "build_milestone",
    "build_outside_option",
    "build_regulator",
    "build_restructuring",
    "competitor_settings",
    "competitor_stream",
    "complainant_settings",
    "complainant_stream",
    "milestone_settings",
    "milestone_stream",
    "outside_option_settings",
    "outside_option_stream",
    "regulator_settings",
    "regulator_streams",
    "restructuring_stream",
    "second_party",
]
