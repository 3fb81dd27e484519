"""A batch's summary: one :class:`OutcomeEstimate` per outcome and sweep cell, in one pass.

The outcomes and the runs each one counts (also what ``negsim sensitivity`` analyses):

- ``agreement``: the share of runs with a deal
- ``regulator_approved``: among deals that went to review (approved, approved with
  conditions, blocked, or still pending), the share approved (either way)
- ``after_agi.license.models``: among runs where AGI came, the share in which Microsoft
  still had post-AGI access (scenarios with that clause only)
- ``agreement_after_agi``: among deals, the share agreed on or after the AGI
  declaration (scenarios with a milestone only)
- ``restructuring_completed``, ``restructuring_failed`` (scenarios with a
  restructuring only): among all runs, the share in which it completed (failed)
  before the end of the run; the rest are still pending or never proposed
- ``agreement_time``, ``agreement_offers``, ``talk_rounds`` and ``walk_aways``
  (scenarios whose talks reopen), ``restructuring_time`` (when the restructuring
  completed or failed), ``funding_lost_bn`` (over all runs), each ``utility_<party>``,
  ``agi_time`` (scenarios with a milestone only): means over the runs where the value
  exists

Shares get Wilson intervals, means Student-t intervals (:mod:`sim.stats`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Final

import attrs

from sim.stats import Estimate, RunningMean, RunningShare

APPROVED: Final = ("approved", "approved_with_conditions")
REVIEWED: Final = (*APPROVED, "blocked", "pending")


@attrs.frozen
class OutcomeEstimate:
    """One line of a batch summary: an outcome, its sweep cell, and its estimate."""

    outcome: str
    group: Mapping[str, Any]
    estimate: Estimate

    @property
    def kind(self) -> str:
        return self.estimate.kind

    @property
    def value(self) -> float | None:
        return None if self.estimate.n == 0 else self.estimate.mean

    @property
    def ci_low(self) -> float | None:
        return self.estimate.low if self.estimate.has_interval else None

    @property
    def ci_high(self) -> float | None:
        return self.estimate.high if self.estimate.has_interval else None

    @property
    def n(self) -> int:
        return self.estimate.n

    def as_dict(self) -> dict[str, Any]:
        """The summary's JSON shape (a contract): ``outcome``, ``group``, ``value``,
        ``ci_low``, ``ci_high``, ``n``; ``None`` where there is no number."""
        return {
            "outcome": self.outcome,
            "group": dict(self.group),
            "value": self.value,
            "ci_low": self.ci_low,
            "ci_high": self.ci_high,
            "n": self.n,
        }


ACCESS: Final = "after_agi.license.models"
AFTER_AGI: Final = "agreement_after_agi"
RESTRUCTURING_SHARES: Final = ("restructuring_completed", "restructuring_failed")
SHARES: Final = ("agreement", "regulator_approved", ACCESS, AFTER_AGI, *RESTRUCTURING_SHARES)
# Means over the runs where the column has a value, when the scenario has the column.
TALK_MEANS: Final = ("agreement_offers", "talk_rounds", "walk_aways")


def restructuring_share(row: Mapping[str, Any], outcome: str) -> bool | None:
    """Whether a run's restructuring ended as ``outcome`` says (``restructuring_completed``
    or ``restructuring_failed``); None for a row without a restructuring column."""
    ended = row.get("restructuring")
    if ended is None:
        return None
    return bool(ended == outcome.removeprefix("restructuring_"))


def outcome_names(columns: Sequence[str]) -> list[str]:
    """The outcomes a batch with these summary columns has, in summary order."""
    utilities = [name for name in columns if name.startswith("utility_")]
    with_agi = "agi_time" in columns  # a generic scenario has no milestone
    access = [ACCESS] if ACCESS in columns else []
    after_agi = [AFTER_AGI] if AFTER_AGI in columns else []
    talks = [name for name in TALK_MEANS if name in columns]
    restructuring = "restructuring" in columns  # only a scenario with the section
    return [
        "agreement",
        "regulator_approved",
        *access,
        *after_agi,
        *(RESTRUCTURING_SHARES if restructuring else ()),
        "agreement_time",
        *talks,
        *(["restructuring_time", "funding_lost_bn"] if restructuring else []),
        *utilities,
        *(["agi_time"] if with_agi else []),
    ]


class SummaryAccumulator:
    """Feed rows (any order); get one :class:`OutcomeEstimate` per outcome and grid cell."""

    def __init__(self, columns: Sequence[str], n: int, sweep_keys: Sequence[str]) -> None:
        self.n = n
        self.sweep_keys = tuple(sweep_keys)
        self.utilities = [name for name in columns if name.startswith("utility_")]
        self.outcomes = outcome_names(columns)
        self._cells: dict[int, tuple[dict[str, Any], dict[str, Any]]] = {}

    def _cell(self, row: Mapping[str, Any]) -> dict[str, Any]:
        index = int(row["run"]) // self.n
        entry = self._cells.get(index)
        if entry is None:
            group = {key: row.get(f"sweep_{key}") for key in self.sweep_keys}
            stats: dict[str, Any] = {
                name: RunningShare() if name in SHARES else RunningMean() for name in self.outcomes
            }
            entry = self._cells[index] = (group, stats)
        return entry[1]

    def add(self, row: Mapping[str, Any]) -> None:
        stats = self._cell(row)
        deal = bool(row.get("agreement"))
        stats["agreement"].add(deal)
        outcome = row.get("regulator_outcome")
        if deal and outcome in REVIEWED:
            stats["regulator_approved"].add(outcome in APPROVED)
        if row.get("agi_time") is not None:
            stats["agi_time"].add(float(row["agi_time"]))
            access = row.get(ACCESS)
            if access is not None and ACCESS in stats:
                stats[ACCESS].add(bool(access))
        if row.get("agreement_time") is not None:
            stats["agreement_time"].add(float(row["agreement_time"]))
        if AFTER_AGI in stats and row.get(AFTER_AGI) is not None:
            stats[AFTER_AGI].add(bool(row[AFTER_AGI]))
        for name in TALK_MEANS:
            value = row.get(name)
            if value is not None and name in stats:
                stats[name].add(float(value))
        if "restructuring_time" in stats:
            for name in RESTRUCTURING_SHARES:
                share = restructuring_share(row, name)
                if share is not None:
                    stats[name].add(share)
            for name in ("restructuring_time", "funding_lost_bn"):
                if row.get(name) is not None:
                    stats[name].add(float(row[name]))
        for name in self.utilities:
            value = row.get(name)
            if value is not None:
                stats[name].add(float(value))

    def estimates(self) -> list[OutcomeEstimate]:
        out: list[OutcomeEstimate] = []
        for index in sorted(self._cells):
            group, stats = self._cells[index]
            out.extend(OutcomeEstimate(name, group, s.estimate()) for name, s in stats.items())
        return out


def summarize_rows(
    rows: Iterable[Mapping[str, Any]], columns: Sequence[str], n: int, sweep_keys: Sequence[str]
) -> list[OutcomeEstimate]:
    """Estimates for every outcome and grid cell of ``rows`` (streamed, one pass)."""
    acc = SummaryAccumulator(columns, n, sweep_keys)
    for row in rows:
        acc.add(row)
    return acc.estimates()


__all__ = [
    "APPROVED",
    "RESTRUCTURING_SHARES",
    "REVIEWED",
    "OutcomeEstimate",
    "SummaryAccumulator",
    "outcome_names",
    "restructuring_share",
    "summarize_rows",
]
