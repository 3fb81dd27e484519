"""Strategies as bidding + acceptance + opponent model (the BOA architecture).

One idea per module: ``opponent_model`` (what a model is), ``frequency_model``,
``best_for_opponent`` and ``nearest_offer`` (bidding), ``acceptance`` (AC_next,
AC_const, AC_time, AC_combi), ``composed`` (how the parts combine) and ``named`` (the
combinations a scenario can name).
"""

# The strategy registry imports ``agents.boa.named``: load it first, so that importing
# ``agents.boa`` before ``agents.strategies`` finds no half-made module.
import agents.strategies  # noqa: F401
from agents.boa.acceptance import ACCombi, ACConst, ACNext, ACTime
from agents.boa.best_for_opponent import BestForOpponent
from agents.boa.composed import BOAStrategy, parts_of
from agents.boa.frequency_model import FrequencyEstimate, FrequencyModel
from agents.boa.named import (
    NAMED,
    BOABoulware,
    BOAConceder,
    BOALinear,
    BOATimeBased,
    BOATitForTat,
    Tradeoff,
)
from agents.boa.nearest_offer import NearestToOpponent
from agents.boa.opponent_model import estimate_for, issue_table

__all__ = [
    "NAMED",
    "ACCombi",
    "ACConst",
    "ACNext",
    "ACTime",
    "BOABoulware",
    "BOAConceder",
    "BOALinear",
    "BOAStrategy",
    "BOATimeBased",
    "BOATitForTat",
    "BestForOpponent",
    "FrequencyEstimate",
    "FrequencyModel",
    "NearestToOpponent",
    "Tradeoff",
    "estimate_for",
    "issue_table",
    "parts_of",
]
