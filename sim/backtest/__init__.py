"""Backtests and calibration: score a scenario against what was observed, fit its
assumptions to it.

    from sim.backtest import backtest, calibrate, load_observations, as_of

- :func:`backtest`: a batch's predictive distribution of each observed quantity, the
  observed value's percentile (PIT), a proper score, and the joint match share.
- :func:`calibrate`: likelihood-free (ABC rejection / ABC-SMC, or Optuna) fitting of a
  scenario's uncertain parameters to the observations.
- :func:`as_of`: a scenario without the prelude entries after a date.

Importing this package runs nothing and imports no optional extra.
"""

from __future__ import annotations

from sim.backtest.as_of import as_of, load_as_of
from sim.backtest.assertions import assert_observed_inside
from sim.backtest.backtest import BacktestResult, backtest, write_table
from sim.backtest.calibrate import CalibrationResult, calibrate
from sim.backtest.observations import Observation, load_observations, observations_from_data
from sim.backtest.quantities import Quantity, parse_quantity, resolve_path
from sim.backtest.report import Evaluation, Joint, ObservationReport, evaluate

__all__ = [
    "BacktestResult",
    "CalibrationResult",
    "Evaluation",
    "Joint",
    "Observation",
    "ObservationReport",
    "Quantity",
    "as_of",
    "assert_observed_inside",
    "backtest",
    "calibrate",
    "evaluate",
    "load_as_of",
    "load_observations",
    "observations_from_data",
    "parse_quantity",
    "resolve_path",
    "write_table",
]
