"""Strategies by name: ``STRATEGIES`` and ``make_strategy``.

The registry's keys are exactly ``STRATEGY_NAMES``, in that order.
"""

from __future__ import annotations

from typing import Any

import attrs

from agents.boa.named import NAMED as BOA_NAMED
from agents.strategies import STRATEGY_NAMES
from agents.strategies.aspiration import Aspiration, NegmasAspiration
from agents.strategies.base import Strategy
from agents.strategies.hardliner import Hardliner
from agents.strategies.random_offers import RandomOffers
from agents.strategies.rubinstein import Rubinstein
from agents.strategies.time_based import Boulware, Conceder, Linear
from agents.strategies.tit_for_tat import TitForTat

_CLASSES: tuple[type[Any], ...] = (
    Boulware,
    Linear,
    Conceder,
    Aspiration,
    NegmasAspiration,
    TitForTat,
    Hardliner,
    RandomOffers,
    Rubinstein,
    *BOA_NAMED,
)

STRATEGIES: dict[str, type] = {cls.name: cls for cls in _CLASSES}
if tuple(STRATEGIES) != STRATEGY_NAMES:  # pragma: no cover - a programming error
    raise RuntimeError(f"strategy registry {tuple(STRATEGIES)} != {STRATEGY_NAMES}")


def parameter_names(name: str) -> tuple[str, ...]:
    """The keyword parameters strategy ``name`` takes."""
    return tuple(field.name for field in attrs.fields(_lookup(name)))


def _lookup(name: str) -> type:
    try:
        return STRATEGIES[name]
    except (KeyError, TypeError):
        raise ValueError(f"unknown strategy {name!r}; valid: {', '.join(STRATEGIES)}") from None


def make_strategy(name: str, **params: Any) -> Strategy:
    """A new strategy ``name`` with the given parameters (others at their defaults).

    Raises ValueError for an unknown name, an unknown parameter or an invalid value;
    the message names the strategy and the parameter and lists the valid parameters.
    """
    cls = _lookup(name)
    valid = parameter_names(name)
    listing = ", ".join(valid) if valid else "(none)"
    for key in params:
        if key not in valid:
            raise ValueError(f"strategy {name!r} has no parameter {key!r}; valid: {listing}")
    try:
        return cls(**params)  # type: ignore[no-any-return]
    except ValueError as exc:
        raise ValueError(f"strategy {name!r}: {exc} (parameters: {listing})") from None
