"""Issue 12's behaviours of the built-in partnership, over 200 seeds: coherent offers,
no lapsed right priced, walk-aways and reopened talks, and agreement that does not
fall as the talks' deadline grows."""

from __future__ import annotations

import functools
import itertools

import numpy as np
import pytest

from events.model import MilestoneReached, NegotiationEnded, OfferAccepted, TalksOpened
from sim.domain import negotiation_domain
from sim.engine import simulate
from sim.engine.party_valuation import world_valuation
from sim.run.result import RunResult
from sim.run.summary import summarize
from sim.scenario import Scenario, load_scenario

SEEDS = range(200)


@functools.cache
def scenario() -> Scenario:
    return load_scenario("msft-openai")


@functools.cache
def runs() -> tuple[RunResult, ...]:
    return tuple(simulate(scenario(), seed) for seed in SEEDS)


@functools.cache
def rows() -> tuple[dict, ...]:
    return tuple(summarize(run.records, run.scenario) for run in runs())


@pytest.mark.parametrize("party", ["microsoft", "openai"])
def test_offers_are_coherent_for_both_parties(party: str) -> None:
    values = [row[f"coherence_{party}"] for row in rows() if row[f"coherence_{party}"] is not None]
    assert len(values) >= 150
    assert float(np.mean(values)) >= 0.9


def test_some_talks_end_in_a_walk_away_and_some_reopen() -> None:
    walk_aways = reopened = 0
    for run in runs():
        for record in run.records:
            event = record.event
            if isinstance(event, NegotiationEnded) and event.reason == "walk_away":
                walk_aways += 1
            if isinstance(event, TalksOpened) and event.round >= 2:
                reopened += 1
                assert event.reason in ("walk_away", "deadline", "blocked", "expired")
    assert walk_aways > 0 and reopened > 0
    assert sum(row["walk_aways"] for row in rows()) == walk_aways
    assert all(row["talk_rounds"] >= 1 for row in rows())


def test_no_deal_gives_value_to_a_right_already_lapsed() -> None:
    """For every deal agreed after AGI was declared, each party's utility of it is the
    same whatever the lapsed rights' parameters say: they carry no value."""
    negotiation = scenario().negotiation
    space = negotiation_domain(
        tuple((issue.name, tuple(issue.values)) for issue in negotiation.issues)
    ).space
    checked = 0
    for run in runs():
        agi = [r.t for r in run.records if isinstance(r.event, MilestoneReached)]
        for record in run.records:
            if not isinstance(record.event, OfferAccepted) or not agi or agi[0] > record.t:
                continue
            agreed = record.event.terms.as_dict()
            verified = agi[1] if len(agi) > 1 and agi[1] <= record.t else None
            for party in negotiation.parties:
                valuation = world_valuation(run.scenario, party, space)
                utilities, _ = valuation.ranked(record.t, agi[0], verified)
                worth = {
                    float(utilities[space.index({**agreed, "revenue_share": rate}.values())])
                    for rate in (0.08, 0.12, 0.16, 0.2)
                }
                assert max(worth) - min(worth) < 1e-12, (run.seed, party, worth)
                declared_lapse = {**agreed, "ip_expiry": "agi_declared"}
                term_lapse = {**agreed, "ip_expiry": "term"}
                # A licence that lapsed at the declaration is worth what no licence
                # is worth; one for the term keeps its worth.
                if party == "microsoft":
                    assert utilities[space.index(declared_lapse.values())] <= utilities[
                        space.index(term_lapse.values())
                    ]
            checked += 1
    assert checked > 0  # some deals are agreed after AGI, and each was checked


def test_time_to_agreement_follows_the_worlds_urgency() -> None:
    """No deadline is assumed for the talks: agreements spread over dates set by the
    parties' own deadlines (OpenAI's funding condition at the end of 2025) and by
    reopened rounds, not all at one assumed date."""
    dates = [row["agreement_date"] for row in rows() if row["agreement_date"]]
    assert len(dates) >= 150
    months = {date[:7] for date in dates}
    assert len(months) >= 6
    assert min(dates) <= "2026-01-31"  # some near OpenAI's deadline
    assert all(row["agreement_offers"] >= 1 for row in rows() if row["agreement"])


DEADLINES = ("2025-10-01", "2026-01-01", "2026-07-01", "2027-07-01", "2031-01-01")


def test_agreement_rate_does_not_fall_as_the_deadline_grows() -> None:
    """Common random numbers: the same 100 seeds at each deadline. A later deadline only
    lets talks run longer (the parties concede on their own clocks), so every seed
    that agrees by one deadline agrees by every later one too."""
    agreed_by: list[set[int]] = []
    for deadline in DEADLINES:
        swept = load_scenario("msft-openai", [f"negotiation.deadline={deadline}"])
        agreed_by.append(
            {
                seed
                for seed in range(100)
                if any(isinstance(r.event, OfferAccepted) for r in simulate(swept, seed).records)
            }
        )
    rates = [len(agreed) for agreed in agreed_by]
    assert rates == sorted(rates), rates
    assert rates[0] < rates[-1]
    for earlier, later in itertools.pairwise(agreed_by):
        assert earlier <= later
