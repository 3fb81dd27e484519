"""Test logs: ``build_log`` and a hand-written partnership history.

``PARTNERSHIP`` follows the seed's history (``seed/FACTS.md``) and then plays out an
extension: talks, a signed deal under review by two regulators, a conditional
approval, an outside deal, AGI declared and later verified, expiry, end. Contracts
are written out clause by clause, by hand (not by the scenario loader).

Times are months since the start date 2019-01-01, worked out by hand: the first of a
month is a whole number; 21 January 2025 is 72 + 20/31 (twenty of January's 31 days
have passed); 15 July 2025 is 78 + 14/31.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

from events.clauses import (
    Amendment,
    Equity,
    Exclusivity,
    FirstRefusal,
    Investment,
    License,
    RevenueShare,
)
from events.model import (
    ContractExpired,
    ContractSigned,
    Event,
    FirstRefusalWaived,
    MilestoneReached,
    NegotiationEnded,
    OfferAccepted,
    OfferMade,
    OfferRejected,
    OutsideDealAccepted,
    OutsideOfferMade,
    ReviewOpened,
    RulingIssued,
    RunEnded,
    RunStarted,
)
from events.terms import Outcome
from events.writer import MemoryLog

MS, OAI = "microsoft", "openai"
BOTH = (MS, OAI)
START_DATE = "2019-01-01"


def build_log(events_with_times: Iterable[tuple[float, Event]]) -> bytes:
    """The exact bytes of a log holding these ``(t, event)`` pairs, in order."""
    log = MemoryLog()
    for t, event in events_with_times:
        log.append(t, event)
    return log.to_bytes()


def reseal(lines: list[bytes]) -> bytes:
    """Re-chain and re-seal edited lines, as a forger would: each line's ``prev`` and
    ``hash`` are recomputed from scratch with hashlib (the format in events/codec.py),
    so only checks other than the hashes can catch the edit."""
    prev = "0" * 64
    out = []
    for line in lines:
        head = line[: line.rindex(b',"prev":"')] + b',"prev":"' + prev.encode() + b'"'
        line = head + b',"hash":"' + hashlib.sha256(head + b"}").hexdigest().encode() + b'"}'
        out.append(line + b"\n")
        prev = hashlib.sha256(line).hexdigest()
    return b"".join(out)


def run_started(start_date: str = START_DATE, **scenario: object) -> RunStarted:
    return RunStarted(
        scenario=dict(scenario) or {"name": "partnership-history", "horizon_months": 192},
        seed="20190101",
        schema=1,
        package_version="0.1.0",
        start_date=start_date,
    )


# --- the clauses of each stage of the partnership ----------------------------------

LICENSE_MODELS = License(MS, ("models",), expiry="agi_declared")
LICENSE_MODELS_INFRA = License(MS, ("models", "infrastructure"), expiry="agi_declared")
SHARE_TO_MS = RevenueShare(OAI, MS, 0.2, expiry="agi_declared")
EXCLUSIVE_ALL = Exclusivity(MS, "all")
STAKE = Equity(MS, 0.49)
CLAUSES_2019 = (LICENSE_MODELS, SHARE_TO_MS, EXCLUSIVE_ALL, STAKE, Investment(MS, 1.0))
CLAUSES_2021 = (LICENSE_MODELS, SHARE_TO_MS, EXCLUSIVE_ALL, STAKE, Investment(MS, 2.0))
CLAUSES_2023 = (LICENSE_MODELS_INFRA, SHARE_TO_MS, EXCLUSIVE_ALL, STAKE, Investment(MS, 10.0))
CLAUSES_2025 = (
    LICENSE_MODELS_INFRA,
    SHARE_TO_MS,
    Exclusivity(MS, "api"),
    FirstRefusal(MS, "compute", 1.0),
    STAKE,
)


def outcome(term_end: int, ip_expiry: str, share: float, cloud: str, equity: float) -> Outcome:
    return Outcome(
        (
            ("term_end", term_end),
            ("ip_expiry", ip_expiry),
            ("revenue_share", share),
            ("cloud", cloud),
            ("equity", equity),
        )
    )


OFFER_MS_1 = outcome(2036, "term", 0.2, "rofr", 0.35)
OFFER_OAI_1 = outcome(2032, "agi_declared", 0.1, "open", 0.27)
OFFER_MS_2 = outcome(2034, "agi_verified", 0.15, "rofr", 0.3)
# The extension OFFER_MS_2 puts in force (what a deal template would bind, by hand):
# licence and revenue share now lapse only once AGI is verified.
CLAUSES_EXTENSION = (
    License(MS, ("models", "infrastructure"), expiry="agi_verified"),
    RevenueShare(OAI, MS, 0.15, expiry="agi_verified"),
    Exclusivity(MS, "api"),
    FirstRefusal(MS, "compute", 1.0),
    Equity(MS, 0.3),
    Investment(MS, 5.0),
)
# The CMA's condition: an open cloud (no API exclusivity, no first refusal on compute).
CONDITIONS = Amendment(remove=("exclusivity.api", "first_refusal.compute"))
# CLAUSES_EXTENSION with the conditions applied, written out by hand:
CLAUSES_EXTENSION_IN_FORCE = (
    License(MS, ("models", "infrastructure"), expiry="agi_verified"),
    RevenueShare(OAI, MS, 0.15, expiry="agi_verified"),
    Equity(MS, 0.3),
    Investment(MS, 5.0),
)

JAN_21_2025 = 72 + 20 / 31
JUL_15_2025 = 78 + 14 / 31

PARTNERSHIP: list[tuple[float, Event]] = [
    (0.0, run_started()),  # seq 0, 2019-01-01
    (6.0, ContractSigned("ms-oai-2019", BOTH, CLAUSES_2019, False, term_end=2030)),  # 1
    (24.0, ContractSigned("ms-oai-2021", BOTH, CLAUSES_2021, False, term_end=2030)),  # 2
    (48.0, ContractSigned("ms-oai-2023", BOTH, CLAUSES_2023, False, term_end=2030)),  # 3
    (JAN_21_2025, ContractSigned("ms-oai-2025", BOTH, CLAUSES_2025, False, term_end=2030)),
    (JUL_15_2025, OfferMade(MS, OAI, OFFER_MS_1, None, 0)),  # 5
    (79.0, OfferRejected(OAI, MS, 5)),  # 6, 2025-08-01
    (79.0, OfferMade(OAI, MS, OFFER_OAI_1, 5, 1)),  # 7
    (80.0, OfferRejected(MS, OAI, 7)),  # 8, 2025-09-01
    (80.0, OfferMade(MS, OAI, OFFER_MS_2, 7, 2)),  # 9
    (81.0, OfferAccepted(OAI, MS, 9, OFFER_MS_2)),  # 10, 2025-10-01
    (81.0, NegotiationEnded("agreement", BOTH)),  # 11
    (
        81.0,
        ContractSigned("ms-oai-ext", BOTH, CLAUSES_EXTENSION, True, OFFER_MS_2, 2034),
    ),  # 12
    (82.0, ReviewOpened("uk-cma", "ms-oai-ext", 90)),  # 13, 2025-11-01
    (83.0, ReviewOpened("us-ftc", "ms-oai-ext", 88)),  # 14, 2025-12-01
    (86.0, OutsideOfferMade("oracle", OAI, "cloud", 30, 89)),  # 15, 2026-03-01
    (87.0, FirstRefusalWaived(MS, 15, "oracle")),  # 16, 2026-04-01
    (87.0, OutsideDealAccepted(OAI, 15, "oracle", 30)),  # 17
    (88.0, RulingIssued("us-ftc", "ms-oai-ext", "approved")),  # 18, 2026-05-01
    (90.0, RulingIssued("uk-cma", "ms-oai-ext", "approved_with_conditions", CONDITIONS)),  # 19
    (96.0, MilestoneReached("agi", OAI, False)),  # 20, 2027-01-01: declared
    (102.0, MilestoneReached("agi", "expert-panel", True)),  # 21, 2027-07-01: verified
    (192.0, ContractExpired("ms-oai-ext")),  # 22, 2035-01-01
    (192.0, RunEnded("horizon")),  # 23
]

SEQ_AGI_DECLARED = 20
SEQ_AGI_VERIFIED = 21


def partnership_log() -> bytes:
    """The partnership history as log bytes (24 events)."""
    return build_log(PARTNERSHIP)
