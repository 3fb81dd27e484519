"""The ``negsim_backtest`` fixture and ``assert_observed_inside`` in a user's suite."""

from __future__ import annotations

import pytest

from tests.sim.test_plugin import run

pytest_plugins = ["pytester"]


def test_backtest_fixture_in_a_users_suite(pytester: pytest.Pytester) -> None:
    pytester.makefile(
        ".toml",
        observed="""
[[observed]]
name = "deal"
quantity = "agreement"
value = true

[[observed]]
name = "price"
quantity = "terms_price"
value = 12
values = [10, 14]
""",
        wrong="""
[[observed]]
name = "late deal"
quantity = "agreement_time"
value = 99
""",
    )
    pytester.makepyfile(
        """
        import pytest
        from sim.backtest import assert_observed_inside

        UNCERTAIN = {"dist": "uniform", "low": 0.1, "high": 0.6}

        def test_history_inside(negsim_backtest):
            result = negsim_backtest(
                "bilateral-demo", "observed.toml", 10, parties__seller__reservation=UNCERTAIN
            )
            assert result.n == 10
            assert [r.name for r in result.evaluation.observed] == ["deal", "price"]
            assert_observed_inside(result, central=0.9)

        def test_history_outside(negsim_backtest):
            result = negsim_backtest("bilateral-demo", "wrong.toml", 4)
            with pytest.raises(AssertionError, match="late deal .observed 99; percentile 1.000"):
                assert_observed_inside(result)

        def test_against(negsim_backtest):
            result = negsim_backtest(
                "bilateral-demo", "observed.toml", 4, against="bilateral-demo"
            )
            assert result.against is not None
            assert result.skill() == [None, None]  # both scores are 0: no skill to tell
        """
    )
    outcome = run(pytester, "-q", "--negsim-seeds", "4")
    outcome.assert_outcomes(passed=3)
