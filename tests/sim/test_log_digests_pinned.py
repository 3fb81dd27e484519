"""Log bytes stay identical for the same scenario and seed across engine changes.

``tests/data/log_digests.json`` holds digests recorded from ``main`` before the hot
path work of issue 16 (see ``tests/data/log_digests.py`` for how); every run is
simulated again here and must end with the same digest (the SHA-256 of the last line,
which chains every byte of the log) and the same number of events.
"""

from __future__ import annotations

from pathlib import Path

import orjson

from sim.engine import simulate
from sim.scenario import load_scenario
from tests.data.log_digests import cases

PINNED = orjson.loads((Path(__file__).parents[1] / "data" / "log_digests.json").read_bytes())


def test_pinned_cases_are_the_generated_cases() -> None:
    listed = [(p["scenario"], tuple(p["overrides"]), p["seed"]) for p in PINNED]
    assert listed == list(cases())


def test_logs_are_byte_identical_to_the_pinned_digests() -> None:
    loaded = {}
    mismatched = []
    for pinned in PINNED:
        key = (pinned["scenario"], tuple(pinned["overrides"]))
        if key not in loaded:
            loaded[key] = load_scenario(key[0], list(key[1]))
        result = simulate(loaded[key], pinned["seed"])
        if (result.digest, len(result.records)) != (pinned["digest"], pinned["events"]):
            mismatched.append((*key, pinned["seed"]))
    assert not mismatched, f"{len(mismatched)} runs changed bytes, first: {mismatched[:3]}"
