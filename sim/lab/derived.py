"""Columns the lab adds to each run's summary row (derived, never stored by the engine).

- ``time_to_agreement``: ``agreement_time`` minus the time the talks opened (``None``
  without an agreement).
- ``pareto_distance``, ``nash_distance``, ``ks_distance``, ``welfare_loss``: where the
  accepted terms sit in utility space (undiscounted, before any regulator's
  conditions), from :class:`~sim.analysis.OutcomeAnalysis` (``None`` without an
  agreement).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Final

from sim.analysis import OutcomeAnalysis
from sim.scenario import Scenario

DERIVED_COLUMNS: Final = (
    "time_to_agreement",
    "pareto_distance",
    "nash_distance",
    "ks_distance",
    "welfare_loss",
)


def add_derived(rows: Iterable[dict[str, Any]], scenario: Scenario) -> None:
    """Add :data:`DERIVED_COLUMNS` to every row, in place."""
    analysis = OutcomeAnalysis.of(scenario)
    opens = scenario.negotiation.opens
    memo: dict[int, dict[str, float]] = {}
    for row in rows:
        index = analysis.index_of_row(row)
        time = row.get("agreement_time")
        row["time_to_agreement"] = time - opens if index is not None and time is not None else None
        if index is None:
            for column in DERIVED_COLUMNS[1:]:
                row[column] = None
            continue
        distances = memo.get(index)
        if distances is None:
            distances = memo[index] = analysis.distances(index)
        row["pareto_distance"] = distances["pareto"]
        row["nash_distance"] = _or_none(distances["nash"])
        row["ks_distance"] = _or_none(distances["kalai_smorodinsky"])
        row["welfare_loss"] = distances["welfare_loss"]


def _or_none(x: float) -> float | None:
    return None if x != x else x


__all__ = ["DERIVED_COLUMNS", "add_derived"]
