"""A scenario's negotiation domain: its outcome space, the typed offer of each outcome,
and each party's utility of every outcome.

These depend only on the scenario's issues and preferences, never on the seed, so
they are built once and shared by every run of a batch (a run of the built-in
scenario would otherwise spend a third of its time enumerating 3,840 outcomes).
Everything here is immutable or append-only caches of immutable values.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache

import attrs
import numpy as np

from agents.outcome_space import Issue, OutcomeSpace
from agents.utility import LinearAdditiveUtility
from events.terms import IssueValue, Offer, Outcome


@attrs.frozen(eq=False)
class Domain:
    space: OutcomeSpace
    offer_of: Callable[[int], Offer]


@lru_cache(maxsize=16)
def negotiation_domain(issues: tuple[tuple[str, tuple[IssueValue, ...]], ...]) -> Domain:
    """The outcome space of ``issues`` and a cached index -> offer function."""
    space = OutcomeSpace(tuple(Issue(name, values) for name, values in issues))
    names = space.issue_names
    cache: dict[int, Offer] = {}

    def offer_of(index: int) -> Offer:
        offer = cache.get(index)
        if offer is None:
            offer = Outcome(tuple(zip(names, space.outcome(index), strict=True)))
            cache[index] = offer
        return offer

    return Domain(space, offer_of)


@lru_cache(maxsize=64)
def ranked_utilities(
    space: OutcomeSpace,
    weights: tuple[tuple[str, float], ...],
    value_tables: tuple[tuple[str, tuple[tuple[IssueValue, float], ...]], ...],
) -> tuple[np.ndarray, np.ndarray]:
    """Undiscounted utility of every outcome (read-only) and the outcomes ranked by it
    (descending; ties by index), as ``NegotiationView`` expects them."""
    utility = LinearAdditiveUtility(
        weights=dict(weights), value_tables={name: dict(table) for name, table in value_tables}
    )
    values = np.array(utility.evaluate(space), dtype=np.float64)
    values.flags.writeable = False
    ranking = np.lexsort((np.arange(values.size), -values)).astype(np.intp)
    ranking.flags.writeable = False
    return values, ranking
