"""What-if analysis: forks (counterfactual re-runs), diffs of two runs, sensitivity.

    from sim.whatif import diff_logs, fork, sensitivity
    child = fork("runs/msft-openai-0.jsonl", at=412, set=["regulators.cma.strictness=1.0"])
    diff_logs("runs/msft-openai-0.jsonl", child.log_bytes()).first_seq  # 413
    sensitivity("msft-openai", ["agi.at", "parties.openai.reservation"]).ranked("agreement")

See docs/what-if.md. Importing this package imports neither SALib nor matplotlib.
"""

from __future__ import annotations

from sim.whatif.diff import LogDiff, diff_logs
from sim.whatif.fork import fork, fork_point, fork_record
from sim.whatif.sensitivity import SensitivityResult, load_result, sensitivity, tornado_figure

__all__ = [
    "LogDiff",
    "SensitivityResult",
    "diff_logs",
    "fork",
    "fork_point",
    "fork_record",
    "load_result",
    "sensitivity",
    "tornado_figure",
]
