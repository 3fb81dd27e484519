"""``agents.valuation``: a right is worth the share of the term it is expected to hold."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from agents.valuation import AgiBelief, ExpiringClause, WorldValuation
from events.clauses import Expiry

# One issue: a licence's expiry (0: at the declaration, 1: end of 2032 or at the
# verification, 2: with the contract), in a contract that ends at t = 100.
EXPIRIES = tuple(Expiry.parse(v) for v in ("agi_declared", "2032|agi_verified", "term"))


def valuation(party: str, belief: AgiBelief, **kw: object) -> WorldValuation:
    return WorldValuation(
        party=party,
        weights=[1.0],
        tables=[[0.0, 0.5, 1.0]],
        value_indices=np.array([[0], [1], [2]]),
        clauses=[ExpiringClause("licensee", 0, EXPIRIES, ())],
        term_column=None,
        term_months=[],
        fixed_term=100.0,
        trigger_months={"2032": 60.0},
        belief=belief,
        **kw,  # type: ignore[arg-type]
    )


def test_no_belief_in_agi_only_dates_count() -> None:
    v = valuation("licensee", AgiBelief(()))
    # From t = 0: the declared-lapse licence never lapses; the 2032 one holds 60 of 100.
    assert v.utilities(0.0).tolist() == pytest.approx([1.0, 0.6, 1.0])
    assert v.utilities(50.0).tolist() == pytest.approx([1.0, 10 / 50, 1.0])


def test_expected_share_over_the_belief_grid() -> None:
    v = valuation("licensee", AgiBelief((20.0, 40.0)))
    # Declared at 20 or 40 (equally likely): holds 20 or 40 of 100 months.
    assert v.active_share(EXPIRIES[0], 100.0, 0.0) == pytest.approx(0.3)
    # Seen at t = 30: the declaration at 20 did not happen, so it comes at 40.
    assert v.active_share(EXPIRIES[0], 100.0, 30.0) == pytest.approx(10 / 70)


def test_a_lapsed_right_is_worth_nothing_to_its_holder_and_costs_the_other_side_nothing() -> None:
    belief = AgiBelief((20.0, 40.0), verification_delay=5.0, verification_probability=1.0)
    holder = valuation("licensee", belief)
    grantor = valuation("licensor", belief)
    # Declared at 30, verified at 35: at t = 36 both AGI lapses have happened.
    u = holder.utilities(36.0, declared_at=30.0, verified_at=35.0)
    g = grantor.utilities(36.0, declared_at=30.0, verified_at=35.0)
    assert u.tolist() == pytest.approx([0.0, 0.0, 1.0])
    assert g.tolist() == pytest.approx([1.0, 1.0, 0.0])


def test_a_verification_that_did_not_come_in_time_is_not_expected() -> None:
    belief = AgiBelief((20.0,), verification_delay=5.0, verification_probability=0.8)
    v = valuation("licensee", belief)
    # Declared at 20, no verification by 25: at 30 the "2032|agi_verified" licence
    # holds to 2032 (t = 60), 30 of the 70 months left.
    assert v.active_share(EXPIRIES[1], 100.0, 30.0, declared_at=20.0) == pytest.approx(30 / 70)
    # Before the panel's time is up it still weighs the chance of a verification.
    early = v.active_share(EXPIRIES[1], 100.0, 22.0, declared_at=20.0)
    assert early == pytest.approx(0.8 * 3 / 78 + 0.2 * 38 / 78)


@given(
    t=st.floats(0.0, 99.0),
    grid=st.lists(st.floats(0.0, 150.0), min_size=1, max_size=8),
    p=st.floats(0.0, 1.0),
)
def test_utilities_stay_in_unit_interval_and_holder_plus_grantor_is_one(
    t: float, grid: list[float], p: float
) -> None:
    belief = AgiBelief(tuple(sorted(grid)), verification_delay=6.0, verification_probability=p)
    u = valuation("licensee", belief).utilities(t)
    g = valuation("licensor", belief).utilities(t)
    assert np.all((u >= 0) & (u <= 1)) and np.all((g >= 0) & (g <= 1))
    assert (u + g).tolist() == pytest.approx([1.0, 1.0, 1.0])
    # A licence with the contract is worth at least one that may lapse sooner.
    assert u[2] >= u[1] - 1e-12 and u[2] >= u[0] - 1e-12


def test_ranked_is_memoised_per_half_year_and_read_only() -> None:
    v = valuation("licensee", AgiBelief((20.0, 40.0)))
    a = v.ranked(1.0)
    b = v.ranked(5.0)
    assert a[0] is b[0]
    assert not a[0].flags.writeable and not a[1].flags.writeable
    assert v.ranked(7.0)[0] is not a[0]
    assert v.ranked(7.0, declared_at=6.5)[0] is not v.ranked(7.0)[0]
