"""What-if analysis: forks (counterfactual re-runs), diffs of two runs, sensitivity.

    from sim.whatif import fork, diff_logs
    child = fork("runs/msft-openai-0.jsonl", at=412, set=["regulators.cma.strictness=1.0"])
    print(diff_logs("runs/msft-openai-0.jsonl", child.log_bytes()).first_seq)

See docs/what-if.md.
"""

from __future__ import annotations

from sim.whatif.fork import fork, fork_point, fork_record

__all__ = ["fork", "fork_point", "fork_record"]
