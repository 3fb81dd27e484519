"""Negotiation strategies behind one small protocol (propose / respond)."""

STRATEGY_NAMES = (
    "boulware",
    "linear",
    "conceder",
    "aspiration",
    "tit-for-tat",
    "hardliner",
    "random",
    "rubinstein",
)
