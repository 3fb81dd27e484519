"""Negotiation strategies behind one small protocol (propose / respond)."""

STRATEGY_NAMES: tuple[str, ...] = (
    "boulware",
    "linear",
    "conceder",
    "aspiration",
    "negmas-aspiration",
    "tit-for-tat",
    "hardliner",
    "random",
    "rubinstein",
    "boa-boulware",
    "boa-linear",
    "boa-conceder",
    "boa-tit-for-tat",
    "tradeoff",
)

# Re-exports (after STRATEGY_NAMES: the registry imports it from here).
from agents.strategies.aspiration import Aspiration, NegmasAspiration  # noqa: E402
from agents.strategies.base import (  # noqa: E402
    UTILITY_EPS,
    NegotiationView,
    Response,
    Strategy,
)
from agents.strategies.hardliner import Hardliner  # noqa: E402
from agents.strategies.random_offers import RandomOffers  # noqa: E402
from agents.strategies.registry import (  # noqa: E402
    STRATEGIES,
    make_strategy,
    parameter_names,
)
from agents.strategies.rubinstein import (  # noqa: E402
    Rubinstein,
    proposer_share,
    responder_share,
)
from agents.strategies.time_based import (  # noqa: E402
    BOULWARE_EXPONENT,
    CONCEDER_EXPONENT,
    LINEAR_EXPONENT,
    Boulware,
    Conceder,
    Linear,
    TimeBasedConcession,
    relative_time,
)
from agents.strategies.tit_for_tat import TitForTat  # noqa: E402

__all__ = [
    "BOULWARE_EXPONENT",
    "CONCEDER_EXPONENT",
    "LINEAR_EXPONENT",
    "STRATEGIES",
    "STRATEGY_NAMES",
    "UTILITY_EPS",
    "Aspiration",
    "Boulware",
    "Conceder",
    "Hardliner",
    "Linear",
    "NegmasAspiration",
    "NegotiationView",
    "RandomOffers",
    "Response",
    "Rubinstein",
    "Strategy",
    "TimeBasedConcession",
    "TitForTat",
    "make_strategy",
    "parameter_names",
    "proposer_share",
    "relative_time",
    "responder_share",
]
