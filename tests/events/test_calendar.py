"""Simulated time <-> calendar dates, checked against dates counted by hand."""

from __future__ import annotations

import datetime as dt

import pytest

from events.calendar import date_at, months_between, parse_time

START = dt.date(2019, 1, 1)


@pytest.mark.parametrize(
    ("date", "months"),
    [
        (dt.date(2019, 1, 1), 0.0),
        (dt.date(2019, 7, 1), 6.0),
        (dt.date(2025, 7, 1), 78.0),
        (dt.date(2031, 6, 1), 149.0),
        (dt.date(2018, 12, 1), -1.0),
        (dt.date(2025, 1, 21), 72 + 20 / 31),  # 20 of January's 31 days have passed
        (dt.date(2024, 2, 15), 61 + 14 / 29),  # 2024 is a leap year
    ],
)
def test_months_between(date: dt.date, months: float) -> None:
    assert months_between(START, date) == pytest.approx(months, abs=1e-12)
    assert parse_time(date.isoformat(), START) == pytest.approx(months, abs=1e-12)


@pytest.mark.parametrize(
    ("t", "date"),
    [
        (0.0, dt.date(2019, 1, 1)),
        (78.0, dt.date(2025, 7, 1)),
        (78.5, dt.date(2025, 7, 16)),  # half of July's 31 days, rounded down: day 15.5 -> +15
        (149.0, dt.date(2031, 6, 1)),
        (1.5, dt.date(2019, 2, 15)),  # half of February 2019's 28 days
    ],
)
def test_date_at(t: float, date: dt.date) -> None:
    assert date_at(START, t) == date


def test_months_since_start_are_plain_numbers() -> None:
    assert parse_time("30", START) == 30.0
    assert parse_time(" 78.5 ", START) == 78.5
    with pytest.raises(ValueError, match="ISO date"):
        parse_time("next year", START)


def test_every_date_survives_the_round_trip_through_simulated_time() -> None:
    # Was: 2019-02-03 -> t = 1 + 2/28 -> date_at gave 2019-02-02, because
    # (t - 1) * 28 = 1.9999999999999996 was truncated by int(); half of all days failed.
    wrong = []
    day = START
    while day < dt.date(2036, 1, 1):
        if date_at(START, months_between(START, day)) != day:
            wrong.append(day)
        day += dt.timedelta(days=1)
    assert wrong == []
