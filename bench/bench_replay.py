"""Benchmarks of the log: ``replay`` (verify + decode + fold) and ``append`` (encode + chain).

Both read the long engine-made log of :mod:`bench.logs` (>= 100,000 events, mostly
offers and rejections of partnership terms, with outside offers, first-refusal
answers, contract expiry and the AGI milestone).

``replay``: the log is verified, decoded and folded from its bytes (``verify_bytes``
+ ``fold``), in events/s. The baseline, measured in the same run, is the least any
JSONL replay must do: one ``orjson.loads`` per line, folded into a dict. Goal: ratio
>= 0.5. Both are timed by this process's CPU time (best of 5, interleaved).
``verify`` checks every line whole (schema and fields, seal, chain, seq, times), but
builds an event only when it is read (``events.records``): the fold reads those of
the few events that are not offers or answers. ``every_event_built`` is the same
replay with every event built and kept as well (``list(records)``, then the fold),
what a caller reading every event pays, measured in the same run.

``append``: ``MemoryLog.append`` throughput against ``orjson.dumps`` of the same
envelope dicts (the line's JSON without canonical key order, chaining or sealing).
"""

from __future__ import annotations

import time
from typing import Any

import orjson

from bench.harness import Result, benchmark, interleaved_best
from bench.logs import long_log

GOAL = 0.5


def orjson_baseline(data: bytes) -> None:
    """One ``orjson.loads`` per line, each folded into a dict by type."""
    state: dict[str, Any] = {}
    loads = orjson.loads
    for line in data.split(b"\n"):
        if line:
            obj = loads(line)
            state[obj["type"]] = obj["data"]


@benchmark("replay")
def bench_replay() -> Result:
    from events.replay import fold
    from events.verify import verify_bytes

    log = long_log()
    data, n = log.data, log.events

    def replay() -> None:
        fold(verify_bytes(data).records)

    def replay_built() -> None:
        fold(list(verify_bytes(data).records))

    # CPU time of this process, as ``peers`` measures: on the shared 2-core machines
    # the wall clock of the same code swings by 2-4x from one minute to the next.
    best = interleaved_best(
        {"replay": replay, "baseline": lambda: orjson_baseline(data), "built": replay_built},
        repeat=5,
        clock=time.process_time,
    )
    value, base = n / best["replay"], n / best["baseline"]
    built = n / best["built"]
    return Result(
        "replay",
        value,
        "events/s",
        base,
        "orjson.loads per line into a dict",
        {
            "events": n,
            "bytes": len(data),
            "clock": "cpu",
            "goal": GOAL,
            "meets_goal": value / base >= GOAL,
            "every_event_built": {
                "value": round(built, 3),
                "ratio": round(built / base, 3),
            },
        },
    )


@benchmark("append")
def bench_append() -> Result:
    from events.verify import verify_bytes
    from events.writer import MemoryLog

    repeat = 3
    data = long_log().data
    envelopes = [orjson.loads(line) for line in data.split(b"\n") if line]
    n = len(envelopes)
    # Fresh (equal) event objects for every timed run, decoded anew from the log:
    # anything an event caches about itself on first encoding must not make later
    # runs look faster than a real run.
    fresh = [[(r.t, r.event) for r in verify_bytes(data).records] for _ in range(repeat)]

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
