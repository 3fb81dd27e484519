"""Hypothesis strategies for terms, events and whole valid event logs.

The one shared place for them: tests in every package import from here. Values stay
inside what the log format can carry (finite floats, 53-bit integers, text without
lone surrogates), so every generated event must round-trip through the codec.

Identifiers (contract ids, regulators, parties) come from small pools so that
generated sequences hit the interesting paths of the fold: a review opened on the
pending contract, a ruling on it, an expiry of the contract in force.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from events._version import SCHEMA_VERSION
from events.clauses import (
    LICENSE_SCOPES,
    REFUSAL_SCOPES,
    WORKLOADS,
    AgiDefinition,
    Amendment,
    Clause,
    ComputeCommitment,
    Equity,
    Exclusivity,
    Expiry,
    FirstRefusal,
    Investment,
    License,
    NonCompete,
    RevenueShare,
)
from events.model import (
    NEGOTIATION_END_REASONS,
    RESTRUCTURING_END_REASONS,
    RESTRUCTURING_OUTCOMES,
    RESTRUCTURING_RULINGS,
    RULING_OUTCOMES,
    TALKS_OPEN_REASONS,
    ConsentGiven,
    ConsentRefused,
    ContractExpired,
    ContractSigned,
    Event,
    FirstRefusalExercised,
    FirstRefusalWaived,
    Forked,
    FundingConditionMissed,
    MilestoneReached,
    NegotiationEnded,
    OfferAccepted,
    OfferMade,
    OfferRejected,
    OutsideDealAccepted,
    OutsideOfferMade,
    OutsideOptionImproved,
    RegulatorAsked,
    RestructuringEnded,
    RestructuringProposed,
    RestructuringReviewed,
    ReviewOpened,
    RulingIssued,
    RunEnded,
    RunStarted,
    TalksOpened,
)
from events.terms import Outcome

PARTIES = ("microsoft", "openai")
REGULATORS = ("uk-cma", "us-ftc", "eu-dg-comp")
COMPETITORS = ("amazon", "google", "oracle")
CONTRACT_IDS = ("c-2019", "c-2023", "c-ext")

# Text the log can hold: any Unicode scalar value (lone surrogates are not UTF-8).
text = st.text(
    st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=12
)
party_keys = st.sampled_from((*PARTIES, "softbank", "oracle"))
names = st.one_of(st.sampled_from(PARTIES + REGULATORS + COMPETITORS), text)
small_ints = st.integers(min_value=-(2**53), max_value=2**53)
seqs = st.integers(min_value=0, max_value=10**6)
fractions = st.floats(min_value=0.0, max_value=1.0, allow_nan=False)
money = st.floats(min_value=0.0, max_value=1e6, allow_nan=False, allow_infinity=False)
finite = st.floats(allow_nan=False, allow_infinity=False)
sim_times = st.floats(min_value=0.0, max_value=1e4, allow_nan=False)
years = st.integers(min_value=2019, max_value=2100)

json_values = st.recursive(
    st.none() | st.booleans() | small_ints | finite | text,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(text, inner, max_size=4),
    max_leaves=12,
)


def expiries() -> st.SearchStrategy[Expiry]:
    trigger = st.one_of(
        years.map(str),
        st.dates(min_value=dt.date(2019, 1, 1), max_value=dt.date(2100, 12, 31)).map(
            dt.date.isoformat
        ),
        st.sampled_from(("agi_declared", "agi_verified")),
    )
    return st.lists(trigger, max_size=3).map(lambda items: Expiry.parse(items or "term"))


def clauses() -> st.SearchStrategy[Clause]:
    """A clause of any kind, with valid parameters and any expiry."""
    expiry = expiries()
    return st.one_of(
        st.builds(
            License,
            party_keys,
            st.lists(st.sampled_from(LICENSE_SCOPES), min_size=1, unique=True),
            expiry=expiry,
        ),
        st.builds(RevenueShare, party_keys, party_keys, fractions, expiry=expiry),
        st.builds(Exclusivity, party_keys, st.sampled_from(WORKLOADS), expiry=expiry),
        st.builds(
            FirstRefusal,
            party_keys,
            st.sampled_from(REFUSAL_SCOPES),
            st.floats(min_value=0.01, max_value=24.0),
            expiry=expiry,
        ),
        st.builds(
            ComputeCommitment, party_keys, party_keys, money, st.floats(0.1, 20.0), expiry=expiry
        ),
        st.builds(Investment, party_keys, money, expiry=expiry),
        st.builds(Equity, party_keys, fractions, st.none() | money, expiry=expiry),
        st.builds(AgiDefinition, party_keys, st.booleans(), st.floats(0.0, 24.0), expiry=expiry),
        st.builds(
            NonCompete, party_keys, st.sampled_from(("agi", "frontier models")), expiry=expiry
        ),
    )


def right_names() -> st.SearchStrategy[str]:
    return st.sampled_from(
        (
            "license.models",
            "license.infrastructure",
            "exclusivity.api",
            "exclusivity.all",
            "first_refusal.compute",
            "revenue_share.openai_to_microsoft",
            "non_compete.openai",
        )
    )


def amendments() -> st.SearchStrategy[Amendment]:
    return st.builds(
        Amendment,
        st.lists(right_names(), max_size=3, unique=True),
        st.lists(clauses(), max_size=3),
        st.none() | years,
    )


def outcomes() -> st.SearchStrategy[Outcome]:
    value = st.booleans() | small_ints | finite | text
    name = st.text(
        st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"),
        min_size=1,
        max_size=12,
    )
    return st.builds(Outcome, st.lists(st.tuples(name, value), max_size=4))


def run_started() -> st.SearchStrategy[RunStarted]:
    start = st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2100, 12, 31))
    return st.builds(
        RunStarted,
        scenario=st.dictionaries(text, json_values, max_size=4),
        seed=st.integers(min_value=0, max_value=2**128).map(str),
        schema=st.integers(min_value=1, max_value=SCHEMA_VERSION),  # a higher one is unreadable
        package_version=st.sampled_from(("0.1.0", "1.2.3.dev4")),
        start_date=start.map(dt.date.isoformat),
        time_unit=st.sampled_from(("month", "step")),
        drawn=st.dictionaries(text, json_values, max_size=3),
    )


def run_ended() -> st.SearchStrategy[RunEnded]:
    return st.builds(
        RunEnded, st.sampled_from(("horizon", "quiescent", "agreement", "no_agreement"))
    )


def _party_pair() -> st.SearchStrategy[tuple[str, str]]:
    return st.permutations(PARTIES).map(lambda pair: (pair[0], pair[1]))


def middle_events() -> st.SearchStrategy[Event]:
    """Any event that may appear between RunStarted and RunEnded."""
    contract_ids = st.sampled_from(CONTRACT_IDS)
    regulators = st.sampled_from(REGULATORS)
    competitors = st.sampled_from(COMPETITORS)
    return st.one_of(
        _party_pair().flatmap(
            lambda p: st.builds(
                OfferMade,
                st.just(p[0]),
                st.just(p[1]),
                outcomes(),
                st.none() | seqs,
                st.integers(min_value=0, max_value=500),
            )
        ),
        _party_pair().flatmap(
            lambda p: st.builds(OfferAccepted, st.just(p[0]), st.just(p[1]), seqs, outcomes())
        ),
        _party_pair().flatmap(
            lambda p: st.builds(OfferRejected, st.just(p[0]), st.just(p[1]), seqs)
        ),
        st.builds(
            TalksOpened,
            st.integers(min_value=1, max_value=50),
            st.just(PARTIES),
            st.sampled_from(TALKS_OPEN_REASONS),
            st.none() | sim_times,
        ),
        st.builds(
            NegotiationEnded,
            st.sampled_from(NEGOTIATION_END_REASONS),
            st.just(PARTIES),
            st.none() | st.sampled_from(PARTIES),
        ),
        st.builds(
            ContractSigned,
            contract_id=contract_ids,
            parties=st.just(PARTIES),
            clauses=st.lists(clauses(), max_size=5),
            review=st.booleans(),
            terms=outcomes(),
            term_end=st.none() | years,
        ),
        st.builds(ReviewOpened, regulators, contract_ids, sim_times, st.booleans()),
        st.builds(
            RulingIssued,
            regulators,
            contract_ids,
            st.sampled_from(RULING_OUTCOMES),
            amendments(),
        ),
        # A ruling on the contract in force: never blocked, never moving its end.
        st.builds(
            RulingIssued,
            regulators,
            contract_ids,
            st.sampled_from([o for o in RULING_OUTCOMES if o != "blocked"]),
            amendments().map(lambda a: Amendment(a.remove, a.add)),
            st.just(True),
        ),
        st.builds(RegulatorAsked, st.sampled_from(PARTIES), regulators, contract_ids),
        st.builds(OutsideOfferMade, competitors, st.just("openai"), text, money, sim_times),
        st.builds(FirstRefusalExercised, st.just("microsoft"), seqs, competitors, money),
        st.builds(FirstRefusalWaived, st.just("microsoft"), seqs, competitors),
        st.builds(OutsideDealAccepted, st.just("openai"), seqs, competitors, money),
        st.builds(
            OutsideOptionImproved,
            st.sampled_from(PARTIES),
            st.sampled_from(("own_models", "other_labs")),
            fractions,
        ),
        st.builds(
            MilestoneReached,
            st.sampled_from(("agi", "agi", "superintelligence")),
            st.sampled_from(("openai", "expert-panel")),
            st.booleans(),
        ),
        st.builds(ContractExpired, contract_ids),
        *restructuring_events(contract_ids),
    )


REVIEWERS = ("delaware_ag", "california_ag")


def restructuring_events(
    contract_ids: st.SearchStrategy[str],
) -> tuple[st.SearchStrategy[Event], ...]:
    """The restructuring actor's events (agents/restructuring.py)."""
    return (
        st.builds(
            RestructuringProposed,
            st.just("openai"),
            st.sampled_from(("public_benefit_corporation", "for_profit")),
            st.just("microsoft"),
            st.lists(st.sampled_from(REVIEWERS), unique=True).map(tuple),
            st.none() | sim_times,
            st.none() | st.just("softbank"),
            money,
            st.none() | sim_times,
        ),
        st.builds(ConsentGiven, st.just("microsoft"), contract_ids),
        st.builds(ConsentRefused, st.just("microsoft")),
        st.builds(
            RestructuringReviewed,
            st.sampled_from(REVIEWERS),
            st.sampled_from(RESTRUCTURING_RULINGS),
        ),
        st.builds(FundingConditionMissed, st.just("softbank"), money),
        st.builds(
            RestructuringEnded,
            st.sampled_from(RESTRUCTURING_OUTCOMES),
            st.sampled_from(RESTRUCTURING_END_REASONS),
        ),
    )


def forked() -> st.SearchStrategy[Forked]:
    """A fork marker: the parent's digest, where it forked, what changed, a fresh seed."""
    values = st.one_of(st.booleans(), st.integers(-(10**6), 10**6), money, text)
    keys = st.sampled_from(("agi.at", "regulators.cma.strictness", "parties.openai.reservation"))
    return st.builds(
        Forked,
        st.text("0123456789abcdef", min_size=64, max_size=64),
        seqs,
        st.dictionaries(keys, values, max_size=3),
        st.none() | st.builds(lambda s, i: f"{s}:{i}", seqs, seqs),
    )


def any_event() -> st.SearchStrategy[Event]:
    """An event of any type in ``EVENT_TYPES``."""
    return st.one_of(run_started(), run_ended(), middle_events(), forked())


def times(n: int) -> st.SearchStrategy[list[float]]:
    """``n`` non-decreasing simulated times starting at 0 (repeats allowed, as in a log)."""
    steps = st.one_of(
        st.sampled_from((0.0, 0.25, 0.5, 1.0, 12.0)),
        st.floats(min_value=0.0, max_value=6.0, allow_nan=False),
    )

    def accumulate(increments: list[float]) -> list[float]:
        out, t = [0.0], 0.0
        for step in increments:
            t += step
            out.append(t)
        return out

    return st.lists(steps, min_size=n - 1, max_size=n - 1).map(accumulate)


@st.composite
def event_sequences(
    draw: st.DrawFn, min_middle: int = 0, max_middle: int = 12
) -> list[tuple[float, Event]]:
    """A whole valid log as ``(t, event)`` pairs: RunStarted, middle events, RunEnded."""
    middle = draw(st.lists(middle_events(), min_size=min_middle, max_size=max_middle))
    events: list[Event] = [draw(run_started()), *middle, draw(run_ended())]
    return list(zip(draw(times(len(events))), events, strict=True))


def unfinished_sequences(max_middle: int = 8) -> st.SearchStrategy[list[tuple[float, Event]]]:
    """A log being written: RunStarted and some events, no RunEnded yet."""
    return event_sequences(max_middle=max_middle).map(lambda pairs: pairs[:-1])


def scenario_dicts() -> st.SearchStrategy[dict[str, Any]]:
    return st.dictionaries(text, json_values, max_size=4)


def cli_settings(max_examples: int) -> settings:
    """Settings for property tests that run the CLI in-process: fewer examples, and
    capsys allowed (each ``run_cli`` reads and resets it, so examples do not mix)."""
    return settings(
        max_examples=max_examples,
        suppress_health_check=[
            HealthCheck.function_scoped_fixture,
            HealthCheck.too_slow,
            HealthCheck.data_too_large,
        ],
    )
