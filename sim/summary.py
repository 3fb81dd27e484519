"""One summary row per run, derived from its records (a pure function).

Columns (a contract for batch stores and results files, which add ``run``, ``seed``,
``digest``, ``events``, ``param_*`` and ``sweep_*`` in front): ``agreement``,
``agreement_time``, ``agreement_date``, ``terms_<issue>`` for every negotiated issue
(as accepted, before any regulator's conditions), ``regulator_outcome`` (approved,
approved_with_conditions, blocked, pending, unreviewed, or empty without a deal),
``agi_time``, ``agi_date``, ``agi_verified``, ``msft_post_agi_access`` (Microsoft
holds IP access once the AGI clause has taken effect; empty without AGI),
``outside_deals``, ``rofr_exercised``, ``final_status``, and ``utility_<party>`` for
each negotiating party (discounted utility of the terms in force, or its
reservation value without an approved deal).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from events.calendar import date_at
from events.codec import Recorded
from events.model import (
    ContractSigned,
    MilestoneReached,
    OfferAccepted,
    RunEnded,
)
from events.replay import Folder
from sim.utilities import utility_for

if TYPE_CHECKING:
    from sim.scenario import Scenario


def summary_columns(scenario: Scenario) -> list[tuple[str, str]]:
    """The summary columns of a scenario's runs, with their SQL types, in order."""
    columns = [
        ("agreement", "INTEGER"),
        ("agreement_time", "REAL"),
        ("agreement_date", "TEXT"),
    ]
    for issue in scenario.negotiation.issues:
        sql = sql_type(issue.values)
        columns.append((f"terms_{issue.name}", sql))
    columns += [
        ("regulator_outcome", "TEXT"),
        ("agi_time", "REAL"),
        ("agi_date", "TEXT"),
        ("agi_verified", "INTEGER"),
        ("msft_post_agi_access", "INTEGER"),
        ("outside_deals", "INTEGER"),
        ("rofr_exercised", "INTEGER"),
        ("final_status", "TEXT"),
    ]
    columns += [(f"utility_{key}", "REAL") for key in scenario.negotiation.parties]
    return columns


def sql_type(values: Sequence[object]) -> str:
    """The SQL column type that holds every one of ``values`` (INTEGER, REAL or TEXT)."""
    if all(isinstance(v, bool) for v in values):
        return "INTEGER"
    if all(isinstance(v, int) and not isinstance(v, bool) for v in values):
        return "INTEGER"
    if all(isinstance(v, int | float) and not isinstance(v, bool) for v in values):
        return "REAL"
    return "TEXT"


def summarize(records: Sequence[Recorded], scenario: Scenario) -> dict[str, Any]:
    """The summary row of one run (without ``run``, ``seed`` and ``digest``)."""
    folder = Folder()
    start = scenario.start
    agreement: OfferAccepted | None = None
    agreement_time: float | None = None
    signed_id: str | None = None
    effective_terms = None
    agi_declared_at: float | None = None
    agi_verified = False
    access_after_agi: bool | None = None
    lapse_on = scenario.agi.lapse_on if scenario.agi is not None else "declared"
    for record in records:
        folder.apply(record)
        event = record.event
        kind = type(event)
        if kind is OfferAccepted and agreement is None:
            agreement, agreement_time = event, record.t
        elif kind is ContractSigned and agreement is not None and signed_id is None:
            signed_id = event.contract_id
        elif kind is MilestoneReached and event.milestone == "agi":
            if agi_declared_at is None:
                agi_declared_at = record.t
            agi_verified = agi_verified or event.verified
            triggers = event.verified if lapse_on == "verified" else True
            if triggers or access_after_agi is None:
                access_after_agi = folder.state().rights.get("ip_access", False)
        if signed_id is not None and effective_terms is None and folder.contract_id == signed_id:
            effective_terms = folder.terms
        if kind is RunEnded:
            break
    final = folder.state()
    reviews = dict(final.reviews)
    row: dict[str, Any] = {
        "agreement": agreement is not None,
        "agreement_time": agreement_time,
        "agreement_date": date_at(start, agreement_time).isoformat()
        if agreement_time is not None and scenario.time_unit == "month"
        else None,
    }
    for issue in scenario.negotiation.issues:
        row[f"terms_{issue.name}"] = agreement.terms.get(issue.name) if agreement else None
    if agreement is None:
        outcome = None
    elif not reviews and signed_id is not None and effective_terms is not None:
        outcome = "unreviewed"
    elif any(v == "blocked" for v in reviews.values()):
        outcome = "blocked"
    elif reviews and all(v in ("approved", "approved_with_conditions") for v in reviews.values()):
        with_conditions = any(v == "approved_with_conditions" for v in reviews.values())
        outcome = "approved_with_conditions" if with_conditions else "approved"
    else:
        outcome = "pending"
    row["regulator_outcome"] = outcome
    row["agi_time"] = agi_declared_at
    row["agi_date"] = (
        date_at(start, agi_declared_at).isoformat() if agi_declared_at is not None else None
    )
    row["agi_verified"] = agi_verified
    row["msft_post_agi_access"] = access_after_agi
    row["outside_deals"] = len(final.outside_deals)
    row["rofr_exercised"] = final.rofr_exercised
    row["final_status"] = final.status
    opens = scenario.negotiation.opens
    for spec in (
        p for key in scenario.negotiation.parties for p in scenario.parties if p.key == key
    ):
        utility = utility_for(spec)
        if effective_terms is not None and agreement_time is not None:
            value = utility.discounted(utility.of(effective_terms), agreement_time - opens)
        else:
            value = spec.reservation
        row[f"utility_{spec.key}"] = float(value)
    return row


__all__ = ["summarize", "summary_columns"]
