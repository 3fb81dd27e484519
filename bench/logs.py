"""The long log the replay benchmarks read, made by the engine itself.

The log is one ``msft-openai`` run stretched to about eighty years of talks between
two hardliners (an offer and its rejection every 0.018 months; a scenario's horizon
is at most a century, and its event budget is raised for this), with the shipped
scenario's prelude, competitors' outside offers, first-refusal answers, contract
expiry and the AGI milestone along the way. It is simulated rather than built from
event constructors so that it always holds what the current engine and event model
write: the benchmarks follow the model as it changes instead of breaking with it.
Before any timing it is verified and folded; a log that does not replay raises
``BenchDataError`` (one line, exit status 1).
"""

from __future__ import annotations

import functools

import attrs

from bench.harness import BenchDataError

SCENARIO = "msft-openai"
OVERRIDES = (
    "parties.microsoft.strategy=hardliner",
    "parties.openai.strategy=hardliner",
    "parties.microsoft.params={}",
    "parties.openai.params={}",
    # One round of talks for the whole run: each party's own clock (issue 12) would
    # otherwise end it within a year or so, and the reopened rounds with it.
    "parties.microsoft.patience=1200",
    "parties.openai.patience=1200",
    "parties.microsoft.deadline=2105-01-01",
    "parties.openai.deadline=2105-01-01",
    "negotiation.round=0.018",
    "negotiation.deadline=2105-01-01",
    "scenario.horizon=2106-01-01",
    "scenario.max_events=1000000",
)
MIN_EVENTS = 100_000


@attrs.frozen
class BenchLog:
    data: bytes
    events: int


@functools.cache
def long_log(seed: int = 0) -> BenchLog:
    """The benchmark log's bytes (>= ``MIN_EVENTS`` events), checked to replay."""
    from events.errors import NegsimError
    from events.replay import fold
    from events.verify import verify_bytes
    from sim.engine import simulate
    from sim.scenario import ScenarioError, load_scenario

    try:
        scenario = load_scenario(SCENARIO, list(OVERRIDES))
    except ScenarioError as exc:
        raise BenchDataError(f"cannot build the benchmark log: {exc}") from None
    result = simulate(scenario, seed)
    data = result.log.to_bytes()  # type: ignore[attr-defined]
    events = len(result.records)
    if events < MIN_EVENTS:
        raise BenchDataError(
            f"the benchmark log has {events} events, fewer than {MIN_EVENTS}: "
            f"{SCENARIO} with {' '.join(OVERRIDES)} no longer makes a long run"
        )
    try:
        state = fold(verify_bytes(data, name="bench log").records)
    except (NegsimError, ValueError, KeyError, TypeError) as exc:
        raise BenchDataError(f"the benchmark log does not replay: {exc}") from None
    if state.seq != events - 1:
        raise BenchDataError(f"the benchmark log folds to seq {state.seq}, not {events - 1}")
    return BenchLog(data, events)
