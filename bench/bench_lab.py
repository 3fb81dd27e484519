"""Strategy-lab benchmarks.

``tournament``: a round-robin tournament on ``msft-openai`` (4 strategies, 16 ordered
pairings, 5 seeded runs each, one worker), in pairing runs per second, against the
same 80 plain ``simulate()`` calls in a loop (the same cell scenarios and seeds, built
beforehand) measured in the same run. The ratio is what the lab costs on top of the
engine: planning the sweep, summarising each run, the Pareto analysis and the ranking.
"""

from __future__ import annotations

from bench.harness import Result, benchmark, interleaved_best

STRATEGIES = ("boulware", "conceder", "tit-for-tat", "aspiration")
REPETITIONS = 5


@benchmark("tournament")
def tournament_runs() -> Result:
    from sim.engine import simulate
    from sim.lab import tournament
    from sim.scenario import load_scenario

    cells = [
        load_scenario(
            "msft-openai",
            [
                "parties.microsoft.params={}",
                "parties.openai.params={}",
                f"parties.microsoft.strategy={a}",
                f"parties.openai.strategy={b}",
            ],
        )
        for a in STRATEGIES
        for b in STRATEGIES
    ]
    runs = len(cells) * REPETITIONS

    def lab() -> None:
        tournament("msft-openai", STRATEGIES, repetitions=REPETITIONS, seed=0)

    def plain() -> None:
        for scenario in cells:
            for i in range(REPETITIONS):
                simulate(scenario, f"0:{i}")

    best = interleaved_best({"lab": lab, "plain": plain}, repeat=3)
    return Result(
        "tournament",
        runs / best["lab"],
        "pairing runs/s",
        runs / best["plain"],
        "plain simulate() calls in a loop, same scenarios and seeds",
        {
            "pairings": len(cells),
            "runs": runs,
            "overhead_us_per_run": round(1e6 * (best["lab"] - best["plain"]) / runs, 1),
        },
    )
