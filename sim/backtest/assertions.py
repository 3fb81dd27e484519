"""Assertions for a scenario author's own tests, with failure messages that say why."""

from __future__ import annotations

from sim.backtest.backtest import BacktestResult


def assert_observed_inside(result: BacktestResult, central: float = 0.9) -> None:
    """Every observed value lies in the central ``central`` share of the runs'
    distribution: its percentile is in ``[(1 - central) / 2, (1 + central) / 2]``.

    An observation no run had a value for fails too (nothing to be inside of).
    """
    if not 0 < central < 1:
        raise ValueError(f"central: expected a share in (0, 1), got {central!r}")
    low, high = (1 - central) / 2, (1 + central) / 2
    outside = []
    for report in result.evaluation.observed:
        pit = report.percentile
        if pit is None or not low - 1e-12 <= pit <= high + 1e-12:
            shown = "no run has it" if pit is None else f"percentile {pit:.3f}"
            predicted = report.quantiles or report.shares
            outside.append(f"{report.name} (observed {report.observed}; {shown}; {predicted})")
    if outside:
        raise AssertionError(
            f"{result.scenario}: {len(outside)} of {len(result.evaluation.observed)} observed "
            f"values outside the central {central:.0%} of {result.n} runs: " + "; ".join(outside)
        )
