"""negsim's pytest plugin: run scenarios, batches, tournaments and tuning in your tests.

Installed with negsim (entry point ``pytest11``), so these are available in any suite:

- ``negsim_scenario(scenario="msft-openai", *, set=(), **overrides)``: a validated
  :class:`~sim.scenario.Scenario` (a built-in name, a TOML path or a scenario).
- ``negsim_run(scenario="msft-openai", seed=0, *, set=(), **overrides)``: one seeded
  run, a :class:`~sim.run.result.RunResult`: ``.log_bytes()`` and ``.records`` (the
  log), ``.before_agi``, ``.after_agi``, ``.final`` (folded states), ``.summary``.
- ``negsim_batch(scenario="msft-openai", n=None, *, seed=0, sweep=(), set=(),
  workers=1, **overrides)``: a seeded batch as a ``sim.batch.BatchResult`` table.
- ``negsim_tournament(scenario, strategies, *, repetitions=None, ...)``: a
  :class:`~sim.lab.TournamentResult`.
- ``negsim_tune(scenario, *, party, params, seeds=None, ...)``: a
  :class:`~sim.lab.TuneResult` (see :func:`sim.lab.tune`).
- ``negsim_backtest(scenario="msft-openai", observations=..., n=None, *, seed=0,
  against=None, set=(), workers=1, **overrides)``: a
  :class:`~sim.backtest.BacktestResult` (see :func:`sim.backtest.backtest`); check it
  with ``sim.backtest.assert_observed_inside(result, central=0.9)``.
- ``negsim_seeds``: the number of seeds the fixtures use when a test gives none:
  ``--negsim-seeds N`` on the command line, else the ``negsim_seeds`` ini value, else 50.

Overrides are keyword arguments with ``__`` for the dots of a scenario key
(``regulators__cma__strictness=0.8`` is ``--set regulators.cma.strictness=0.8``) and/or
``set=["K=V", ...]`` strings (needed for keys that are not Python names).

Assertions with readable failure messages (see :mod:`sim.lab.assertions`), importable
from here or from ``sim.lab``: ``assert_expected_utility``, ``assert_agreement_rate``,
``assert_mean``, ``assert_beats``.

This module imports nothing heavy at pytest start-up; the fixtures import the engine
when first used.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from sim.backtest import BacktestResult
    from sim.batch import BatchResult
    from sim.lab import TournamentResult, TuneResult
    from sim.run.result import RunResult
    from sim.scenario import Scenario

DEFAULT_SEEDS = 50
_ASSERTIONS = ("assert_agreement_rate", "assert_beats", "assert_expected_utility", "assert_mean")


def __getattr__(name: str) -> Any:
    # The assertions are re-exported lazily, so loading the plugin stays cheap.
    if name in _ASSERTIONS:
        from sim.lab import assertions

        return getattr(assertions, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("negsim", "negsim simulations")
    group.addoption(
        "--negsim-seeds",
        type=int,
        default=None,
        metavar="N",
        help=f"seeds per negsim batch when a test gives none (default: ini or {DEFAULT_SEEDS})",
    )
    parser.addini(
        "negsim_seeds",
        help=f"seeds per negsim batch when a test gives none (default {DEFAULT_SEEDS})",
        default=str(DEFAULT_SEEDS),
    )


def _configured_seeds(config: pytest.Config) -> int:
    value = config.getoption("negsim_seeds", default=None)
    source = "--negsim-seeds"
    if value is None:
        value, source = config.getini("negsim_seeds"), "ini negsim_seeds"
    try:
        seeds = int(value)
    except (TypeError, ValueError):
        raise pytest.UsageError(f"{source}: expected a positive integer, got {value!r}") from None
    if seeds < 1:
        raise pytest.UsageError(f"{source}: expected a positive integer, got {seeds}")
    return seeds


def pytest_configure(config: pytest.Config) -> None:
    _configured_seeds(config)  # a bad value is a usage error before any test runs


def pytest_report_header(config: pytest.Config) -> str:
    return f"negsim: {_configured_seeds(config)} seeds per batch (--negsim-seeds)"


def dotted_overrides(overrides: Mapping[str, Any]) -> dict[str, Any]:
    """``{"regulators__cma__strictness": 0.8}`` -> ``{"regulators.cma.strictness": 0.8}``."""
    return {key.replace("__", "."): value for key, value in overrides.items()}


def _assignments(set_: Sequence[str] | str) -> tuple[str, ...]:
    return (set_,) if isinstance(set_, str) else tuple(set_)


def load(
    scenario: Scenario | str = "msft-openai",
    *,
    set: Sequence[str] | str = (),  # the name users know from --set
    **overrides: Any,
) -> Scenario:
    """A scenario with ``--set`` strings and ``__``-keyed keyword overrides applied."""
    from sim.scenario import Scenario, load_scenario

    values = dotted_overrides(overrides)
    if isinstance(scenario, Scenario):
        if not values and not set:
            return scenario
        return scenario.with_overrides(values, assignments=_assignments(set))
    return load_scenario(scenario, _assignments(set), set_values=values or None)


@pytest.fixture
def negsim_seeds(request: pytest.FixtureRequest) -> int:
    """Seeds per batch when a test gives none (``--negsim-seeds``, ini, or 50)."""
    return _configured_seeds(request.config)


@pytest.fixture
def negsim_scenario() -> Callable[..., Scenario]:
    """``negsim_scenario(scenario="msft-openai", *, set=(), **overrides) -> Scenario``."""
    return load


@pytest.fixture
def negsim_run() -> Callable[..., RunResult]:
    """``negsim_run(scenario="msft-openai", seed=0, *, set=(), **overrides) -> RunResult``."""

    def run(
        scenario: Scenario | str = "msft-openai",
        seed: int | str = 0,
        *,
        set: Sequence[str] | str = (),
        **overrides: Any,
    ) -> RunResult:
        from sim.engine import simulate

        return simulate(load(scenario, set=set, **overrides), seed)

    return run


@pytest.fixture
def negsim_batch(negsim_seeds: int) -> Callable[..., BatchResult]:
    """``negsim_batch(scenario="msft-openai", n=None, *, seed=0, sweep=(), set=(),
    workers=1, **overrides) -> BatchResult`` (``n`` defaults to ``negsim_seeds``)."""

    def batch(
        scenario: Scenario | str = "msft-openai",
        n: int | None = None,
        *,
        seed: int = 0,
        sweep: Sequence[Any] = (),
        set: Sequence[str] | str = (),
        workers: int | None = 1,
        **overrides: Any,
    ) -> BatchResult:
        from sim.batch.execution import Execution
        from sim.lab.runs import run_table

        loaded = load(scenario, set=set, **overrides)
        return run_table(
            loaded, n or negsim_seeds, seed=seed, sweep=sweep, execution=Execution(workers=workers)
        )

    return batch


@pytest.fixture
def negsim_tournament(negsim_seeds: int) -> Callable[..., TournamentResult]:
    """``negsim_tournament(scenario="msft-openai", strategies=..., *, repetitions=None,
    seed=0, set=(), workers=1, **overrides)`` (repetitions default to ``negsim_seeds``)."""

    def play(
        scenario: Scenario | str = "msft-openai",
        strategies: Sequence[str] | str | None = None,
        *,
        repetitions: int | None = None,
        seed: int = 0,
        set: Sequence[str] | str = (),
        workers: int | None = 1,
        **overrides: Any,
    ) -> TournamentResult:
        from agents.strategies import STRATEGY_NAMES
        from sim.batch.execution import Execution
        from sim.lab import tournament

        return tournament(
            load(scenario, set=set, **overrides),
            strategies if strategies is not None else STRATEGY_NAMES,
            repetitions=repetitions or negsim_seeds,
            seed=seed,
            execution=Execution(workers=workers),
        )

    return play


@pytest.fixture
def negsim_tune(negsim_seeds: int) -> Callable[..., TuneResult]:
    """``negsim_tune(scenario="msft-openai", *, party, params, seeds=None, set=(),
    workers=1, **tune_options)``: :func:`sim.lab.tune` with ``seeds`` defaulting to
    ``negsim_seeds``; scenario overrides go in ``set=[...]``."""

    def run(
        scenario: Scenario | str = "msft-openai",
        *,
        seeds: int | None = None,
        set: Sequence[str] | str = (),
        workers: int | None = 1,
        **options: Any,
    ) -> TuneResult:
        from sim.batch.execution import Execution
        from sim.lab import tune

        return tune(
            load(scenario, set=set),
            seeds=seeds or negsim_seeds,
            execution=Execution(workers=workers),
            **options,
        )

    return run


@pytest.fixture
def negsim_backtest(negsim_seeds: int) -> Callable[..., BacktestResult]:
    """``negsim_backtest(scenario="msft-openai", observations=PATH_OR_LIST, n=None, *,
    seed=0, against=None, set=(), workers=1, **overrides) -> BacktestResult``
    (``n`` defaults to ``negsim_seeds``; ``against`` gets the same overrides)."""

    def run(
        scenario: Scenario | str = "msft-openai",
        observations: Any = None,
        n: int | None = None,
        *,
        seed: int = 0,
        against: Scenario | str | None = None,
        set: Sequence[str] | str = (),
        workers: int | None = 1,
        **overrides: Any,
    ) -> BacktestResult:
        from sim.backtest import backtest

        if observations is None:
            raise TypeError("negsim_backtest() needs observations: a TOML path or a list")
        other = load(against, set=set, **overrides) if against is not None else None
        return backtest(
            load(scenario, set=set, **overrides),
            observations,
            n or negsim_seeds,
            seed=seed,
            workers=workers,
            against=other,
        )

    return run


__all__ = [
    "DEFAULT_SEEDS",
    "assert_agreement_rate",  # noqa: F822 - lazily re-exported by __getattr__
    "assert_beats",  # noqa: F822
    "assert_expected_utility",  # noqa: F822
    "assert_mean",  # noqa: F822
    "dotted_overrides",
    "load",
]
