"""Outcome analysis: Pareto frontier, Nash and Kalai-Smorodinsky points, welfare.

Pure functions over utility pairs (``sim.analysis.frontier``) and their per-scenario,
cached bundle ``OutcomeAnalysis`` (``sim.analysis.outcomes``)::

    from sim.analysis import OutcomeAnalysis
    analysis = OutcomeAnalysis.of(load_scenario("msft-openai"))
    analysis.nash, analysis.nash_points, analysis.frontier, analysis.distances(index)
"""

from sim.analysis.frontier import (
    TOL,
    agreement_distances,
    individually_rational,
    kalai_smorodinsky_point,
    max_welfare_point,
    nash_point,
    nash_points,
    pareto_frontier,
)
from sim.analysis.outcomes import (
    OutcomeAnalysis,
    disagreement_point,
    expected_value,
    outcome_space,
    outcome_utilities,
)

__all__ = [
    "TOL",
    "OutcomeAnalysis",
    "agreement_distances",
    "disagreement_point",
    "expected_value",
    "individually_rational",
    "kalai_smorodinsky_point",
    "max_welfare_point",
    "nash_point",
    "nash_points",
    "outcome_space",
    "outcome_utilities",
    "pareto_frontier",
]
