"""Peers: negsim against NegMAS 0.16 and eventsourcing, measured in the same run.

Needs the ``peers`` extra (``pip install -e '.[peers]'``); without it the benchmark is
skipped with one line on stderr saying what to install (exit status 0).

``peers-engine``: the same bilateral negotiation on both engines: price 0..9,
quantity 0..4, delivery 0..6, linear additive utilities (the buyer wants a low price,
a large quantity and an early delivery; the seller a high price, a large quantity and
a late delivery; reservation 0.3 each), Boulware (buyer, first) against Conceder
(seller), 100 steps. NegMAS runs an ``SAOMechanism`` with ``BoulwareTBNegotiator``
and ``ConcederTBNegotiator``; negsim runs ``simulate()`` with its log written (every
event encoded, chained and sealed into a ``MemoryLog``). Both reach the same
agreement at the same step, which the result reports. value = negsim's rounds/s,
baseline = NegMAS's, so ``ratio`` = NegMAS's us per round / negsim's. Goal: >= 30.

``peers-replay``: the long log of :mod:`bench.logs`, replayed by negsim (verify +
typed decode + fold of its bytes) and, with the same events (each line's type, time
and data) stored as one aggregate's events in an ``eventsourcing`` SQLite database,
by ``eventsourcing`` (``repository.get``: select, JSON decode, event objects, apply).
value = negsim's events/s, baseline = eventsourcing's, so ``ratio`` = negsim's
events/s / eventsourcing's. Goal: >= 25.

Both comparisons run in this one process, interleaved, best of several, and time it
by its CPU time (``time.process_time``) rather than the wall clock: on a machine
shared with other work the wall clock swings by 2x from one minute to the next and
mostly measures the neighbours.
"""

from __future__ import annotations

import importlib.metadata
import os
import tempfile
import time
import warnings
from typing import Any

import orjson

from bench.harness import BenchDataError, Result, Skipped, benchmark, interleaved_best
from bench.logs import long_log

EXTRA = "pip install -e '.[peers]' (negmas>=0.16,<0.17 and eventsourcing>=9.2)"
N_STEPS = 100
ISSUES = (("price", 10), ("quantity", 5), ("delivery", 7))
# (weight, increasing) per issue: value v of n scores v/(n-1) if increasing, else 1 - v/(n-1).
BUYER = {"price": (0.5, False), "quantity": (0.2, True), "delivery": (0.3, False)}
SELLER = {"price": (0.6, True), "quantity": (0.25, True), "delivery": (0.15, True)}
RESERVATION = 0.3


def _require() -> dict[str, str]:
    missing = []
    versions = {}
    for name in ("negmas", "eventsourcing"):
        try:
            versions[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            missing.append(name)
    if missing:
        raise Skipped(f"{', '.join(missing)} not installed; install the peers extra: {EXTRA}")
    return versions


# --- the engines' negotiation ----------------------------------------------------


def _party_toml(key: str, strategy: str, spec: dict[str, tuple[float, bool]]) -> str:
    weights = ", ".join(f"{issue} = {weight}" for issue, (weight, _) in spec.items())
    values = "\n".join(
        f'{issue} = "{"increasing" if up else "decreasing"}"' for issue, (_, up) in spec.items()
    )
    return (
        f'[parties.{key}]\nname = "{key.title()}"\nstrategy = "{strategy}"\n'
        f"reservation = {RESERVATION}\ndiscount = 1.0\nweights = {{ {weights} }}\n"
        f"[parties.{key}.values]\n{values}\n"
    )


def negsim_scenario() -> Any:
    from sim.scenario import parse_toml, scenario_from_raw

    issues = "".join(
        f'[[negotiation.issues]]\nname = "{name}"\nvalues = {list(range(n))}\n'
        for name, n in ISSUES
    )
    text = (
        '[scenario]\nname = "peers"\ndescription = "bench peers-engine domain"\n'
        'domain = "generic"\nstart = 2025-01-01\ntime_unit = "step"\n'
        f"horizon = {N_STEPS}\n"
        '[negotiation]\nprotocol = "sao"\nparties = ["buyer", "seller"]\n'
        f"n_steps = {N_STEPS}\nreview = false\n"
        + issues
        + _party_toml("buyer", "boulware", BUYER)
        + _party_toml("seller", "conceder", SELLER)
    )
    return scenario_from_raw(parse_toml(text, "bench:peers"), source="bench:peers")


def negsim_negotiation(scenario: Any, seed: int) -> tuple[int, list[Any] | None]:
    """(rounds, agreed [price, quantity, delivery] or None) of one negsim run, read from
    its log's JSON lines (the documented format, not the event classes, so that this
    check survives changes to the event model)."""
    from sim.engine import simulate

    data = simulate(scenario, seed).log.to_bytes()  # type: ignore[attr-defined]
    rounds, agreed = 0, None
    for line in data.splitlines():
        envelope = orjson.loads(line)
        if envelope["type"] == "OfferMade":
            rounds = max(rounds, int(envelope["data"].get("round", -1)) + 1)
        elif envelope["type"] == "OfferAccepted":
            agreed = _issue_values(envelope["data"].get("terms"))
    return rounds, agreed


def _issue_values(terms: Any) -> list[Any] | None:
    """The agreed value of each issue, from an offer's JSON (``{"issues": [[name,
    value], ...]}`` or a plain ``{name: value}``); None if it holds neither."""
    if isinstance(terms, dict) and isinstance(terms.get("issues"), list):
        terms = {pair[0]: pair[1] for pair in terms["issues"] if len(pair) == 2}
    if not isinstance(terms, dict):
        return None
    try:
        return [terms[name] for name, _ in ISSUES]
    except KeyError:
        return None


def simulate_only(scenario: Any, seed: int) -> None:
    from sim.engine import simulate

    simulate(scenario, seed)


def _negmas_ufun(spec: dict[str, tuple[float, bool]], outcome_space: Any) -> Any:
    from negmas.preferences import LinearAdditiveUtilityFunction
    from negmas.preferences.value_fun import AffineFun, LinearFun

    values = {}
    for name, n in ISSUES:
        up = spec[name][1]
        values[name] = LinearFun(1 / (n - 1)) if up else AffineFun(-1 / (n - 1), bias=1.0)
    return LinearAdditiveUtilityFunction(
        values=values,
        weights={name: weight for name, (weight, _) in spec.items()},
        outcome_space=outcome_space,
        reserved_value=RESERVATION,
    )


def negmas_session() -> Any:
    from negmas import BoulwareTBNegotiator, ConcederTBNegotiator, SAOMechanism, make_issue

    issues = [make_issue(name=name, values=n) for name, n in ISSUES]
    session = SAOMechanism(issues=issues, n_steps=N_STEPS)
    session.add(BoulwareTBNegotiator(name="buyer"), ufun=_negmas_ufun(BUYER, session.outcome_space))
    session.add(
        ConcederTBNegotiator(name="seller"), ufun=_negmas_ufun(SELLER, session.outcome_space)
    )
    session.run()
    return session


def _engine(versions: dict[str, str]) -> Result:
    scenario = negsim_scenario()
    rounds, agreed = negsim_negotiation(scenario, 0)
    session = negmas_session()
    negmas_rounds = session.state.step
    negmas_agreed = session.agreement
    if rounds == 0 or negmas_rounds == 0:
        raise BenchDataError(f"no rounds played (negsim {rounds}, NegMAS {negmas_rounds})")
    runs_negsim, runs_negmas = 40, 8
    best = interleaved_best(
        {
            "negsim": lambda: [simulate_only(scenario, seed) for seed in range(runs_negsim)],
            "negmas": lambda: [negmas_session() for _ in range(runs_negmas)],
        },
        repeat=5,
        clock=time.process_time,
    )
    value = rounds * runs_negsim / best["negsim"]
    base = negmas_rounds * runs_negmas / best["negmas"]
    return Result(
        "peers-engine",
        value,
        "rounds/s (negsim, log written)",
        base,
        f"NegMAS {versions['negmas']} SAOMechanism, same domain and strategies",
        {
            "negsim_us_per_round": round(1e6 / value, 2),
            "negmas_us_per_round": round(1e6 / base, 2),
            "negsim_rounds": rounds,
            "negmas_rounds": negmas_rounds,
            "negsim_agreement": agreed,
            "negmas_agreement": list(negmas_agreed) if negmas_agreed else None,
            "same_negotiation": rounds == negmas_rounds
            and agreed == (list(negmas_agreed) if negmas_agreed else None),
            "clock": "process CPU time",
            "goal": ">= 30",
        },
    )


# --- replay ------------------------------------------------------------------------


def _eventsourcing_app(path: str) -> Any:
    from eventsourcing.application import Application

    return Application(env={"PERSISTENCE_MODULE": "eventsourcing.sqlite", "SQLITE_DBNAME": path})


def _aggregate_class() -> Any:
    from eventsourcing.domain import Aggregate

    class LogAggregate(Aggregate):
        """One negsim log as one aggregate: the first line creates it, every line is
        an event; applying one keeps the latest data per type (as the orjson baseline
        of ``replay`` does) and counts."""

        def __init__(self, kind: str, t: float, data: dict[str, Any]) -> None:
            self.state: dict[str, Any] = {kind: data}
            self.count = 1

        class Recorded(Aggregate.Event):
            kind: str
            t: float
            data: dict[str, Any]

            def apply(self, aggregate: Any) -> None:
                aggregate.state[self.kind] = self.data
                aggregate.count += 1

        def record(self, kind: str, t: float, data: dict[str, Any]) -> None:
            self.trigger_event(self.Recorded, kind=kind, t=t, data=data)

    return LogAggregate


def _replay(versions: dict[str, str]) -> Result:
    from events.replay import fold
    from events.verify import verify_bytes

    log = long_log()
    data, n = log.data, log.events
    lines = [orjson.loads(line) for line in data.split(b"\n") if line]
    with tempfile.TemporaryDirectory(prefix="bench-peers-") as tmp:
        path = os.path.join(tmp, "events.sqlite")
        aggregate_class = _aggregate_class()
        first = lines[0]
        aggregate = aggregate_class(first["type"], first["t"], first["data"])
        for line in lines[1:]:
            aggregate.record(line["type"], line["t"], line["data"])
        _eventsourcing_app(path).save(aggregate)
        reader = _eventsourcing_app(path)  # a fresh application: nothing cached
        replayed = reader.repository.get(aggregate.id)
        if replayed.count != n:
            raise BenchDataError(f"eventsourcing replayed {replayed.count} events, not {n}")

        def negsim() -> None:
            fold(verify_bytes(data).records)

        def eventsourcing() -> None:
            reader.repository.get(aggregate.id)

        best = interleaved_best(
            {"negsim": negsim, "eventsourcing": eventsourcing}, repeat=3, clock=time.process_time
        )
    return Result(
        "peers-replay",
        n / best["negsim"],
        "events/s (negsim: verify + typed decode + fold)",
        n / best["eventsourcing"],
        f"eventsourcing {versions['eventsourcing']} SQLite repository.get of the same events",
        {"events": n, "clock": "process CPU time", "goal": ">= 25"},
    )


@benchmark("peers")
def peers() -> list[Result]:
    versions = _require()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # NegMAS warns about optional extras of its own
        return [_engine(versions), _replay(versions)]
