"""Monte Carlo batches: many seeded runs of a scenario, a crash-safe store, a table.

    from sim.batch import run_batch
    result = run_batch("msft-openai", 1000, seed=7, sweep=["agi.at=90,120"], store="b.sqlite")
    result.write("b.parquet"); result.summary()

Run ``i`` has seed ``S:i`` whatever the batch size, worker count or executor; sweep
cells share those seeds (common random numbers): see :mod:`sim.batch.plan`.
"""

from __future__ import annotations

from sim.batch.estimates import OutcomeEstimate
from sim.batch.plan import BatchPlan, SweepAxis, make_plan, parse_sweep, scenario_digest
from sim.batch.results import BatchResult
from sim.batch.runner import default_store_path, run_batch

__all__ = [
    "BatchPlan",
    "BatchResult",
    "OutcomeEstimate",
    "SweepAxis",
    "default_store_path",
    "make_plan",
    "parse_sweep",
    "run_batch",
    "scenario_digest",
]
