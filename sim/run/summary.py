"""One summary row per run, derived from its records by the shared fold.

Columns (a contract for batch stores and results files, which add ``run``, ``seed``,
``digest``, ``events``, ``param_*`` and ``sweep_*`` in front), in this order:

- ``agreement``, ``agreement_time``, ``agreement_date`` (of the last agreement, when
  talks reopened after a deal was blocked or expired);
- with ``protocol = "sao"`` only: ``step``, the step at which the talks ended (by
  agreement, walk-away or deadline) counted as NegMAS counts it (see
  :func:`negmas_step`); empty if they never ended;
- ``agreement_offers``: the offers made in the round of talks that reached that
  agreement (empty without one);
- with ``negotiation.reopen``: ``talk_rounds`` (rounds of talks opened) and
  ``walk_aways`` (rounds a party walked away from);
- ``terms_<issue>`` for every negotiated issue (the agreed values; in the partnership
  these are the deal's clause parameters, as accepted, before any conditions);
- ``regulator_outcome`` (approved, approved_with_conditions, blocked, pending,
  unreviewed, or empty without a deal; a regulator without jurisdiction clears the
  deal and counts as approving it, one still inquiring keeps it pending);
- when a party may ask a regulator to look (``complaints_from``): ``complaints`` (how
  many times a party asked) and ``in_force_conditions`` (how many rulings on the
  contract in force imposed conditions, i.e. amended it);
- with an AGI milestone: ``agi_time``, ``agi_date``, ``agi_verified``,
  ``agi_verified_date``, ``agreement_after_agi`` (the agreement came on or after the
  declaration; empty without an agreement);
- with competitors: ``outside_deals``; with a ROFR: ``rofr_exercised``;
- with a ``[restructuring]`` section: ``restructuring`` (completed, failed, pending at
  the end of the run, or absent if it was never proposed), ``restructuring_time``
  and ``restructuring_at`` (the time and ISO date it completed or failed; empty while
  pending) and ``funding_lost_bn`` (funding withheld for a missed condition, USD bn);
- ``final_status``;
- with clauses (the partnership): ``end.term_end``, ``end.investment_total_bn``;
  with competitors ``end.outside_compute_bn`` (USD bn of outside deals OpenAI took,
  history included); with a ROFR ``end.rofr_matched_bn`` (USD bn of outside offers
  Microsoft matched: the capacity it committed to supply); with ``[alternatives]``
  ``end.alternative_<party>`` (each side's walk-away value at the end of the run, see
  ``agents.alternatives``); ``end.<right>`` for every right the scenario can grant
  (held at the end of the run), and with AGI ``after_agi.<right>`` (held once AGI took effect; see
  ``events.replay.around_agi``; empty when AGI never came);
- ``utility_<party>`` for each negotiating party (discounted utility of the agreed
  terms once they took force, or its reservation value without such a deal; with
  ``valuation = "world"``, the bundle's worth to the party on the day it agreed);
- ``offers_<party>`` and ``coherence_<party>`` for each negotiating party: how many
  offers it made, and the share of its successive offers that did not lower the
  other party's true (scenario) utility, empty with fewer than two offers (see
  ``sim.run.coherence``).

A generic scenario's row has no AGI, ROFR, restructuring or rights columns at all.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Final

import attrs

from events.calendar import date_at
from events.codec import Recorded
from events.model import (
    FINAL_CLEARANCES,
    ContractSigned,
    NegotiationEnded,
    OfferAccepted,
    OfferMade,
    RulingIssued,
    TalksOpened,
)
from events.replay import AroundAgi, Folder, around_agi
from events.state import RESTRUCTURING_PENDING, ContractState
from sim.engine.money import alternatives_for
from sim.engine.party_utility import utility_for
from sim.run.coherence import offer_coherence

if TYPE_CHECKING:
    from sim.scenario import Scenario

# The headline of the post-AGI question: does Microsoft keep model access after AGI?
ACCESS_AFTER_AGI: Final = "after_agi.license.models"


def summary_columns(scenario: Scenario) -> list[tuple[str, str]]:
    """The summary columns of a scenario's runs, with their SQL types, in order."""
    columns = [
        ("agreement", "INTEGER"),
        ("agreement_time", "REAL"),
        ("agreement_date", "TEXT"),
    ]
    if scenario.negotiation.protocol == "sao":
        columns.append(("step", "INTEGER"))
    columns.append(("agreement_offers", "INTEGER"))
    if scenario.negotiation.reopen is not None:
        columns += [("talk_rounds", "INTEGER"), ("walk_aways", "INTEGER")]
    for issue in scenario.negotiation.issues:
        columns.append((f"terms_{issue.name}", sql_type(issue.values)))
    columns.append(("regulator_outcome", "TEXT"))
    if _complaints(scenario):
        columns += [("complaints", "INTEGER"), ("in_force_conditions", "INTEGER")]
    if scenario.agi is not None:
        columns += [
            ("agi_time", "REAL"),
            ("agi_date", "TEXT"),
            ("agi_verified", "INTEGER"),
            ("agi_verified_date", "TEXT"),
            ("agreement_after_agi", "INTEGER"),
        ]
    if scenario.competitors:
        columns.append(("outside_deals", "INTEGER"))
    if scenario.rofr is not None:
        columns.append(("rofr_exercised", "INTEGER"))
    if scenario.restructuring is not None:
        columns += [
            ("restructuring", "TEXT"),
            ("restructuring_time", "REAL"),
            ("restructuring_at", "TEXT"),
            ("funding_lost_bn", "REAL"),
        ]
    columns.append(("final_status", "TEXT"))
    rights = scenario.possible_rights()
    if rights or scenario.prelude or scenario.negotiation.deal is not None:
        columns += [("end.term_end", "INTEGER"), ("end.investment_total_bn", "REAL")]
        if scenario.competitors:
            columns.append(("end.outside_compute_bn", "REAL"))
        if scenario.rofr is not None:
            columns.append(("end.rofr_matched_bn", "REAL"))
        columns += [(f"end.alternative_{spec.key}", "REAL") for spec in scenario.alternatives]
        columns += [(f"end.{right}", "INTEGER") for right in rights]
        if scenario.agi is not None:
            columns += [(f"after_agi.{right}", "INTEGER") for right in rights]
    columns += [(f"utility_{key}", "REAL") for key in scenario.negotiation.parties]
    for key in scenario.negotiation.parties:
        columns += [(f"offers_{key}", "INTEGER"), (f"coherence_{key}", "REAL")]
    return columns


def _complaints(scenario: Scenario) -> bool:
    """Whether a party may ask one of the scenario's regulators to look."""
    return any(regulator.complaints_from for regulator in scenario.regulators)


def negmas_step(ended_at: float, opens: float, n_steps: int) -> int:
    """NegMAS's ``state.step`` once SAO talks end at time ``ended_at``.

    Step ``k`` (0-based) runs over ``[opens + k, opens + k + 1)`` and NegMAS counts it
    done when its talks end inside it, so an agreement (or walk-away) in step ``k``
    reports ``k + 1`` and a timeout reports ``n_steps``: ``min(n_steps,
    floor(ended_at - opens) + 1)``. Source: ``negmas.sao.SAOMechanism`` (0.16),
    ``state.step`` after ``run()``; an offer accepted by the first party at the start
    of step ``k`` is step ``k + 1``, as NegMAS's trace shows.
    """
    return min(n_steps, math.floor(ended_at - opens) + 1)


def sql_type(values: Sequence[object]) -> str:
    """The SQL column type that holds every one of ``values`` (INTEGER, REAL or TEXT)."""
    if all(isinstance(v, bool) for v in values):
        return "INTEGER"
    if all(isinstance(v, int) and not isinstance(v, bool) for v in values):
        return "INTEGER"
    if all(isinstance(v, int | float) and not isinstance(v, bool) for v in values):
        return "REAL"
    return "TEXT"


def _regulator_outcome(reviews: dict[str, str], took_force: bool) -> str:
    if not reviews and took_force:
        return "unreviewed"
    if any(v == "blocked" for v in reviews.values()):
        return "blocked"
    # A regulator without jurisdiction clears the deal by law: it counts as approved.
    if reviews and all(v in FINAL_CLEARANCES for v in reviews.values()):
        if any(v == "approved_with_conditions" for v in reviews.values()):
            return "approved_with_conditions"
        return "approved"
    return "pending"


def restructuring_outcome(status: str) -> str:
    """The summary's word for a restructuring status (``events.state``)."""
    if status == "none":
        return "absent"
    return "pending" if status in RESTRUCTURING_PENDING else status


@attrs.frozen
class _Talks:
    """What one pass over a run's records found about its talks and its last deal."""

    agreement: OfferAccepted | None  # the last agreement (talks may reopen after one)
    agreement_time: float | None
    agreement_offers: int | None  # offers in the round that reached it
    agi_at_deal: tuple[float | None, float | None]  # (declared, verified) when it agreed
    took_force: bool  # the contract it signed came into force
    ended_time: float | None  # when talks first ended
    rounds: int
    walk_aways: int


def _scan(records: Sequence[Recorded]) -> tuple[_Talks, Folder]:
    """The talks' story and the fold at the end of the run, in one pass: one loop over
    every record, since ``summarize`` runs once per run of every batch."""
    folder = Folder()
    agreement: OfferAccepted | None = None
    agreement_time: float | None = None
    signed_id: str | None = None
    ended_time: float | None = None
    took_force = False
    rounds = walk_aways = offers = 0
    agi_at_deal: tuple[float | None, float | None] = (None, None)
    agreement_offers: int | None = None
    for record in records:
        folder.apply(record)
        event = record.event
        kind = type(event)
        if kind is OfferMade:
            offers += 1
        elif kind is OfferAccepted:
            # Talks may reopen after a block or an expiry: the row is about the last deal.
            agreement, agreement_time = event, record.t  # type: ignore[assignment]
            agreement_offers = offers
            agi_at_deal = (folder.agi_time, folder.agi_verified_time)
            signed_id, took_force = None, False
        elif kind is NegotiationEnded:
            if ended_time is None:
                ended_time = record.t
            walk_aways += event.reason == "walk_away"  # type: ignore[union-attr]
        elif kind is TalksOpened:
            rounds += 1
            offers = 0
        elif kind is ContractSigned and agreement is not None and signed_id is None:
            signed_id = event.contract_id  # type: ignore[union-attr]
        if signed_id is not None and not took_force and folder.contract_id == signed_id:
            took_force = True
    talks = _Talks(
        agreement,
        agreement_time,
        agreement_offers,
        agi_at_deal,
        took_force,
        ended_time,
        rounds,
        walk_aways,
    )
    return talks, folder


def summarize(records: Sequence[Recorded], scenario: Scenario) -> dict[str, Any]:
    """The summary row of one run (without ``run``, ``seed`` and ``digest``).

    Each group of columns has its own function below, called in column order (the
    order of :func:`summary_columns`, which a row's keys follow).
    """
    talks, folder = _scan(records)
    final = folder.state()
    agi = around_agi(records) if scenario.agi is not None else None
    row: dict[str, Any] = {}
    _talks_columns(row, scenario, talks)
    _review_columns(row, scenario, talks, final, records)
    _agi_columns(row, scenario, talks, final, agi)
    _world_columns(row, scenario, final)
    _end_columns(row, scenario, final, agi)
    _utility_columns(row, scenario, talks)
    for key, (offers, coherence) in offer_coherence(records, scenario).items():
        row[f"offers_{key}"] = offers
        row[f"coherence_{key}"] = coherence
    return row


def _date(scenario: Scenario, t: float | None) -> str | None:
    """The ISO date of ``t`` in a month-counting scenario; None otherwise."""
    dated = scenario.time_unit == "month"
    return date_at(scenario.start, t).isoformat() if t is not None and dated else None


def _talks_columns(row: dict[str, Any], scenario: Scenario, talks: _Talks) -> None:
    """``agreement*``, ``step`` (SAO), ``talk_rounds``/``walk_aways`` and ``terms_*``."""
    agreement = talks.agreement
    row["agreement"] = agreement is not None
    row["agreement_time"] = talks.agreement_time
    row["agreement_date"] = _date(scenario, talks.agreement_time)
    negotiation = scenario.negotiation
    if negotiation.protocol == "sao" and negotiation.n_steps is not None:
        row["step"] = (
            None
            if talks.ended_time is None
            else negmas_step(talks.ended_time, negotiation.opens, negotiation.n_steps)
        )
    row["agreement_offers"] = talks.agreement_offers
    if negotiation.reopen is not None:
        row["talk_rounds"] = talks.rounds
        row["walk_aways"] = talks.walk_aways
    for issue in negotiation.issues:
        row[f"terms_{issue.name}"] = agreement.terms.get(issue.name) if agreement else None


def _review_columns(
    row: dict[str, Any],
    scenario: Scenario,
    talks: _Talks,
    final: ContractState,
    records: Sequence[Recorded],
) -> None:
    """``regulator_outcome`` of the last deal; with complaints, how many were made and
    how many rulings amended the contract in force."""
    row["regulator_outcome"] = (
        None
        if talks.agreement is None
        else _regulator_outcome(dict(final.reviews), talks.took_force)
    )
    if _complaints(scenario):
        row["complaints"] = len(final.complaints)
        row["in_force_conditions"] = sum(
            1
            for record in records
            if type(record.event) is RulingIssued
            and record.event.in_force
            and record.event.outcome == "approved_with_conditions"
        )


def _agi_columns(
    row: dict[str, Any],
    scenario: Scenario,
    talks: _Talks,
    final: ContractState,
    agi: AroundAgi | None,
) -> None:
    """With an AGI milestone: when it was declared and verified, and whether the last
    agreement came on or after the declaration."""
    if scenario.agi is None:
        return
    row["agi_time"] = agi.declared_at if agi else None
    row["agi_date"] = _date(scenario, agi.declared_at) if agi else None
    row["agi_verified"] = final.agi_verified
    row["agi_verified_date"] = _date(scenario, agi.verified_at) if agi else None
    row["agreement_after_agi"] = (
        None
        if talks.agreement_time is None
        else agi is not None and talks.agreement_time >= agi.declared_at
    )


def _world_columns(row: dict[str, Any], scenario: Scenario, final: ContractState) -> None:
    """The world's actors at the end: outside deals, ROFR matches, the restructuring,
    then ``final_status``."""
    if scenario.competitors:
        row["outside_deals"] = len(final.outside_deals)
    if scenario.rofr is not None:
        row["rofr_exercised"] = final.rofr_exercised
    if scenario.restructuring is not None:
        row["restructuring"] = restructuring_outcome(final.restructuring)
        row["restructuring_time"] = final.restructuring_time
        row["restructuring_at"] = _date(scenario, final.restructuring_time)
        row["funding_lost_bn"] = final.funding_lost_bn
    row["final_status"] = final.status


def _end_columns(
    row: dict[str, Any], scenario: Scenario, final: ContractState, agi: AroundAgi | None
) -> None:
    """With contracts: the contract's ``end.*`` values, each side's alternative at the
    end, every right held at the end and (with AGI) once AGI took effect."""
    if not any(name == "end.term_end" for name, _ in summary_columns(scenario)):
        return
    row["end.term_end"] = final.term_end
    row["end.investment_total_bn"] = final.investment_total_bn
    if scenario.competitors:
        row["end.outside_compute_bn"] = final.outside_compute_bn
    if scenario.rofr is not None:
        row["end.rofr_matched_bn"] = final.rofr_matched_bn
    if scenario.alternatives:
        alternatives = alternatives_for(scenario)
        assert alternatives is not None
        for alternative in scenario.alternatives:
            row[f"end.alternative_{alternative.key}"] = alternatives.value(
                alternative.key, final, final.t
            )
    rights = scenario.possible_rights()
    for right in rights:
        row[f"end.{right}"] = final.holds(right)
    if scenario.agi is not None:
        for right in rights:
            row[f"after_agi.{right}"] = agi.after.holds(right) if agi else None


def _utility_columns(row: dict[str, Any], scenario: Scenario, talks: _Talks) -> None:
    """``utility_<party>``: the last deal's discounted worth to each party once it took
    force (valued as the world stood when it agreed, with ``valuation = "world"``),
    else the party's reservation value."""
    negotiation = scenario.negotiation
    agreement, agreement_time = talks.agreement, talks.agreement_time
    for key in negotiation.parties:
        spec = scenario.party(key)
        utility = utility_for(spec)
        if talks.took_force and agreement is not None and agreement_time is not None:
            undiscounted = (
                _world_utility(scenario, key, agreement, agreement_time, talks.agi_at_deal)
                if negotiation.valuation == "world"
                else utility.of(agreement.terms)
            )
            value = utility.discounted(undiscounted, agreement_time - negotiation.opens)
        else:
            value = spec.reservation
        row[f"utility_{key}"] = float(value)


def _world_utility(
    scenario: Scenario,
    party: str,
    agreement: OfferAccepted,
    t: float,
    agi: tuple[float | None, float | None],
) -> float:
    """What the agreed bundle was worth to ``party`` when it agreed, as the world then
    stood (``agents.valuation``: the same values its negotiator weighed)."""
    from sim.domain import negotiation_domain
    from sim.engine.party_valuation import world_valuation

    negotiation = scenario.negotiation
    space = negotiation_domain(
        tuple((spec.name, tuple(spec.values)) for spec in negotiation.issues)
    ).space
    index = space.index(agreement.terms.get(name) for name in space.issue_names)
    utilities, _ = world_valuation(scenario, party, space).ranked(t, *agi)
    return float(utilities[index])


__all__ = [
    "ACCESS_AFTER_AGI",
    "negmas_step",
    "restructuring_outcome",
    "summarize",
    "summary_columns",
]
