"""Replay's cost in CPU instructions, which other load on the machine cannot move.

Run under callgrind, once per mode, with a fixed hash seed::

    for mode in setup replay base; do
      PYTHONHASHSEED=0 valgrind --tool=callgrind --callgrind-out-file=/dev/null \\
        python -m bench.replay_instructions $mode 2>&1 | grep -o "Collected : [0-9]*"
    done

``setup`` only simulates the log (an msft-openai run of about 17,000 events between
two hardliners); ``replay`` also verifies and folds it; ``base`` also parses every
line with orjson into a dict (the ``bench replay`` baseline). The replay ratio is
``(base - setup) / (replay - setup)``: comparable across commits and machines, as
wall-clock ratios on a shared machine are not.

Simulating the log takes most of each run under valgrind; ``python -m
bench.replay_instructions write LOG`` writes it once, and ``MODE LOG`` reads it
instead (the same bytes, so the same ratio, in a fraction of the time).
"""

from __future__ import annotations

import sys

import orjson

from events.replay import fold
from events.verify import verify_bytes
from sim.engine import simulate
from sim.scenario import load_scenario

OVERRIDES = (
    "parties.microsoft.strategy=hardliner",
    "parties.openai.strategy=hardliner",
    "parties.microsoft.params={}",
    "parties.openai.params={}",
    # One round of talks for the whole run: each party's own clock (issue 12) would
    # otherwise end it within a year or so, and the reopened rounds with it.
    "parties.microsoft.patience=1200",
    "parties.openai.patience=1200",
    "parties.microsoft.deadline=2060-01-01",
    "parties.openai.deadline=2060-01-01",
    "negotiation.round=0.05",
    "negotiation.deadline=2060-01-01",
    "scenario.horizon=2061-01-01",
)


def main(mode: str, path: str | None = None) -> None:
    if mode not in ("setup", "replay", "base", "write") or (mode == "write" and path is None):
        raise SystemExit(
            "usage: python -m bench.replay_instructions setup|replay|base [LOG] "
            f"or write LOG, not {' '.join(sys.argv[1:])}"
        )
    if path is not None and mode != "write":
        with open(path, "rb") as handle:
            data = handle.read()
    else:
        data = simulate(load_scenario("msft-openai", list(OVERRIDES)), 0).log.to_bytes()
    if mode == "write":
        with open(path, "wb") as handle:
            handle.write(data)
    elif mode == "replay":
        fold(verify_bytes(data).records)
    elif mode == "base":
        state = {}
        for line in data.split(b"\n"):
            if line:
                obj = orjson.loads(line)
                state[obj["type"]] = obj["data"]


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "replay", *sys.argv[2:3])
