"""The rules a running world applies, as one frozen value made from the scenario.

The engine's world routes events and keeps the log; what it must know of the
scenario to do so (the calendar, whether deals go to the regulators, the deal's
clauses, the first refusal's window and policy, the alternatives, how much an
outside offer boosts a party) is a :class:`WorldConfig`, made by :func:`config_for`
and passed in at construction. Nothing edits it: a fork that changes one of these
scenario keys makes the config of the changed scenario and hands the world the
new value (``World.reconfigure``), so the mapping from scenario keys to rules lives
here only.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from types import MappingProxyType

import attrs

from agents.alternatives import Alternatives
from agents.first_refusal import RofrPolicy
from sim.engine.money import alternatives_for, compute_need_for, rofr_policy_for
from sim.scenario import Scenario
from sim.scenario.deal import DealTemplate
from sim.scenario.distributions import concrete


def _frozen_mapping(value: Mapping[str, float]) -> Mapping[str, float]:
    return MappingProxyType(dict(value))


@attrs.frozen(kw_only=True)
class WorldConfig:
    """What the world applies (module doc). A resolved scenario's: every value drawn."""

    # Calendar of t = 0 (month scenarios only): when contracts expire.
    start: dt.date | None = None
    # Whether signed deals go to the regulators for review.
    review: bool = False
    # The clauses an agreed bundle puts in force (None: terms only).
    deal: DealTemplate | None = None
    # How long an outside offer stays open for the first refusal's holder to match.
    rofr_window: float = 1.0
    # When the holder matches (agents.first_refusal).
    rofr_policy: RofrPolicy = attrs.field(factory=RofrPolicy)
    # Both sides' walk-away values from the state; None without [alternatives] tables.
    alternatives: Alternatives | None = None
    # competitor key -> what its offer adds to a fixed-reservation party's reservation.
    boosts: Mapping[str, float] = attrs.field(
        factory=dict, converter=_frozen_mapping, eq=False
    )


def config_for(scenario: Scenario) -> WorldConfig:
    """The world's rules for a resolved ``scenario``: a pure function of it."""
    alternatives = alternatives_for(scenario, compute_need_for(scenario))
    rofr = scenario.rofr
    return WorldConfig(
        start=scenario.start if scenario.time_unit == "month" else None,
        review=scenario.negotiation.review,
        deal=scenario.negotiation.deal,
        rofr_window=1.0 if rofr is None else rofr.window,
        rofr_policy=RofrPolicy() if rofr is None else rofr_policy_for(scenario, alternatives),
        alternatives=alternatives,
        boosts={c.key: concrete(c.boost) for c in scenario.competitors},
    )


__all__ = ["WorldConfig", "config_for"]
