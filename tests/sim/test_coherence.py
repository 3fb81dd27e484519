"""Offer coherence: the summary columns, their batch statistics, and msft-openai's
parties over 200 seeds."""

from __future__ import annotations

import statistics
from types import SimpleNamespace
from typing import Any

import pytest

from events.model import OfferMade
from events.terms import Outcome
from sim.engine import simulate
from sim.engine.party_utility import utility_for
from sim.run.coherence import coherence_estimates, offer_coherence
from sim.run.summary import summary_columns
from sim.scenario import load_scenario


@pytest.fixture(scope="module")
def demo() -> Any:
    return load_scenario("bilateral-demo")


def offer(scenario: Any, sender: str, receiver: str, values: dict[str, Any]) -> Any:
    """A record (only ``event`` is read) of an offer; unnamed issues at their first value."""
    terms = tuple(
        (issue.name, values.get(issue.name, issue.values[0]))
        for issue in scenario.negotiation.issues
    )
    return SimpleNamespace(event=OfferMade(sender, receiver, Outcome(terms)))


def test_coherence_counts_pairs_that_do_not_lower_the_other_side(demo: Any) -> None:
    buyer = utility_for(demo.party("buyer"))
    first = demo.negotiation.issues[0]
    bundles = [{first.name: value} for value in first.values]
    worth = {
        value: buyer.of(offer(demo, "seller", "buyer", bundle).event.terms)
        for value, bundle in zip(first.values, bundles, strict=True)
    }
    rising = sorted(first.values, key=lambda value: worth[value])
    assert worth[rising[0]] < worth[rising[-1]]  # the issue matters to the buyer
    # better and better for the buyer, then back to the worst: 1 incoherent pair of n-1
    sequence = [*rising, rising[0]]
    records = [offer(demo, "seller", "buyer", {first.name: value}) for value in sequence]
    records.insert(1, offer(demo, "buyer", "seller", {}))  # the other side's offers
    result = offer_coherence(records, demo)
    n = len(sequence)
    assert result["seller"] == (n, (n - 2) / (n - 1))
    assert result["buyer"] == (1, None)  # one offer: no pair to judge


def test_repeating_an_offer_is_coherent(demo: Any) -> None:
    records = [offer(demo, "buyer", "seller", {}) for _ in range(3)]
    assert offer_coherence(records, demo)["buyer"] == (3, 1.0)
    assert offer_coherence([], demo) == {"buyer": (0, None), "seller": (0, None)}


def test_summary_has_offers_and_coherence_columns(demo: Any) -> None:
    names = [name for name, _ in summary_columns(demo)]
    assert names[-4:] == ["offers_buyer", "coherence_buyer", "offers_seller", "coherence_seller"]
    result = simulate(demo, 3)
    row = result.summary
    expected = offer_coherence(result.records, result.scenario)
    for key, (offers, share) in expected.items():
        assert row[f"offers_{key}"] == offers
        assert row[f"coherence_{key}"] == share
    made = sum(1 for r in result.records if type(r.event) is OfferMade)
    assert row["offers_buyer"] + row["offers_seller"] == made


def test_coherence_estimates_per_cell() -> None:
    columns = ["run", "offers_a", "coherence_a"]
    rows = [
        {"run": 0, "offers_a": 4, "coherence_a": 1.0, "sweep_x": 1},
        {"run": 1, "offers_a": 2, "coherence_a": 0.5, "sweep_x": 1},
        {"run": 2, "offers_a": 1, "coherence_a": None, "sweep_x": 2},
        {"run": 3, "offers_a": 3, "coherence_a": 0.0, "sweep_x": 2},
    ]
    out = coherence_estimates(rows, columns, 2, ["x"])
    assert [(e.outcome, e.group, e.value, e.n) for e in out] == [
        ("offers_a", {"x": 1}, 3.0, 2),
        ("coherence_a", {"x": 1}, 0.75, 2),
        ("offers_a", {"x": 2}, 2.0, 2),
        ("coherence_a", {"x": 2}, 0.0, 1),
    ]
    assert out[1].ci_low < 0.75 < out[1].ci_high
    assert out[3].ci_low is None  # one value: no interval


def test_msft_openai_parties_are_coherent_over_200_seeds() -> None:
    """Issue 12's bar: coherence >= 0.9 for both parties (mean over 200 seeds, as
    ``negsim mc`` reports it; the pooled share of all offer pairs too)."""
    scenario = load_scenario("msft-openai")
    shares: dict[str, list[float]] = {"microsoft": [], "openai": []}
    pairs = {"microsoft": [0, 0], "openai": [0, 0]}
    for seed in range(200):
        result = simulate(scenario, f"0:{seed}")
        for key, (offers, share) in offer_coherence(result.records, result.scenario).items():
            if share is not None:
                shares[key].append(share)
                pairs[key][0] += round(share * (offers - 1))
                pairs[key][1] += offers - 1
    for key in shares:
        assert len(shares[key]) >= 190, key  # nearly every run has talks with offers
        assert statistics.fmean(shares[key]) >= 0.9, key
        assert pairs[key][0] / pairs[key][1] >= 0.9, key
