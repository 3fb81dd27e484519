"""negsim world and tools: scenarios, engine, batches, analysis, plots, CLI.

The common entry points are available from here, imported on first use so that
``import sim`` stays cheap and free of side effects::

    import sim
    result = sim.simulate(sim.load_scenario("msft-openai"), seed=3)
    table = sim.run_batch("msft-openai", 200, seed=1)
    best = sim.tune("msft-openai", party="microsoft", params={"exponent": [0.2, 0.5, 1.0]})
    counterfactual = sim.fork("runs/msft-openai-0.jsonl", at=120, set=["agi.at=2027-01-01"])
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    "load_scenario": "sim.scenario",
    "simulate": "sim.engine",
    "run_batch": "sim.batch",
    "tournament": "sim.lab",
    "tune": "sim.lab",
    "fork": "sim.whatif",
    "diff_logs": "sim.whatif",
    "sensitivity": "sim.whatif",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'sim' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)
