"""A ``msft-openai`` run's cost in CPU instructions, which other load cannot move.

Run under callgrind with a fixed hash seed, once with N runs and once with none::

    for n in 0 40; do
      PYTHONHASHSEED=0 valgrind --tool=callgrind --callgrind-out-file=/dev/null \\
        python -m bench.scenario_instructions $n 2>&1 | grep -o "Collected : [0-9]*"
    done

The difference over N is the instructions of one run (seeds 0..N-1, the shipped
scenario: what ``python -m bench scenario`` times on the wall clock).
"""

from __future__ import annotations

import sys

from sim.engine import simulate
from sim.scenario import load_scenario


def main(runs: int) -> None:
    scenario = load_scenario("msft-openai")
    simulate(scenario, 0)  # imports and first-use caches: part of both counts
    for seed in range(runs):
        simulate(scenario, seed)


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 40)
