"""A negotiating party's world-dependent valuation, built from its scenario.

``agents.valuation.WorldValuation`` knows nothing of scenarios; this module reads
what it needs from one: the deal's clauses with an expiry (and which issue, if any,
sets it), who benefits from each, the contract's end for every term value, the
calendar of dated triggers, and the parties' belief about the AGI date. Built once
per (scenario, party) and shared by every run of a batch: it depends on no draw.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from agents.outcome_space import OutcomeSpace
from agents.valuation import NEVER, AgiBelief, ExpiringClause, WorldValuation, quantile_grid
from events.calendar import months_between
from events.clauses import AGI_DECLARED, AGI_VERIFIED, AgiDefinition, Expiry
from sim.scenario.deal import ClauseTemplate, IssueRef
from sim.scenario.distributions import Distribution
from sim.scenario.schema import Scenario

# Who holds what a clause grants (the party a lapse costs), by clause kind.
BENEFICIARY_FIELD = {
    "license": "licensee",
    "revenue_share": "payee",
    "exclusivity": "provider",
    "first_refusal": "holder",
    "equity": "holder",
    "non_compete": None,
}
BELIEF_POINTS = 64


def world_valuation(scenario: Scenario, party: str, space: OutcomeSpace) -> WorldValuation:
    """``party``'s valuation of every bundle of ``space`` as the world moves.

    Shared by every run whose scenario agrees on what it depends on (a batch draws
    reservation values, patience and dates per run; none of those matter here), so
    that the utilities of a quarter are computed once per process, not once a run.
    """
    spec = scenario.party(party)
    agi = scenario.agi
    key = (
        scenario.start,
        scenario.negotiation.issues,
        scenario.negotiation.deal,
        party,
        spec.weights,
        spec.value_tables,
        None if agi is None else (agi.belief, agi.verification, agi.verification_delay,
                                  agi.verification_probability),
        scenario.prelude[-1].clauses if scenario.prelude else (),  # the AGI clause in force
    )
    found = _VALUATIONS.get(key)
    if found is None or found[0] is not space:
        if len(_VALUATIONS) >= 32:
            _VALUATIONS.clear()
        found = _VALUATIONS[key] = (space, _build(scenario, party, space))
    return found[1]


_VALUATIONS: dict[tuple[object, ...], tuple[OutcomeSpace, WorldValuation]] = {}


def _build(scenario: Scenario, party: str, space: OutcomeSpace) -> WorldValuation:
    negotiation = scenario.negotiation
    deal = negotiation.deal
    if deal is None:
        raise ValueError("a world valuation needs the negotiation's deal")
    names = space.issue_names
    spec = scenario.party(party)
    weights = [spec.weight(name) for name in names]
    tables = [[spec.value_of(issue.name, v) for v in issue.values] for issue in space.issues]
    start = scenario.start

    def year_end(year: int) -> float:
        return months_between(start, dt.date(year + 1, 1, 1))

    triggers: dict[str, float] = {}
    clauses = []
    for template in deal.clauses:
        clause = _expiring(template, space, party, triggers, year_end, start)
        if clause is not None:
            clauses.append(clause)
    term_column = None
    term_months: list[float] = []
    fixed_term = NEVER
    if isinstance(deal.term_end, IssueRef):
        term_column = names.index(deal.term_end.issue)
        term_months = [year_end(int(v)) for v in space.issues[term_column].values]
    elif isinstance(deal.term_end, int):
        fixed_term = year_end(deal.term_end)
    return WorldValuation(
        party=party,
        weights=weights,
        tables=tables,
        value_indices=space.value_indices,
        clauses=clauses,
        term_column=term_column,
        term_months=term_months,
        fixed_term=fixed_term,
        trigger_months=triggers,
        belief=agi_belief(scenario),
    )


def agi_belief(scenario: Scenario) -> AgiBelief:
    """The parties' common belief about the AGI milestone (none expected without one)."""
    agi = scenario.agi
    if agi is None or agi.belief is None:
        return AgiBelief(())
    belief = agi.belief
    if isinstance(belief, Distribution):
        grid = quantile_grid(belief.quantile, BELIEF_POINTS)
    else:
        grid = (float(belief),)
    verification, delay = agi.verification, agi.verification_delay
    # The AGI clause in force says whether a panel verifies, and when (the [agi]
    # section only stands in without one): the parties read the history's last one.
    definitions = [
        clause
        for clause in (scenario.prelude[-1].clauses if scenario.prelude else ())
        if isinstance(clause, AgiDefinition)
    ]
    if definitions:
        verification, delay = definitions[-1].verification, definitions[-1].delay_months
    probability = agi.verification_probability if verification else 0.0
    return AgiBelief(grid, delay, probability)


def _expiring(
    template: ClauseTemplate,
    space: OutcomeSpace,
    party: str,
    triggers: dict[str, float],
    year_end: Callable[[int], float],
    start: dt.date,
) -> ExpiringClause | None:
    field = BENEFICIARY_FIELD.get(template.kind)
    params = dict(template.params)
    beneficiary = params.get(field) if field is not None else None
    if not isinstance(beneficiary, str):
        return None
    names = space.issue_names
    expiry = params.get("expiry")
    if isinstance(expiry, IssueRef):
        column = names.index(expiry.issue)
        expiries = tuple(Expiry.parse(v) for v in space.issues[column].values)
        expiry_column: int | None = column
    elif expiry is None:
        return None
    else:
        expiries = (Expiry.parse(expiry),)
        expiry_column = None
        if not expiries[0].triggers:
            return None
    for item in expiries:
        for trigger in item.triggers:
            if trigger in (AGI_DECLARED, AGI_VERIFIED) or trigger in triggers:
                continue
            if trigger.isdigit():
                triggers[trigger] = year_end(int(trigger))
            else:
                triggers[trigger] = months_between(start, dt.date.fromisoformat(trigger))
    columns = tuple(
        names.index(value.issue)
        for name, value in template.params
        if isinstance(value, IssueRef) and name != "expiry"
    )
    if expiry_column is None and not columns:
        return None
    return ExpiringClause(beneficiary, expiry_column, expiries, columns)


__all__ = ["agi_belief", "world_valuation"]
