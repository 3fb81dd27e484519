"""``evaluate``: invariants of the per-observation reports and the joint match."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sim.backtest import evaluate, observations_from_data

OBSERVED = observations_from_data(
    {
        "observed": [
            {"name": "t", "quantity": "agreement_time", "value": 5, "tolerance": 1},
            {"name": "d", "quantity": "agreement_date", "value": dt.date(2025, 1, 10)},
            {"name": "c", "quantity": "final_status", "value": "in_force", "values": ["signed"]},
            {"name": "b", "quantity": "agreement", "value": True},
        ]
    }
)

runs = st.lists(
    st.tuples(
        st.one_of(st.none(), st.integers(0, 10)),
        st.one_of(st.none(), st.dates(dt.date(2025, 1, 1), dt.date(2025, 1, 20))),
        st.sampled_from([None, "in_force", "signed", "blocked", "expired"]),
        st.sampled_from([0, 1]),
    ).map(lambda row: [row[0], row[1].isoformat() if row[1] else None, row[2], row[3]]),
    min_size=1,
    max_size=30,
)


@given(runs)
def test_reports_are_consistent(values: list[list[object]]) -> None:
    result = evaluate(OBSERVED, values)
    n = len(values)
    joint = result.joint
    assert joint.n == n
    assert joint.low <= joint.share <= joint.high
    assert joint.matched <= min(report.matched for report in result.observed)
    expected = sum(all(o.matches(row[i]) for i, o in enumerate(OBSERVED)) for row in values)
    assert joint.matched == expected
    for report in result.observed:
        assert report.n == n
        if report.percentile is not None:
            assert 0.0 <= report.percentile <= 1.0
        if report.score is not None:
            assert report.score >= -1e-9
        if report.shares is not None:
            assert sum(report.shares.values()) == pytest.approx(1.0)
        else:
            assert report.defined == sum(
                row[OBSERVED.index(_of(report.name))] is not None for row in values
            )


def _of(name: str) -> object:
    return next(o for o in OBSERVED if o.name == name)


def test_dates_are_scored_in_days_and_quantiles_are_dates() -> None:
    days = [dt.date(2025, 1, d).isoformat() for d in (8, 10, 12)]
    result = evaluate(OBSERVED, [[5, day, "in_force", 1] for day in days])
    dates = result.observed[1]
    assert dates.score_name == "crps_days"
    # CRPS of {-2, 0, +2} days at 0: mean|x| - mean|x - x'| / 2 = 4/3 - (16/9) / 2
    assert dates.score == pytest.approx(4 / 3 - 8 / 9)
    assert dates.quantiles is not None and dates.quantiles["q50"] == "2025-01-10"
    assert dates.percentile == pytest.approx(0.5)


def test_accepted_values_are_one_category() -> None:
    values = [[5, None, status, 1] for status in ("in_force", "signed", "blocked", "blocked")]
    report = evaluate(OBSERVED, values).observed[2]
    assert report.matched == 2
    assert report.shares == {"blocked": 0.5, "in_force": 0.25, "signed": 0.25}
    # merged {in_force, signed} = 0.5 ties with blocked = 0.5: mid-rank 0.5
    assert report.percentile == pytest.approx(0.5)
    assert report.score == pytest.approx(0.25)  # Brier (1 - 0.5)^2
