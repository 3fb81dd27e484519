"""Tuning a strategy's parameters for one party, over a fixed set of seeds.

Every trial (one choice of parameters) runs the same seeds ``S:0 .. S:N-1`` against
every given opponent strategy (common random numbers: trials differ by their
parameters, not by their luck); its objective is the mean of a summary column over
those runs (``None`` values, e.g. ``agreement_time`` without a deal, left out), with a
95% Student-t interval. Deterministic for a given seed, whatever the worker count.

Search methods:

- ``grid``: every combination of the listed values; a range contributes
  ``max(2, floor(trials ** (1 / ranges)))`` evenly spaced values (log-spaced for
  ``log`` ranges, distinct integers for integer parameters).
- ``random``: ``trials`` draws, each parameter independently: a listed value uniformly,
  a range uniformly (log-uniformly for ``log``; integers for integer parameters),
  from the seed's own stream (``sim.seeding.stream(seed, "tune:random")``).
- ``optuna``: Optuna's TPE sampler seeded with ``seed``, ``trials`` sequential trials
  (``pip install negsim[optuna]``).

The baseline, the same strategy at its default parameters on the same seeds, is
evaluated too, so a result says how much tuning gained.
"""

from __future__ import annotations

import contextlib
import itertools
import math
from collections.abc import Mapping, Sequence
from typing import Any, Final

import attrs
import numpy as np

from agents.strategies import STRATEGIES, make_strategy, parameter_names
from events.convert import check_int
from events.errors import InputError
from sim.batch.execution import Execution, run_tasks
from sim.lab.derived import add_derived
from sim.lab.inputs import check_objective, check_party, check_strategy, strategy_list
from sim.lab.runs import load, run_rows
from sim.scenario import Scenario, parse_value
from sim.seeding import RunSeed, stream
from sim.stats import Estimate, mean_ci

METHODS: Final = ("grid", "random", "optuna")
DIRECTIONS: Final = ("maximize", "minimize")


@attrs.frozen(slots=True)
class Range:
    """A continuous (or integer) interval ``[low, high]`` to search, optionally on a log
    scale (then ``low`` must be > 0)."""

    low: float
    high: float
    log: bool = False
    integer: bool = False

    def __attrs_post_init__(self) -> None:
        if not (math.isfinite(self.low) and math.isfinite(self.high)) or self.low > self.high:
            raise ValueError(f"a range needs finite low <= high, got {self.low}:{self.high}")
        if self.log and self.low <= 0:
            raise ValueError(f"a log range needs low > 0, got {self.low}:{self.high}")

    def grid(self, k: int) -> list[float | int]:
        if self.integer:
            lo, hi = math.ceil(self.low), math.floor(self.high)
            points = np.geomspace(max(lo, 1), hi, k) if self.log else np.linspace(lo, hi, k)
            return sorted({round(float(x)) for x in points})
        if self.low == self.high:
            return [float(self.low)]
        points = (
            np.geomspace(self.low, self.high, k)
            if self.log
            else np.linspace(self.low, self.high, k)
        )
        return [float(x) for x in points]

    def draw(self, rng: np.random.Generator) -> float | int:
        u = float(rng.random())
        if self.integer:
            lo, hi = math.ceil(self.low), math.floor(self.high)
            return int(min(hi, lo + math.floor(u * (hi - lo + 1))))
        if self.log:
            return float(
                math.exp(math.log(self.low) + u * (math.log(self.high) - math.log(self.low)))
            )
        return float(self.low + u * (self.high - self.low))


ParamSpace = Mapping[str, "Range | Sequence[Any]"]


def parse_param(text: str) -> tuple[str, Range | tuple[Any, ...]]:
    """``NAME=LOW:HIGH[:log]`` (a range) or ``NAME=V1,V2,...`` (a list) -> (name, space).

    A range's integer-ness is decided later, from the strategy parameter's type.
    """
    name, sep, rest = text.partition("=")
    name, rest = name.strip(), rest.strip()
    if not sep or not name or not rest:
        raise InputError(
            f"params {text}: expected NAME=LOW:HIGH[:log] (a range) or NAME=V1,V2,... (values)"
        )
    if ":" in rest:
        parts = [p.strip() for p in rest.split(":")]
        log = len(parts) == 3 and parts[2] == "log"
        if len(parts) not in (2, 3) or (len(parts) == 3 and not log):
            raise InputError(f"params {text}: expected NAME=LOW:HIGH or NAME=LOW:HIGH:log")
        try:
            low, high = float(parts[0]), float(parts[1])
            return name, Range(low, high, log=log)
        except ValueError as exc:
            raise InputError(f"params {text}: {exc}") from None
    values = tuple(parse_value(part.strip()) for part in rest.split(",") if part.strip())
    if not values:
        raise InputError(f"params {text}: expected at least one value")
    return name, values


@attrs.frozen(slots=True)
class Trial:
    """One evaluated parameter choice: its number (0, 1, ...; -1 for the baseline),
    its parameters, the objective over its runs, and those runs' rows."""

    number: int
    params: dict[str, Any]
    objective: Estimate
    rows: tuple[dict[str, Any], ...] = attrs.field(repr=False)

    def as_dict(self) -> dict[str, Any]:
        return {"number": self.number, "params": self.params, "objective": self.objective.as_dict()}


@attrs.frozen(slots=True, eq=False)
class TuneResult:
    """What a tuning found: ``best`` (the trial with the best mean objective; the
    earliest wins ties), every trial in order, and the default-parameter ``baseline``."""

    scenario: str
    party: str
    strategy: str
    objective: str
    direction: str
    method: str
    seed: int
    seeds: int
    opponents: tuple[str, ...]
    trials: tuple[Trial, ...]
    best: Trial
    baseline: Trial
    overrides: tuple[str, ...] = ()  # every --set behind a trial's runs, before its params
    opponent_party: str = ""

    def rerun_set(self, trial: Trial | None = None, opponent: str | None = None) -> list[str]:
        """The ``--set`` assignments that make ``negsim run SCENARIO --seed S:i``
        reproduce run ``i`` of ``trial`` (default: the best) against ``opponent``
        (default: the first given, if any) byte for byte."""
        trial = trial if trial is not None else self.best
        out = list(self.overrides)
        out += [f"parties.{self.party}.params.{k}={_text(v)}" for k, v in trial.params.items()]
        if self.opponents:
            rival = opponent if opponent is not None else self.opponents[0]
            out.append(f"parties.{self.opponent_party}.strategy={rival}")
        return out

    @property
    def best_params(self) -> dict[str, Any]:
        return dict(self.best.params)

    @property
    def runs(self) -> tuple[dict[str, Any], ...]:
        """The rows of the runs behind the best trial."""
        return self.best.rows

    @property
    def gain(self) -> Estimate:
        """How much the best trial improves on the baseline: the mean of the per-run
        differences (paired by seed and opponent: both ran the same runs), with its 95%
        interval; positive is better in either direction. Note the best trial was picked
        by these same runs, so the gain is optimistic (the winner's curse): confirm it on
        fresh seeds (another ``seed``) before relying on it."""
        sign = 1.0 if self.direction == "maximize" else -1.0
        column = self.objective
        return mean_ci(
            sign * (b[column] - a[column])
            for b, a in zip(self.best.rows, self.baseline.rows, strict=True)
            if b[column] is not None and a[column] is not None
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "scenario": self.scenario,
            "party": self.party,
            "strategy": self.strategy,
            "objective": self.objective,
            "direction": self.direction,
            "method": self.method,
            "seed": self.seed,
            "seeds": self.seeds,
            "opponents": list(self.opponents),
            "best": self.best.as_dict(),
            "baseline": self.baseline.as_dict(),
            "gain": self.gain.as_dict(),
            "trials": [trial.as_dict() for trial in self.trials],
        }

    def table(self, limit: int = 10) -> Any:
        """The best ``limit`` trials as a ``rich.table.Table`` (baseline last)."""
        from rich import box
        from rich.table import Table

        ordered = sorted(self.trials, key=_order_key(self.direction))[:limit]
        table = Table(
            title=(
                f"{self.scenario}: tuning {self.party}'s {self.strategy} for "
                f"{'max' if self.direction == 'maximize' else 'min'} {self.objective} "
                f"({self.method}, {len(self.trials)} trials x {self.seeds} seeds"
                + (f" vs {', '.join(self.opponents)}" if self.opponents else "")
                + f", seed {self.seed})"
            ),
            caption="mean ± 95% CI over the same seeds for every trial",
            box=box.SIMPLE_HEAD,
        )
        table.add_column("trial", justify="right")
        table.add_column("parameters")
        table.add_column(self.objective, justify="right")
        for trial in [*ordered, self.baseline]:
            label = "default" if trial.number < 0 else str(trial.number)
            params = ", ".join(f"{k}={_show(v)}" for k, v in trial.params.items()) or "(defaults)"
            table.add_row(label, params, trial.objective.format(4, " ± "))
        return table


def _show(value: Any) -> str:
    return f"{value:.4g}" if isinstance(value, float) else str(value)


def _order_key(direction: str) -> Any:
    sign = -1.0 if direction == "maximize" else 1.0

    def key(trial: Trial) -> tuple[float, int]:
        mean = trial.objective.mean
        return (math.inf if math.isnan(mean) else sign * mean, trial.number)

    return key


def tune(
    scenario: Scenario | str = "msft-openai",
    *,
    party: str,
    params: ParamSpace | Sequence[str],
    strategy: str | None = None,
    objective: str | None = None,
    direction: str = "maximize",
    method: str = "grid",
    trials: int = 20,
    seeds: int = 50,
    seed: int = 0,
    opponents: Sequence[str] | str | None = None,
    overrides: Sequence[str] = (),
    execution: Execution | None = None,
) -> TuneResult:
    """Search ``strategy``'s ``params`` for ``party`` to optimise ``objective``.

    ``params`` maps parameter names to a :class:`Range` or a list of values, or is a
    list of ``--param`` strings (``"exponent=0.1:10:log"``, ``"delay=1,2,3"``).
    ``strategy`` defaults to the party's strategy in the scenario; ``objective`` to
    ``utility_<party>``; ``opponents`` (strategy names for the other party, at their
    defaults) to the scenario's own opponent. ``overrides`` are ``"KEY=VALUE"``
    strings applied first. ``execution`` (default: one worker, this process) runs grid
    and random trials side by side, one trial a task, and an Optuna trial's runs as a
    batch (Optuna's trials are sequential); the result is the same for any execution.
    """
    base = load(scenario, overrides)
    party, other = check_party(base, party)
    name = check_strategy(
        strategy if strategy is not None else base.party(party).strategy, "strategy: "
    )
    space = _check_space(name, params)
    column = check_objective(base, objective if objective is not None else f"utility_{party}")
    if direction not in DIRECTIONS:
        raise InputError(f"direction: expected one of {', '.join(DIRECTIONS)}, got {direction!r}")
    if method not in METHODS:
        raise InputError(f"method: expected one of {', '.join(METHODS)}, got {method!r}")
    check_int(trials, "trials", 1)
    check_int(seeds, "seeds", 1)
    check_int(seed, "seed", 0)
    rivals = strategy_list(opponents, "opponents: ") if opponents else ()
    study = _Study.seated(
        base,
        party=party,
        other=other,
        strategy=name,
        rivals=rivals,
        space=space,
        column=column,
        seeds=seeds,
        seed=seed,
        execution=execution or Execution(workers=1),
    )
    done, baseline = _search(study, method, trials, direction)
    return TuneResult(
        scenario=study.prepared.name,
        party=party,
        strategy=name,
        objective=column,
        direction=direction,
        method=method,
        seed=seed,
        seeds=seeds,
        opponents=rivals,
        overrides=(*overrides, *study.seat),
        opponent_party=other,
        trials=tuple(done),
        best=min(done, key=_order_key(direction)),
        baseline=baseline,
    )


_Sweep = tuple[tuple[str, tuple[str, ...]], ...]
_Task = tuple[Scenario, int, int, tuple[str, ...], _Sweep]


@attrs.frozen
class _Study:
    """What every trial of one tuning shares, checked: the scenario with the tuned
    party's seat taken by the strategy at its defaults (and the rivals' parameters
    cleared, so each rival plays at its own defaults), the seeds, the objective column,
    and how runs are executed. Trials differ only by their parameter choice."""

    prepared: Scenario
    party: str
    seat: tuple[str, ...]  # the --set assignments that prepared the scenario
    sweep: _Sweep  # the opponents, as a sweep of the other party's strategy
    space: dict[str, Range | tuple[Any, ...]]
    column: str
    seeds: int
    seed: int
    execution: Execution

    @classmethod
    def seated(
        cls,
        base: Scenario,
        *,
        party: str,
        other: str,
        strategy: str,
        rivals: tuple[str, ...],
        space: dict[str, Range | tuple[Any, ...]],
        column: str,
        seeds: int,
        seed: int,
        execution: Execution,
    ) -> _Study:
        """The study of ``strategy`` in ``party``'s seat of ``base``, against ``rivals``
        (the other party's strategies; none: the scenario's own opponent)."""
        seat = [f"parties.{party}.strategy={strategy}", f"parties.{party}.params={{}}"]
        if rivals:
            seat.append(f"parties.{other}.params={{}}")
        sweep: _Sweep = ((f"parties.{other}.strategy", rivals),) if rivals else ()
        prepared = load(base, seat)
        return cls(prepared, party, tuple(seat), sweep, space, column, seeds, seed, execution)

    def task(self, choice: Mapping[str, Any]) -> _Task:
        """A trial's runs as a task: the prepared scenario with ``choice`` set on top."""
        assignments = tuple(
            f"parties.{self.party}.params.{k}={_text(v)}" for k, v in choice.items()
        )
        return (self.prepared, self.seeds, self.seed, assignments, self.sweep)

    def trial(self, number: int, choice: dict[str, Any], rows: list[dict[str, Any]]) -> Trial:
        """A trial from its runs' rows (derived columns added): the objective's mean."""
        add_derived(rows, self.prepared)
        return Trial(number, dict(choice), mean_ci(row[self.column] for row in rows), tuple(rows))

    def evaluate_all(self, choices: list[dict[str, Any]]) -> list[Trial]:
        """Every choice's trial, numbered in order; the trials run side by side."""
        tasks = [(i, self.task(c)) for i, c in enumerate(choices)]
        results = _trials_side_by_side(tasks, self.execution)
        return [
            self.trial(i, c, rows) for i, (c, rows) in enumerate(zip(choices, results, strict=True))
        ]

    def evaluate(self, number: int, choice: dict[str, Any]) -> Trial:
        """One choice's trial, its runs a batch of their own (for sequential searches)."""
        return self.trial(number, choice, _trial_rows(self.task(choice), self.execution))


def _search(study: _Study, method: str, trials: int, direction: str) -> tuple[list[Trial], Trial]:
    """(the trials in order, the baseline): the method's choices, then the strategy at
    its defaults (``{}``) on the same runs, numbered -1."""
    if method == "grid":
        *done, baseline = study.evaluate_all([*_grid(study.space, trials), {}])
    elif method == "random":
        rng = stream(RunSeed(study.seed), "tune:random")
        *done, baseline = study.evaluate_all(
            [*(_draw(study.space, rng) for _ in range(trials)), {}]
        )
    else:
        done = _optuna(study.space, trials, study.seed, direction, study.evaluate)
        baseline = study.evaluate(-1, {})
    return done, attrs.evolve(baseline, number=-1)


def _trial_rows(task: _Task, execution: Execution) -> list[dict[str, Any]]:
    """One trial's runs, as a batch run by ``execution``."""
    prepared, seeds, seed, assignments, sweep = task
    return run_rows(
        prepared, seeds, seed=seed, overrides=assignments, sweep=sweep, execution=execution
    )


def _one_trial(task: tuple[int, _Task]) -> list[tuple[int, list[dict[str, Any]]]]:
    """A task of :func:`_trials_side_by_side`: one trial's runs, here (a module-level
    function, so worker processes can run it)."""
    number, trial = task
    return [(number, _trial_rows(trial, Execution(workers=1)))]


def _trials_side_by_side(
    tasks: list[tuple[int, _Task]], execution: Execution
) -> list[list[dict[str, Any]]]:
    """Every trial's rows, in task order; one trial a task of the batch loop
    (``sim.batch.execution.run_tasks``), so the worker count changes nothing."""
    found: dict[int, list[dict[str, Any]]] = {}
    stream = run_tasks(
        tasks, _one_trial, execution, n_tasks=len(tasks), total=len(tasks), description="trials"
    )
    with contextlib.closing(stream):
        for finished in stream:
            found.update(finished)
    return [found[number] for number, _ in tasks]


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, np.generic):
        return _text(value.item())
    return str(value)


def _check_space(
    strategy: str, params: ParamSpace | Sequence[str]
) -> dict[str, Range | tuple[Any, ...]]:
    """The searched space, each parameter checked against the strategy: a name it
    takes, a range whose both ends it accepts (integer for an ``int`` parameter), or
    values it accepts each. Errors name ``params <name>``."""
    params = _parsed_space(params)
    if not params:
        raise InputError(
            f"params: nothing to tune; strategy {strategy!r} takes: "
            + (", ".join(parameter_names(strategy)) or "(none)")
        )
    kinds = {field.name: field.type for field in attrs.fields(STRATEGIES[strategy])}
    space: dict[str, Range | tuple[Any, ...]] = {}
    for key, value in params.items():
        if key not in kinds:
            _try(strategy, key, None)  # the registry's "has no parameter ...; valid: ..."
        space[key] = _checked_axis(strategy, key, value, integer=kinds.get(key) == "int")
    return space


def _parsed_space(params: ParamSpace | Sequence[str]) -> ParamSpace:
    """A mapping as given; ``--param`` strings (one or several) parsed, each name once."""
    if isinstance(params, str):
        params = [params]
    if isinstance(params, Mapping):
        return params
    parsed: dict[str, Range | tuple[Any, ...]] = {}
    for text in params:
        name, searched = parse_param(text)
        if name in parsed:
            raise InputError(f"params {name}: given twice")
        parsed[name] = searched
    return parsed


def _checked_axis(
    strategy: str, key: str, value: Range | Sequence[Any], *, integer: bool
) -> Range | tuple[Any, ...]:
    """One parameter's searched values, each one (or a range's two ends) tried on the
    strategy, so a bad value fails before any run."""
    if isinstance(value, Range):
        if integer and not value.integer:
            value = attrs.evolve(value, integer=True)
        for end in (value.low, value.high):
            _try(strategy, key, int(end) if value.integer else end)
        return value
    values = tuple(value) if not isinstance(value, str | bytes) else (value,)
    if not values:
        raise InputError(f"params {key}: expected a range or at least one value")
    for item in values:
        _try(strategy, key, item)
    return values


def _try(strategy: str, key: str, value: Any) -> None:
    try:
        make_strategy(strategy, **{key: value})
    except ValueError as exc:
        raise InputError(f"params {key}: {exc}") from None


def _grid(space: Mapping[str, Range | tuple[Any, ...]], trials: int) -> list[dict[str, Any]]:
    ranges = sum(1 for v in space.values() if isinstance(v, Range))
    k = max(2, math.floor(trials ** (1 / ranges) + 1e-9)) if ranges else 0
    axes = [(key, v.grid(k) if isinstance(v, Range) else list(v)) for key, v in space.items()]
    keys = [key for key, _ in axes]
    return [
        dict(zip(keys, combo, strict=True)) for combo in itertools.product(*(v for _, v in axes))
    ]


def _draw(space: Mapping[str, Range | tuple[Any, ...]], rng: np.random.Generator) -> dict[str, Any]:
    choice: dict[str, Any] = {}
    for key, value in space.items():
        if isinstance(value, Range):
            choice[key] = value.draw(rng)
        else:
            choice[key] = value[min(len(value) - 1, int(rng.random() * len(value)))]
    return choice


def _optuna(
    space: Mapping[str, Range | tuple[Any, ...]],
    trials: int,
    seed: int,
    direction: str,
    evaluate: Any,
) -> list[Trial]:
    try:
        import optuna
    except ImportError:
        raise InputError(
            "method optuna needs Optuna, which is not installed; "
            "pip install '.[optuna]' in a clone of negsim (or 'negsim[optuna]')"
        ) from None
    verbosity = optuna.logging.get_verbosity()
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    try:
        study = optuna.create_study(
            direction="maximize" if direction == "maximize" else "minimize",
            sampler=optuna.samplers.TPESampler(seed=seed),
        )
        done: list[Trial] = []
        for number in range(trials):
            handle = study.ask()
            trial = evaluate(number, _suggested(handle, space))
            mean = trial.objective.mean
            if math.isnan(mean):
                study.tell(handle, state=optuna.trial.TrialState.FAIL)
            else:
                study.tell(handle, mean)
            done.append(trial)
    finally:
        optuna.logging.set_verbosity(verbosity)
    return done


def _suggested(handle: Any, space: Mapping[str, Range | tuple[Any, ...]]) -> dict[str, Any]:
    """An Optuna trial's choice: each parameter suggested by ``handle`` (an
    ``optuna.Trial``) from its range (as integers for an integer range) or its values."""
    choice: dict[str, Any] = {}
    for key, value in space.items():
        if isinstance(value, Range) and value.integer:
            choice[key] = handle.suggest_int(
                key, math.ceil(value.low), math.floor(value.high), log=value.log
            )
        elif isinstance(value, Range):
            choice[key] = handle.suggest_float(key, value.low, value.high, log=value.log)
        else:
            choice[key] = handle.suggest_categorical(key, list(value))
    return choice


__all__ = ["METHODS", "Range", "Trial", "TuneResult", "parse_param", "tune"]
