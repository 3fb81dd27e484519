"""Benchmark registry and timing helpers."""

from __future__ import annotations

import gc
import time
from collections.abc import Callable
from typing import Any

import attrs

Bench = Callable[[], "Result | list[Result]"]
REGISTRY: dict[str, Bench] = {}


class Skipped(Exception):
    """A benchmark that cannot run here (an optional extra is missing): the message
    says what to install. ``python -m bench`` prints it as one line and goes on."""


class BenchDataError(Exception):
    """The data a benchmark built or read does not replay as it must (a log that does
    not verify, a run that did not end as expected): one line, exit status 1."""


@attrs.frozen
class Result:
    """One benchmark figure and the baseline measured beside it.

    ``ratio`` is value / baseline for rates (higher is better for both).
    """

    bench: str
    value: float
    unit: str
    baseline: float
    baseline_name: str
    extra: dict[str, Any] = attrs.field(factory=dict)

    @property
    def ratio(self) -> float:
        return self.value / self.baseline if self.baseline else float("nan")

    def as_json(self) -> dict[str, Any]:
        return {
            "bench": self.bench,
            "value": round(self.value, 3),
            "unit": self.unit,
            "baseline": round(self.baseline, 3),
            "baseline_name": self.baseline_name,
            "ratio": round(self.ratio, 3),
            **self.extra,
        }


def benchmark(name: str) -> Callable[[Bench], Bench]:
    """Register a benchmark under ``name`` (what ``python -m bench NAME`` selects)."""

    def register(fn: Bench) -> Bench:
        REGISTRY[name] = fn
        return fn

    return register


def best_time(fn: Callable[[], object], repeat: int = 5) -> float:
    """Best wall time of ``repeat`` calls, in seconds (best-of filters noise from neighbours)."""
    times = []
    for _ in range(repeat):
        gc.collect()
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def interleaved_best(
    fns: dict[str, Callable[[], object]],
    repeat: int = 5,
    clock: Callable[[], float] = time.perf_counter,
) -> dict[str, float]:
    """Best time for each function, alternating them so drift hits all alike.

    ``clock`` is the wall clock by default; ``time.process_time`` (this process's CPU
    time, user + system) suits single-process comparisons on a shared machine, where
    time spent descheduled says nothing about the code.
    """
    best = {name: float("inf") for name in fns}
    for _ in range(repeat):
        for name, fn in fns.items():
            gc.collect()
            start = clock()
            fn()
            best[name] = min(best[name], clock() - start)
    return best
