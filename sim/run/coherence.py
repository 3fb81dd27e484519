"""Offer coherence: does a party's next offer ever make things worse for the other side?

A coherent negotiator concedes, or at least holds still, from the other side's point
of view: its successive offers do not lower the other party's utility. Zig-zag offers
(asking for more on one issue while giving on another, at random) are what makes a
simulated party look unlike the real one (issue 12).

The measure, per negotiating party ``P`` with offers ``o_1 .. o_n`` (its ``OfferMade``
events, in log order):

- ``offers_P = n``;
- ``coherence_P`` = the share of the ``n - 1`` successive pairs ``(o_k, o_(k+1))``
  with ``u_Q(o_(k+1)) >= u_Q(o_k)`` (1e-9 of slack), None when ``n < 2``.

``u_Q`` is the other party's *true* utility as the scenario defines it (its
undiscounted linear additive utility of the terms, ``sim.engine.party_utility.utility_for``),
not what ``P`` estimates of it: the column says how coherent ``P`` looks to an
observer who knows both sides, which is what an analyst compares with the record.
Repeating an offer counts as coherent.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from itertools import pairwise
from typing import TYPE_CHECKING, Any

from events.codec import Recorded
from events.model import OfferMade
from sim.engine.party_utility import utility_for

if TYPE_CHECKING:
    from sim.batch.estimates import OutcomeEstimate
    from sim.scenario import Scenario

SLACK = 1e-9


def offer_coherence(
    records: Sequence[Recorded], scenario: Scenario
) -> dict[str, tuple[int, float | None]]:
    """``{party: (offers, coherence)}`` for each negotiating party (see module docs)."""
    parties = tuple(scenario.negotiation.parties)
    offers: dict[str, list[float]] = {key: [] for key in parties}
    if len(parties) != 2:  # pragma: no cover - negotiations are bilateral
        raise ValueError(f"coherence needs two negotiating parties, got {parties!r}")
    other = {parties[0]: parties[1], parties[1]: parties[0]}
    utilities = {key: utility_for(scenario.party(key)) for key in parties}
    for record in records:
        event = record.event
        if type(event) is OfferMade and event.sender in offers:
            offers[event.sender].append(utilities[other[event.sender]].of(event.terms))
    result: dict[str, tuple[int, float | None]] = {}
    for key, values in offers.items():
        pairs = len(values) - 1
        if pairs < 1:
            result[key] = (len(values), None)
            continue
        kept = sum(1 for a, b in pairwise(values) if b >= a - SLACK)
        result[key] = (len(values), kept / pairs)
    return result


def coherence_estimates(
    rows: Iterable[Mapping[str, Any]], columns: Sequence[str], n: int, sweep_keys: Sequence[str]
) -> list[OutcomeEstimate]:
    """Batch statistics of the ``offers_<party>`` and ``coherence_<party>`` columns: per
    grid cell (run ``c*n+i`` is cell ``c``'s run ``i``), the mean over the runs where
    the value exists, with its Student t 95% interval (``sim.stats``), cells in order,
    the columns in summary order."""
    from sim.batch.estimates import OutcomeEstimate  # here: sim.batch imports this module
    from sim.stats import RunningMean

    names = [c for c in columns if c.startswith(("offers_", "coherence_"))]
    cells: dict[int, tuple[dict[str, Any], dict[str, RunningMean]]] = {}
    for row in rows:
        index = int(row["run"]) // n
        if index not in cells:
            group = {key: row.get(f"sweep_{key}") for key in sweep_keys}
            cells[index] = (group, {name: RunningMean() for name in names})
        stats = cells[index][1]
        for name in names:
            value = row.get(name)
            if value is not None:
                stats[name].add(float(value))
    return [
        OutcomeEstimate(name, group, stat.estimate())
        for group, stats in (cells[index] for index in sorted(cells))
        for name, stat in stats.items()
    ]


__all__ = ["coherence_estimates", "offer_coherence"]
