"""The runs whose log digests ``log_digests.json`` pins, and how that file is made.

The digest of a log is the SHA-256 of its last line, whose ``prev`` chains every
earlier line, so equal digests mean byte-identical logs. The JSON file was first
recorded from ``main`` at commit 7aac96c, before the engine hot-path work of issue
16, which kept every digest. Contracts as clauses (issue 11) changed the log format
on purpose (schema 2); the file was then re-recorded from the clauses branch
*without* the hot-path work, and the merged engine reproduced it byte for byte.
The v/max value ramps (issue 12) re-recorded the bilateral-demo runs, and regulators
with jurisdiction (issue 13, RulingIssued v4) the msft-openai runs; so did the
negotiators that read the world and talk in rounds (issue 12: world valuations,
walk-aways, reopened talks, the new TalksOpened event), and OpenAI's restructuring
(issue 13, the ``[restructuring]`` section and its events) and money with effects
(issue 13: need-driven outside offers, a ROFR budget, outside options, alternatives the
negotiators read). Each time only that scenario's digests moved::

    python -m tests.data.log_digests > tests/data/log_digests.json

Re-record it only for a change that is meant to alter log bytes (and then bump the
event's version and write its upcaster, as DESIGN.md requires).
"""

from __future__ import annotations

import sys
from collections.abc import Iterator

import orjson

from agents.strategies import STRATEGY_NAMES

Case = tuple[str, tuple[str, ...], str]  # scenario, overrides, seed

SEEDS = 25
PAIR_SEEDS = ("0", "1:3")
_PARTIES = {"msft-openai": ("microsoft", "openai"), "bilateral-demo": ("buyer", "seller")}


def cases() -> Iterator[Case]:
    """Every built-in scenario as shipped (plain and batch-style seeds), then every
    ordered pair of strategies at their default parameters."""
    for scenario, (first, second) in _PARTIES.items():
        for i in range(SEEDS):
            yield scenario, (), str(i)
            yield scenario, (), f"7:{i}"
        for a in STRATEGY_NAMES:
            for b in STRATEGY_NAMES:
                overrides = (
                    f"parties.{first}.params={{}}",
                    f"parties.{second}.params={{}}",
                    f"parties.{first}.strategy={a}",
                    f"parties.{second}.strategy={b}",
                )
                for seed in PAIR_SEEDS:
                    yield scenario, overrides, seed


def digests() -> list[dict[str, object]]:
    from sim.engine import simulate
    from sim.scenario import load_scenario

    out: list[dict[str, object]] = []
    loaded: dict[tuple[str, tuple[str, ...]], object] = {}
    for scenario, overrides, seed in cases():
        key = (scenario, overrides)
        if key not in loaded:
            loaded[key] = load_scenario(scenario, list(overrides))
        result = simulate(loaded[key], seed)  # type: ignore[arg-type]
        out.append(
            {
                "scenario": scenario,
                "overrides": list(overrides),
                "seed": seed,
                "events": len(result.records),
                "digest": result.digest,
            }
        )
    return out


def main() -> None:
    sys.stdout.write(orjson.dumps(digests(), option=orjson.OPT_INDENT_2).decode() + "\n")


if __name__ == "__main__":
    main()
