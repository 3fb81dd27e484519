"""The strategy lab: tournaments, parameter tuning, and statistics for tests.

from sim.lab import tournament, tune
table = tournament("msft-openai", ["boulware", "conceder", "tit-for-tat"], repetitions=20)
found = tune("msft-openai", party="microsoft", strategy="boulware",
             params=["exponent=0.1:10:log"], method="random", trials=20, seeds=50)
"""

from sim.lab.assertions import (
    assert_agreement_rate,
    assert_beats,
    assert_expected_utility,
    assert_mean,
)
from sim.lab.derived import DERIVED_COLUMNS, add_derived
from sim.lab.runs import run_rows
from sim.lab.tournament import StrategyScore, TournamentResult, tournament
from sim.lab.tune import METHODS, Range, Trial, TuneResult, parse_param, tune
from sim.stats import Estimate, mean_ci, proportion_ci

__all__ = [
    "DERIVED_COLUMNS",
    "METHODS",
    "Estimate",
    "Range",
    "StrategyScore",
    "TournamentResult",
    "Trial",
    "TuneResult",
    "add_derived",
    "assert_agreement_rate",
    "assert_beats",
    "assert_expected_utility",
    "assert_mean",
    "mean_ci",
    "parse_param",
    "proportion_ci",
    "run_rows",
    "tournament",
    "tune",
]
