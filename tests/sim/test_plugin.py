"""The pytest plugin, run inside a throwaway pytest session (``pytester``)."""

from __future__ import annotations

from importlib.metadata import entry_points

import pytest

from sim.pytest_plugin import dotted_overrides, load

pytest_plugins = ["pytester"]


def _plugin_args() -> list[str]:
    """Load the plugin by hand only when its entry point is not installed (an old
    editable install): loading it twice is an error."""
    installed = any(ep.name == "negsim" for ep in entry_points(group="pytest11"))
    return [] if installed else ["-p", "sim.pytest_plugin"]


def run(pytester: pytest.Pytester, *args: str) -> pytest.RunResult:
    return pytester.runpytest_inprocess(*_plugin_args(), "-p", "no:cacheprovider", *args)


def test_the_entry_point_names_the_plugin() -> None:
    found = [ep for ep in entry_points(group="pytest11") if ep.name == "negsim"]
    if not found:
        pytest.skip("negsim is installed without its entry points (reinstall it)")
    assert found[0].value == "sim.pytest_plugin"


def test_overrides_use_double_underscores_for_dots() -> None:
    assert dotted_overrides({"regulators__cma__strictness": 0.8}) == {
        "regulators.cma.strictness": 0.8
    }
    scenario = load("msft-openai", set=["rofr.window=2.0"], regulators__cma__strictness=0.8)
    assert scenario.regulator("cma").strictness == 0.8
    assert scenario.rofr.window == 2.0
    assert load(scenario) is scenario


def test_fixtures_in_a_users_suite(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        def test_run(negsim_run):
            result = negsim_run("msft-openai", seed=3, regulators__cma__strictness=0.8)
            assert result.scenario.regulator("cma").strictness == 0.8
            assert result.log_bytes().count(b"\\n") == len(result.records)
            assert result.final is not None
            if result.summary["agi_time"] is not None:
                assert result.before_agi is not None and result.after_agi is not None
            again = negsim_run("msft-openai", 3, set=["regulators.cma.strictness=0.8"])
            assert again.digest == result.digest

        def test_scenario(negsim_scenario):
            scenario = negsim_scenario("bilateral-demo", negotiation__n_steps=20)
            assert scenario.negotiation.n_steps == 20

        def test_batch(negsim_batch, negsim_seeds):
            table = negsim_batch("bilateral-demo", negotiation__n_steps=30)
            assert negsim_seeds == 3
            assert [row["seed"] for row in table.rows] == ["0:0", "0:1", "0:2"]
            assert len(negsim_batch("bilateral-demo", n=2, seed=9).rows) == 2

        def test_tournament(negsim_tournament):
            played = negsim_tournament("bilateral-demo", ["conceder", "linear"])
            assert len(played.rows) == 4 * 3

        def test_tune(negsim_tune):
            found = negsim_tune(
                "bilateral-demo", party="buyer", strategy="boulware",
                params={"exponent": [1.0, 4.0]},
            )
            assert found.seeds == 3 and len(found.trials) == 2
        """
    )
    result = run(pytester, "--negsim-seeds", "3", "-v")
    result.assert_outcomes(passed=5)
    result.stdout.fnmatch_lines(["negsim: 3 seeds per batch (--negsim-seeds)"])


def test_failing_assertions_read_well(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        from sim.pytest_plugin import assert_agreement_rate, assert_expected_utility

        def test_utility(negsim_batch):
            table = negsim_batch("bilateral-demo")
            assert_expected_utility(table, party="buyer", at_least=0.99)

        def test_rate(negsim_batch):
            table = negsim_batch("bilateral-demo", parties__seller__strategy="hardliner")
            assert_agreement_rate(table, at_least=0.5)

        def test_passes(negsim_batch):
            table = negsim_batch("bilateral-demo")
            estimate = assert_expected_utility(table, party="buyer", at_least=0.1)
            assert estimate.n == 4
        """
    )
    result = run(pytester, "--negsim-seeds", "4")
    result.assert_outcomes(passed=1, failed=2)
    result.stdout.re_match_lines(
        [
            r".*AssertionError: Buyer's expected utility 0\.\d\d\d \+/- 0\.\d\d\d "
            r"is below 0\.99 over 4 seeds",
            r".*AssertionError: agreement rate 0\.000 \[0\.000, 0\.\d\d\d\] is below 0\.5 "
            r"over 4 seeds",
        ],
        consecutive=False,
    )


def test_seeds_from_the_ini_file_and_bad_values(pytester: pytest.Pytester) -> None:
    pytester.makeini("[pytest]\nnegsim_seeds = 7\n")
    pytester.makepyfile("def test_seeds(negsim_seeds):\n    assert negsim_seeds == 7\n")
    run(pytester).assert_outcomes(passed=1)
    pytester.makepyfile("def test_seeds(negsim_seeds):\n    assert negsim_seeds == 2\n")
    run(pytester, "--negsim-seeds", "2").assert_outcomes(passed=1)
    bad = run(pytester, "--negsim-seeds", "0")
    assert bad.ret == pytest.ExitCode.USAGE_ERROR
    bad.stderr.fnmatch_lines(["*--negsim-seeds: expected a positive integer, got 0*"])
