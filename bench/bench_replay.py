"""Benchmarks of the log: ``replay`` (verify + decode + fold) and ``append`` (encode + chain).

``replay``: a realistic log of >= 100,000 events (mostly offers and rejections with
partnership terms, some reviews, rulings, outside offers, a milestone) is verified,
decoded and folded from its bytes (``verify_bytes`` + ``fold``), in events/s. The
baseline, measured in the same run, is the least any JSONL replay must do: one
``orjson.loads`` per line, folded into a dict. Goal: ratio >= 0.5.

``append``: ``MemoryLog.append`` throughput against ``orjson.dumps`` of the same
envelope dicts (the line's JSON without canonical key order, chaining or sealing).
"""

from __future__ import annotations

import random
from typing import Any

import orjson

from bench.harness import Result, benchmark, interleaved_best
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
    ContractSigned,
    Event,
    FirstRefusalExercised,
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
from events.replay import fold
from events.terms import Outcome
from events.verify import verify_bytes
from events.writer import MemoryLog

N_EVENTS = 100_000
GOAL = 0.5
MS, OAI = "microsoft", "openai"
BOTH = (MS, OAI)


ISSUES = ("term_end", "ip_expiry", "ip_scope", "revenue_share", "cloud", "equity", "investment_bn")


def _terms(rng: random.Random) -> Outcome:
    """An offer of the built-in scenario's shape: seven issues."""
    return Outcome(
        (
            ("term_end", rng.randint(2030, 2040)),
            ("ip_expiry", rng.choice(("agi_declared", "2032|agi_verified", "term"))),
            ("ip_scope", rng.choice(("models", "models+infrastructure"))),
            ("revenue_share", round(rng.uniform(0.0, 0.25), 4)),
            ("cloud", rng.choice(("exclusive", "rofr", "open"))),
            ("equity", round(rng.uniform(0.2, 0.49), 4)),
            ("investment_bn", round(rng.uniform(0.0, 20.0), 2)),
        )
    )


def _clauses(terms: Outcome) -> tuple[object, ...]:
    """The clauses such a deal puts in force (as the built-in deal template binds them)."""
    values = terms.as_dict()
    return (
        License(MS, str(values["ip_scope"]), expiry=values["ip_expiry"]),
        RevenueShare(OAI, MS, values["revenue_share"], expiry="agi_declared"),
        RevenueShare(MS, OAI, 0.2),
        Exclusivity(MS, "api"),
        FirstRefusal(MS, "compute", 1.0),
        Equity(MS, values["equity"], 300.0),
        Investment(MS, values["investment_bn"]),
    )


def realistic_events(n: int = N_EVENTS, seed: int = 2025) -> list[tuple[float, Event]]:
    """``n`` events of a long run: the prelude, then rounds of talks with occasional
    signings under review, outside offers, and AGI declared two thirds of the way."""
    rng = random.Random(seed)
    start = RunStarted(
        {"name": "bench", "horizon_months": 600, "issues": list(ISSUES)},
        str(seed),
        1,
        "0.1.0",
        "2019-01-01",
    )
    prelude = _clauses(_terms(rng))
    out: list[tuple[float, Event]] = [
        (0.0, start),
        (6.0, ContractSigned("c-2019", BOTH, prelude, False, term_end=2030)),
        (24.0, ContractSigned("c-2021", BOTH, prelude, False, term_end=2030)),
        (48.0, ContractSigned("c-2023", BOTH, prelude, False, term_end=2030)),
    ]
    t = 78.0
    contract = 0
    agi_at = int(n * 2 / 3)
    while len(out) < n - 1:
        t += 0.01
        roll = rng.random()
        seq = len(out)
        if len(out) >= agi_at and agi_at >= 0:
            out.append((t, MilestoneReached("agi", OAI, rng.random() < 0.5)))
            agi_at = -1
        elif roll < 0.90:  # a round of talks: an offer and its rejection
            sender, receiver = (MS, OAI) if rng.random() < 0.5 else (OAI, MS)
            out.append((t, OfferMade(sender, receiver, _terms(rng), seq - 1, seq % 500)))
            out.append((t, OfferRejected(receiver, sender, seq)))
        elif roll < 0.93:  # agreement, signing, review, ruling
            terms = _terms(rng)
            contract += 1
            cid = f"c-{contract}"
            outcome = rng.choice(("approved", "approved_with_conditions", "blocked"))
            open_cloud = Amendment(remove=("exclusivity.api", "first_refusal.compute"))
            conditions = open_cloud if outcome == "approved_with_conditions" else Amendment()
            out += [
                (t, OfferMade(MS, OAI, terms, seq - 1, seq % 500)),
                (t, OfferAccepted(OAI, MS, seq, terms)),
                (t, NegotiationEnded("agreement", BOTH)),
                (t, ContractSigned(cid, BOTH, _clauses(terms), True, terms, 2035)),
                (t, ReviewOpened("uk-cma", cid, t + 6)),
                (t, RulingIssued("uk-cma", cid, outcome, conditions)),
            ]
        else:  # a competitor's outside offer and Microsoft's answer
            competitor = rng.choice(("amazon", "google", "oracle"))
            value = round(rng.uniform(1, 50), 2)
            out.append((t, OutsideOfferMade(competitor, OAI, "cloud", value, t + 3)))
            if rng.random() < 0.5:
                out.append((t, FirstRefusalExercised(MS, seq, competitor, value)))
            else:
                out.append((t, FirstRefusalWaived(MS, seq, competitor)))
                out.append((t, OutsideDealAccepted(OAI, seq, competitor, value)))
    del out[n - 1 :]
    out.append((t, RunEnded("horizon")))
    return out


def _log_bytes(pairs: list[tuple[float, Event]]) -> bytes:
    log = MemoryLog()
    for t, event in pairs:
        log.append(t, event)
    return log.to_bytes()


@benchmark("replay")
def bench_replay() -> Result:
    pairs = realistic_events()
    data = _log_bytes(pairs)
    n = len(pairs)

    def replay() -> None:
        fold(verify_bytes(data).records)

    def baseline() -> None:
        state: dict[str, Any] = {}
        loads = orjson.loads
        for line in data.split(b"\n"):
            if line:
                obj = loads(line)
                state[obj["type"]] = obj["data"]

    assert fold(verify_bytes(data).records).seq == n - 1
    best = interleaved_best({"replay": replay, "baseline": baseline}, repeat=3)
    value, base = n / best["replay"], n / best["baseline"]
    return Result(
        "replay",
        value,
        "events/s",
        base,
        "orjson.loads per line into a dict",
        {"events": n, "bytes": len(data), "goal": GOAL, "meets_goal": value / base >= GOAL},
    )


@benchmark("append")
def bench_append() -> Result:
    repeat = 3
    pairs = realistic_events()
    n = len(pairs)
    envelopes = [orjson.loads(line) for line in _log_bytes(pairs).split(b"\n") if line]
    # Fresh (equal) event objects for every timed run: anything an event caches about
    # itself on first encoding must not make later runs look faster than a real run.
    fresh = [realistic_events() for _ in range(repeat)]

    def append() -> None:
        log = MemoryLog()
        for t, event in fresh.pop():
            log.append(t, event)

    def baseline() -> None:
        dumps = orjson.dumps
        for envelope in envelopes:
            dumps(envelope)

    best = interleaved_best({"append": append, "baseline": baseline}, repeat=repeat)
    return Result(
        "append",
        n / best["append"],
        "events/s",
        n / best["baseline"],
        "orjson.dumps of the same envelope dicts",
        {"events": n},
    )
