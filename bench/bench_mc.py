"""Monte Carlo batch benchmarks (``sim.batch.run_batch``), msft-openai.

``mc-speedup``: one batch (N runs, about 2-4 s on 1 worker, stored) with 1 worker and
with 2; value = time(1 worker) / time(2 workers). Baseline: the speedup a plain
``concurrent.futures.ProcessPoolExecutor`` reaches on a CPU-bound pure-Python task of
~5 ms, same N, same chunks, measured in the same run. Goal: >= 1.85 on 2 cores.

``mc-store``: the store's share of a stored batch's wall time (time the parent waits
for the store, over the total), in %; goal <= 10%. The commits (inserts and
``synchronous=FULL`` fsyncs) run on a writer thread (``sim.batch.background``) while
the parent waits for the workers, so the parent waits only when that thread falls
behind, and for the last commits and the store's close; ``writer_busy_pct`` is the
writer thread's own time, for comparison (before the writer thread the two were
one). Baseline: the wall-time cost of the store, in %, against the same batch run
without a store (both times are reported). The ratio of two shares means nothing.

``mc-throughput``: runs per second per core with 1 worker (pool, chunking, summary
rows, compression and the store included), against ``simulate()`` called in a plain
loop in this process (so the ratio is what the batch machinery costs).
"""

from __future__ import annotations

import concurrent.futures as cf
import tempfile
import time
from pathlib import Path

from bench.harness import Result, benchmark, interleaved_best

SCENARIO = "msft-openai"


def _spin(loops: int) -> int:
    total = 0
    for i in range(loops):
        total += i * i % 7
    return total


def _spin_chunk(args: tuple[int, int]) -> int:
    runs, loops = args
    return sum(_spin(loops) for _ in range(runs))


def _loops_for(seconds: float) -> int:
    loops = 20_000
    while True:
        start = time.perf_counter()
        _spin(loops)
        elapsed = time.perf_counter() - start
        if elapsed > 0.02:
            return max(1, int(loops * seconds / elapsed))
        loops *= 2


def _chunk_sizes(n: int, workers: int) -> list[int]:
    from sim.batch.plan import guided_chunk_size

    size = guided_chunk_size(workers)
    sizes = []
    left = n
    while left:
        sizes.append(min(left, size(left)))
        left -= sizes[-1]
    return sizes


def _plain_pool(n: int, workers: int, loops: int) -> None:
    with cf.ProcessPoolExecutor(max_workers=workers) as pool:
        list(pool.map(_spin_chunk, [(size, loops) for size in _chunk_sizes(n, workers)]))


class _Stores:
    """A fresh store path for every repetition."""

    def __init__(self) -> None:
        self._dir = tempfile.TemporaryDirectory(prefix="bench-mc-")
        self._count = 0

    def next(self) -> Path:
        self._count += 1
        return Path(self._dir.name) / f"b{self._count}.sqlite"

    def close(self) -> None:
        self._dir.cleanup()


def _per_run_seconds() -> float:
    from sim.engine import simulate
    from sim.scenario import load_scenario

    scenario = load_scenario(SCENARIO)
    start = time.perf_counter()
    for i in range(40):
        simulate(scenario, f"0:{i}")
    return (time.perf_counter() - start) / 40


@benchmark("mc-speedup")
def mc_speedup() -> Result:
    from sim.batch import run_batch
    from sim.batch.execution import Execution

    per_run = _per_run_seconds()
    n = max(200, int(3.0 / per_run))  # ~3 s on one worker
    loops = _loops_for(0.005)
    stores = _Stores()
    try:
        run_batch(
            SCENARIO, 4, execution=Execution(workers=2)
        )  # start the forkserver once, outside the timings
        best = interleaved_best(
            {
                "mc1": lambda: run_batch(
                    SCENARIO, n, execution=Execution(workers=1), store=stores.next()
                ),
                "mc2": lambda: run_batch(
                    SCENARIO, n, execution=Execution(workers=2), store=stores.next()
                ),
                "pool1": lambda: _plain_pool(n, 1, loops),
                "pool2": lambda: _plain_pool(n, 2, loops),
            },
            repeat=3,
        )
    finally:
        stores.close()
    return Result(
        "mc-speedup",
        best["mc1"] / best["mc2"],
        "x (1 -> 2 workers)",
        best["pool1"] / best["pool2"],
        "plain ProcessPoolExecutor, ~5 ms pure-Python task, same N and chunks",
        {
            "n": n,
            "seconds_1_worker": round(best["mc1"], 3),
            "seconds_2_workers": round(best["mc2"], 3),
            "pool_seconds_1_worker": round(best["pool1"], 3),
            "pool_seconds_2_workers": round(best["pool2"], 3),
            "goal": ">= 1.85",
        },
    )


@benchmark("mc-store")
def mc_store() -> Result:
    from sim.batch import run_batch
    from sim.batch.execution import Execution

    n = 600
    stores = _Stores()
    shares: list[float] = []
    busy: list[float] = []
    try:
        run_batch(SCENARIO, 4, execution=Execution(workers=2))

        def stored() -> None:
            result = run_batch(SCENARIO, n, execution=Execution(workers=2), store=stores.next())
            shares.append(result.timing["store_write"] / result.timing["wall"])
            busy.append(result.timing.get("store_busy", 0.0) / result.timing["wall"])

        best = interleaved_best(
            {
                "store": stored,
                "memory": lambda: run_batch(SCENARIO, n, execution=Execution(workers=2)),
            },
            repeat=3,
        )
    finally:
        stores.close()
    share = 100 * min(shares)
    cost = 100 * (best["store"] - best["memory"]) / best["memory"]
    return Result(
        "mc-store",
        share,
        "% of wall time in store writes",
        cost,
        "extra wall time (%) against the same batch without a store",
        {
            "n": n,
            "workers": 2,
            "seconds_with_store": round(best["store"], 3),
            "seconds_without_store": round(best["memory"], 3),
            "store_share_pct_each_run": [round(100 * s, 1) for s in shares],
            "writer_busy_pct_each_run": [round(100 * b, 1) for b in busy],
            "goal": "<= 10%",
        },
    )


@benchmark("mc-throughput")
def mc_throughput() -> Result:
    from sim.batch import run_batch
    from sim.batch.execution import Execution
    from sim.engine import simulate
    from sim.scenario import load_scenario

    n = 300
    scenario = load_scenario(SCENARIO)
    stores = _Stores()
    try:
        run_batch(SCENARIO, 4, execution=Execution(workers=1))
        best = interleaved_best(
            {
                "batch": lambda: run_batch(
                    SCENARIO, n, execution=Execution(workers=1), store=stores.next()
                ),
                "loop": lambda: [simulate(scenario, f"0:{i}") for i in range(n)],
            },
            repeat=3,
        )
    finally:
        stores.close()
    return Result(
        "mc-throughput",
        n / best["batch"],
        "runs/s per core (1 worker, stored)",
        n / best["loop"],
        "simulate() in a plain in-process loop",
        {"n": n, "ms_per_run_batch": round(1e3 * best["batch"] / n, 3)},
    )
