from __future__ import annotations

import pytest

from agents.strategies import (
    STRATEGY_NAMES,
    Boulware,
    Rubinstein,
    TitForTat,
    make_strategy,
    parameter_names,
)


def test_make_strategy_by_name() -> None:
    assert make_strategy("boulware") == Boulware()
    assert make_strategy("tit-for-tat", delay=2) == TitForTat(delay=2)
    assert make_strategy("rubinstein", own_discount=0.9) == Rubinstein(own_discount=0.9)


def test_unknown_name_lists_valid_names() -> None:
    with pytest.raises(ValueError) as info:
        make_strategy("x")
    assert str(info.value) == "unknown strategy 'x'; valid: " + ", ".join(STRATEGY_NAMES)


def test_unknown_parameter_names_strategy_and_lists_parameters() -> None:
    with pytest.raises(ValueError) as info:
        make_strategy("boulware", speed=3)
    assert str(info.value) == (
        "strategy 'boulware' has no parameter 'speed'; valid: exponent, max_aspiration, tolerance"
    )


def test_invalid_value_names_strategy_and_parameter() -> None:
    with pytest.raises(
        ValueError, match=r"strategy 'aspiration': rate must be .*\(parameters: rate, tolerance\)"
    ):
        make_strategy("aspiration", rate=2)


def test_parameter_names() -> None:
    assert parameter_names("tit-for-tat") == ("delay", "scale")
    assert parameter_names("rubinstein") == ("own_discount", "opponent_discount")
    with pytest.raises(ValueError, match="unknown strategy"):
        parameter_names("nope")
