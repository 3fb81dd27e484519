"""``NegotiationClock.tick``: the hot path's table gives exactly ``step`` and
``relative_time``, for step-limited and dated talks, inside and past the limit."""

from __future__ import annotations

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from agents.negotiator import NegotiationClock


@given(
    n_steps=st.integers(1, 300),
    opens=st.floats(0, 1000, allow_nan=False),
    steps=st.lists(st.integers(0, 400), min_size=1, max_size=20),
    half=st.booleans(),
)
def test_step_limited_tick_is_step_and_relative_time(n_steps, opens, steps, half) -> None:
    clock = NegotiationClock(opens, opens + n_steps, 0.5, n_steps, 1.0)
    for k in steps:
        now = opens + k + (0.5 if half else 0.0)
        assert clock.tick(now) == (clock.step(now), clock.relative_time(now))


@given(
    opens=st.floats(0, 100, allow_nan=False),
    span=st.floats(0, 100, allow_nan=False),
    at=st.floats(0, 1.5, allow_nan=False),
)
def test_dated_tick_is_step_and_relative_time(opens, span, at) -> None:
    clock = NegotiationClock(opens, opens + span, 0.5)
    now = opens + at * span
    assert clock.tick(now) == (clock.step(now), clock.relative_time(now))


def test_a_moved_clock_keeps_its_own_table() -> None:
    clock = NegotiationClock(0.0, 10.0, 0.5, 10, 1.0)
    longer = attrs.evolve(clock, n_steps=20, deadline=20.0)
    assert longer.tick(9.0) == (9, 10 / 21)
    assert clock.tick(9.0) == (9, 10 / 11)
    assert clock == NegotiationClock(0.0, 10.0, 0.5, 10, 1.0)  # the table is not compared


def test_before_the_talks_open_tick_fails_as_relative_time_does() -> None:
    clock = NegotiationClock(5.0, 15.0, 0.5, 10, 1.0)
    with pytest.raises(ValueError, match="step must be an integer >= 0"):
        clock.relative_time(3.0)
    with pytest.raises(ValueError, match="step must be an integer >= 0"):
        clock.tick(3.0)
