"""Which scenario parameters move the outcomes, and by how much.

    from sim.whatif.sensitivity import sensitivity, tornado_figure
    result = sensitivity("msft-openai", ["agi.at", "parties.openai.reservation"], n=40)
    result.ranked("agreement")

A parameter is analysed over the range its scenario declares (its ``Distribution``:
``scenario.distributions()``); one without a declared range is refused. Outcomes are
those of a batch summary (``sim.batch.estimates.outcome_names``): the deal probability
(``agreement``), regulatory approval of reviewed deals, Microsoft's post-AGI access,
the agreement time, each party's utility and the AGI time.

- ``method="oat"`` (one at a time): for each parameter a Monte Carlo batch
  (``sim.batch.run_batch``) sweeps it over ``levels`` evenly spaced values across its
  range (a choice: its values) with ``n`` runs per level, every other parameter drawn
  from its distribution as usual. Levels share seeds (common random numbers), so the
  **effect**, the mean paired change of an outcome from the lowest level to the highest
  (same seed, 95% Student t interval), is sharp; the **swing**, the range of the level
  means (each with its 95% interval), ranks the parameters (it sees non-monotone
  effects too).
- ``method="sobol"``: first-order and total Sobol indices with 95% bootstrap intervals
  from a Saltelli design of ``n`` base samples (``n * (params + 2)`` runs), see
  :mod:`sim.whatif.sobol`. Needs SALib (``negsim[sensitivity]``).

Both run on the Monte Carlo machinery: ``workers``, ``executor``/``address``, and with
``store`` (a directory) crash-safe batch stores (``oat-<param>.sqlite``,
``sobol.sqlite``) that ``resume=True`` continues.
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

import attrs
import orjson

from events.convert import check_int
from events.errors import InputError
from sim.batch.estimates import (
    APPROVED,
    RESTRUCTURING_SHARES,
    REVIEWED,
    outcome_names,
    restructuring_share,
    summarize_rows,
)
from sim.batch.execution import Execution
from sim.run.summary import summary_columns
from sim.scenario import Distribution, Scenario, load_scenario
from sim.stats import mean_interval

if TYPE_CHECKING:
    from matplotlib.figure import Figure

METHODS: Final = ("oat", "sobol")
RESULT_KIND: Final = "negsim-sensitivity"
DEFAULT_N: Final = {"oat": 40, "sobol": 64}
DEFAULT_LEVELS: Final = 5
BINARY: Final = (
    "agreement",
    "regulator_approved",
    "after_agi.license.models",
    *RESTRUCTURING_SHARES,
)


# --------------------------------------------------------------------------- results


@attrs.frozen
class Level:
    """One level of a one-at-a-time sweep: the value, the outcome's mean and 95% CI."""

    value: float | int
    mean: float | None
    ci_low: float | None
    ci_high: float | None
    n: int

    def to_data(self) -> dict[str, Any]:
        return attrs.asdict(self)


@attrs.frozen
class OatEffect:
    """A parameter's one-at-a-time effect on an outcome."""

    param: str
    outcome: str
    levels: tuple[Level, ...]
    effect: float | None  # mean paired change, lowest level -> highest level
    ci_low: float | None
    ci_high: float | None
    n: int  # seeds with a value at both ends
    swing: float | None  # max - min of the level means

    @property
    def importance(self) -> float | None:
        return self.swing

    @property
    def interval(self) -> tuple[float, float] | None:
        """The effect's 95% interval (None without two paired runs)."""
        if self.ci_low is None or self.ci_high is None:
            return None
        return self.ci_low, self.ci_high

    def to_data(self) -> dict[str, Any]:
        data = attrs.asdict(self, recurse=False)
        data["levels"] = [level.to_data() for level in self.levels]
        return data

    @classmethod
    def from_data(cls, d: Mapping[str, Any]) -> OatEffect:
        levels = tuple(Level(**level) for level in d["levels"])
        fields = {k: d[k] for k in ("param", "outcome", "effect", "ci_low", "ci_high", "n")}
        return cls(levels=levels, swing=d["swing"], **fields)


@attrs.frozen
class SobolIndices:
    """A parameter's first-order (S1) and total (ST) Sobol indices for an outcome, each
    with the half-width of its 95% bootstrap interval."""

    param: str
    outcome: str
    s1: float | None
    s1_conf: float | None
    st: float | None
    st_conf: float | None
    n: int  # Saltelli blocks used (the outcome defined in all of a block's runs)

    @property
    def importance(self) -> float | None:
        return self.st

    @property
    def s1_interval(self) -> tuple[float, float] | None:
        if self.s1 is None or self.s1_conf is None:
            return None
        return self.s1 - self.s1_conf, self.s1 + self.s1_conf

    @property
    def st_interval(self) -> tuple[float, float] | None:
        if self.st is None or self.st_conf is None:
            return None
        return self.st - self.st_conf, self.st + self.st_conf

    def to_data(self) -> dict[str, Any]:
        return attrs.asdict(self)

    @classmethod
    def from_data(cls, d: Mapping[str, Any]) -> SobolIndices:
        return cls(**{field.name: d[field.name] for field in attrs.fields(cls)})


Effect = OatEffect | SobolIndices


def _canonical(effects: Any, result: Any) -> tuple[Effect, ...]:
    """Effects by outcome, then by parameter in the order given (whatever built them)."""
    outcomes = {name: index for index, name in enumerate(result.outcomes)}
    params = {key: index for index, (key, _) in enumerate(result.params)}
    return tuple(sorted(effects, key=lambda e: (outcomes[e.outcome], params[e.param])))


@attrs.frozen
class SensitivityResult:
    """What a sensitivity analysis found: one effect per (parameter, outcome)."""

    method: str
    scenario: str
    params: tuple[tuple[str, dict[str, Any]], ...]  # (key, distribution data), as asked
    outcomes: tuple[str, ...]
    effects: tuple[Effect, ...]
    n: int
    seed: int
    runs: int
    levels: int | None = None
    stores: tuple[str, ...] = ()

    def __attrs_post_init__(self) -> None:
        object.__setattr__(self, "effects", _canonical(self.effects, self))

    @property
    def param_keys(self) -> tuple[str, ...]:
        return tuple(key for key, _ in self.params)

    def effect(self, param: str, outcome: str) -> Effect:
        for effect in self.effects:
            if effect.param == param and effect.outcome == outcome:
                return effect
        raise KeyError(f"no effect of {param!r} on {outcome!r}")

    def ranked(self, outcome: str) -> list[Effect]:
        """The parameters' effects on ``outcome``, most important first (ties, and
        outcomes never defined, in the order the parameters were given)."""
        if outcome not in self.outcomes:
            raise KeyError(f"unknown outcome {outcome!r}; expected one of {self.outcomes}")
        order = {key: index for index, key in enumerate(self.param_keys)}
        mine = [effect for effect in self.effects if effect.outcome == outcome]
        return sorted(
            mine,
            key=lambda e: (
                e.importance is None,
                -(e.importance or 0.0),
                order[e.param],
            ),
        )

    def measured(self) -> list[str]:
        """Outcomes with a value in at least some runs."""
        return [
            outcome
            for outcome in self.outcomes
            if any(e.importance is not None for e in self.effects if e.outcome == outcome)
        ]

    def to_data(self) -> dict[str, Any]:
        return {
            "kind": RESULT_KIND,
            "method": self.method,
            "scenario": self.scenario,
            "params": {key: dist for key, dist in self.params},
            "n": self.n,
            "seed": self.seed,
            "levels": self.levels,
            "runs": self.runs,
            "stores": list(self.stores),
            "outcomes": {
                outcome: [effect.to_data() for effect in self.ranked(outcome)]
                for outcome in self.outcomes
            },
        }

    @classmethod
    def from_data(cls, d: Mapping[str, Any]) -> SensitivityResult:
        """Rebuild a result from :meth:`to_data` (e.g. a ``negsim sensitivity --out`` file)."""
        if d.get("kind") != RESULT_KIND:
            raise InputError(f"not a negsim sensitivity result (kind {d.get('kind')!r})")
        build = OatEffect.from_data if d["method"] == "oat" else SobolIndices.from_data
        effects = tuple(build(e) for outcome in d["outcomes"].values() for e in outcome)
        return cls(
            d["method"],
            d["scenario"],
            tuple(d["params"].items()),
            tuple(d["outcomes"]),
            effects,
            d["n"],
            d["seed"],
            d["runs"],
            d.get("levels"),
            tuple(d.get("stores", ())),
        )


def load_result(path: str | os.PathLike[str]) -> SensitivityResult:
    """A result written by ``negsim sensitivity --out RESULT.json``."""
    try:
        data = orjson.loads(Path(path).read_bytes())
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    except orjson.JSONDecodeError as exc:
        raise InputError(f"{path}: not JSON ({exc})") from None
    try:
        return SensitivityResult.from_data(data)
    except (KeyError, TypeError, AttributeError) as exc:
        raise InputError(f"{path}: not a negsim sensitivity result ({exc})") from None
    except InputError as exc:
        raise InputError(f"{path}: {exc.message}") from None


# --------------------------------------------------------------------------- analysis


def sensitivity(
    scenario: Scenario | str = "msft-openai",
    params: Sequence[str] | str = (),
    *,
    n: int | None = None,
    seed: int = 0,
    method: str = "oat",
    levels: int = DEFAULT_LEVELS,
    overrides: Sequence[str] = (),
    execution: Execution | None = None,
    store: str | os.PathLike[str] | None = None,
    resume: bool = False,
) -> SensitivityResult:
    """How much each of ``params`` (default: every ranged one) moves each outcome.

    See the module docstring for the two methods. ``store`` is a directory for the
    batch stores; ``resume=True`` continues them; ``execution`` says where the runs go
    (default: a process pool of one worker per CPU). Raises InputError (one line) for a
    parameter without a declared range, an unknown method, or SALib missing (sobol).
    """
    if method not in METHODS:
        raise InputError(f"method: expected one of {', '.join(METHODS)}, got {method!r}")
    if method == "sobol":
        from sim.whatif.sobol import require_salib

        require_salib()
    n = DEFAULT_N[method] if n is None else n
    check_int(n, "n", 2)
    check_int(levels, "levels", 2)
    check_int(seed, "seed", 0)
    if resume and store is None:
        raise InputError("resume: needs a store directory (store)")
    runs = _Runs(execution or Execution(), store, resume)
    overrides = tuple(overrides)
    loaded = _load(scenario, overrides)
    chosen = _chosen(loaded, params)
    outcomes = tuple(outcome_names([name for name, _ in summary_columns(loaded)]))
    source: Scenario | str = scenario if isinstance(scenario, str) else loaded
    if isinstance(scenario, Scenario):
        overrides = ()  # already applied to `loaded`
    if method == "oat":
        return _oat(source, loaded, chosen, outcomes, n, seed, levels, overrides, runs)
    return _sobol(source, loaded, chosen, outcomes, n, seed, overrides, runs)


@attrs.frozen
class _Runs:
    """Where an analysis's runs go: how they execute, and the store directory."""

    execution: Execution
    store: str | os.PathLike[str] | None
    resume: bool

    def path(self, name: str) -> Path | None:
        return None if self.store is None else Path(self.store) / name


def _load(scenario: Scenario | str, overrides: tuple[str, ...]) -> Scenario:
    if isinstance(scenario, Scenario):
        return scenario.with_overrides(assignments=overrides) if overrides else scenario
    return load_scenario(scenario, overrides)


def _chosen(scenario: Scenario, params: Sequence[str] | str) -> list[tuple[str, Distribution]]:
    ranged = dict(scenario.distributions())
    if isinstance(params, str):
        params = [part.strip() for part in params.split(",") if part.strip()]
    params = list(params) or list(ranged)
    if not params:
        raise InputError(
            f"params: scenario {scenario.name!r} declares no parameter with a range "
            "(a distribution) to analyse"
        )
    listing = ", ".join(ranged) or "none"
    seen: set[str] = set()
    for key in params:
        if key in seen:
            raise InputError(f"params {key}: given twice")
        seen.add(key)
        if key not in ranged:
            raise InputError(
                f"params {key}: no range declared for it in scenario {scenario.name!r} "
                f'(give it a distribution, e.g. --set \'{key}={{dist="uniform", low=..., '
                f"high=...}}'); parameters with a range: {listing}"
            )
    return [(key, ranged[key]) for key in params]


def levels_of(distribution: Distribution, count: int) -> list[float | int]:
    """``count`` evenly spaced values across a distribution's range (a choice: its
    distinct values; a normal without bounds: mean +- 2 sd)."""
    if distribution.dist == "choice":
        return sorted(set(distribution.values))
    low, high = distribution.support()
    if distribution.dist == "normal":
        mean, sd = float(distribution.mean or 0.0), float(distribution.sd or 0.0)
        low = low if math.isfinite(low) else mean - 2 * sd
        high = high if math.isfinite(high) else mean + 2 * sd
    if high == low:
        return [float(low)]
    return [float(low + (high - low) * i / (count - 1)) for i in range(count)]


def row_value(row: Mapping[str, Any], outcome: str) -> float | None:
    """One run's value of an outcome, as ``sim.batch.estimates`` defines the outcomes:
    0/1 for a yes/no outcome, None where the outcome does not exist for that run."""
    if outcome == "agreement":
        return float(bool(row.get("agreement")))
    if outcome == "regulator_approved":
        ruled = row.get("regulator_outcome")
        if row.get("agreement") and ruled in REVIEWED:
            return float(ruled in APPROVED)
        return None
    if outcome == "after_agi.license.models":
        access = row.get("after_agi.license.models")
        if row.get("agi_time") is None or access is None:
            return None
        return float(bool(access))
    if outcome in RESTRUCTURING_SHARES:
        share = restructuring_share(row, outcome)
        return None if share is None else float(share)
    value = row.get(outcome)
    return None if value is None else float(value)


def _oat(
    source: Scenario | str,
    loaded: Scenario,
    chosen: list[tuple[str, Distribution]],
    outcomes: tuple[str, ...],
    n: int,
    seed: int,
    levels: int,
    overrides: tuple[str, ...],
    batch: _Runs,
) -> SensitivityResult:
    from sim.batch import run_batch

    columns = [name for name, _ in summary_columns(loaded)]
    effects: list[Effect] = []
    stores: list[str] = []
    runs = 0
    for key, distribution in chosen:
        values = levels_of(distribution, levels)
        path = batch.path(f"oat-{key}.sqlite")
        result = run_batch(
            source,
            n,
            seed=seed,
            overrides=overrides,
            sweep=[(key, values)],
            execution=batch.execution,
            store=path,
            resume=batch.resume,
        )
        if path is not None:
            stores.append(str(path))
        rows = result.rows
        runs += len(rows)
        cells = [[row for row in rows if row["run"] // n == cell] for cell in range(len(values))]
        per_level = [{e.outcome: e for e in summarize_rows(cell, columns, n, ())} for cell in cells]
        for outcome in outcomes:
            level_stats = tuple(
                Level(
                    value,
                    stats[outcome].value,
                    stats[outcome].ci_low,
                    stats[outcome].ci_high,
                    stats[outcome].n,
                )
                for value, stats in zip(values, per_level, strict=True)
            )
            effects.append(_oat_effect(key, outcome, level_stats, cells[0], cells[-1]))
    return SensitivityResult(
        "oat",
        loaded.name,
        tuple((key, dist.to_data()) for key, dist in chosen),
        outcomes,
        tuple(effects),
        n,
        seed,
        runs,
        levels,
        tuple(stores),
    )


def _oat_effect(
    key: str,
    outcome: str,
    levels: tuple[Level, ...],
    low_rows: list[dict[str, Any]],
    high_rows: list[dict[str, Any]],
) -> OatEffect:
    means = [level.mean for level in levels if level.mean is not None]
    swing = (max(means) - min(means)) if means else None
    high_by_seed = {row["seed"]: row_value(row, outcome) for row in high_rows}
    diffs = []
    for row in low_rows:
        low, high = row_value(row, outcome), high_by_seed.get(row["seed"])
        if low is not None and high is not None:
            diffs.append(high - low)
    if len(levels) < 2 or not diffs:
        return OatEffect(key, outcome, levels, None, None, None, len(diffs), swing)
    mean = math.fsum(diffs) / len(diffs)
    if len(diffs) < 2:
        return OatEffect(key, outcome, levels, mean, None, None, 1, swing)
    sd = math.sqrt(math.fsum((d - mean) ** 2 for d in diffs) / (len(diffs) - 1))
    low_ci, high_ci = mean_interval(len(diffs), mean, sd)
    return OatEffect(key, outcome, levels, mean, low_ci, high_ci, len(diffs), swing)


def _sobol(
    source: Scenario | str,
    loaded: Scenario,
    chosen: list[tuple[str, Distribution]],
    outcomes: tuple[str, ...],
    n: int,
    seed: int,
    overrides: tuple[str, ...],
    batch: _Runs,
) -> SensitivityResult:
    from sim.whatif.sobol import analyse, make_design, require_salib, run_design

    sample, analyze = require_salib()
    n_base = 1 << max(2, (n - 1).bit_length())  # a power of two: Sobol sequences need it
    design = make_design(chosen, n_base, seed, sample)
    path = batch.path("sobol.sqlite")
    rows = run_design(
        loaded,
        design,
        source=source if isinstance(source, str) else loaded.name,
        overrides=overrides,
        execution=batch.execution,
        store=path,
        resume=batch.resume,
    )
    keys = [key for key, _ in chosen]
    effects: list[Effect] = []
    for outcome in outcomes:
        analysed = analyse(analyze, keys, [row_value(row, outcome) for row in rows], n_base, seed)
        for key in keys:
            if analysed is None:
                effects.append(SobolIndices(key, outcome, None, None, None, None, 0))
                continue
            indices, blocks = analysed
            s1, s1_conf, st, st_conf = indices[key]
            effects.append(SobolIndices(key, outcome, s1, s1_conf, st, st_conf, blocks))
    return SensitivityResult(
        "sobol",
        loaded.name,
        tuple((key, dist.to_data()) for key, dist in chosen),
        outcomes,
        tuple(effects),
        n_base,
        seed,
        len(rows),
        None,
        () if path is None else (str(path),),
    )


# --------------------------------------------------------------------------- tornado


def tornado_figure(result: SensitivityResult, outcome: str | None = None) -> Figure:
    """A tornado chart of ``outcome`` (default: the first measured one, ``agreement``).

    One-at-a-time: per parameter (most important on top) a bar from the outcome's mean
    at the parameter's lowest level to its mean at the highest (blue: low end, orange:
    high end), with the 95% intervals of both, around the mean over every level run.
    Sobol: total (ST) and first-order (S1) indices with their 95% intervals.
    """
    from sim.plots.style import fixed_style, new_figure

    measured = result.measured()
    if outcome is None:
        if not measured:
            raise InputError("nothing to plot: no outcome was measured in any run")
        outcome = measured[0]
    ranked = [e for e in result.ranked(outcome) if e.importance is not None]
    if not ranked:
        raise InputError(f"nothing to plot: {outcome} was not measured in any run")
    ranked.reverse()  # barh draws bottom-up: most important on top
    labels = [effect.param for effect in ranked]
    with fixed_style():
        fig = new_figure(7.0, 1.6 + 0.55 * len(ranked))
        ax = fig.add_subplot()
        rows = range(len(ranked))
        if result.method == "oat":
            _oat_bars(ax, ranked, rows)  # type: ignore[arg-type]
            ax.set_xlabel(f"{outcome} (mean over runs)")
            ax.set_title(f"{result.scenario}: {outcome}, one at a time ({result.n} runs a level)")
        else:
            _sobol_bars(ax, ranked, rows)  # type: ignore[arg-type]
            ax.set_xlabel("Sobol index (share of the outcome's variance)")
            ax.set_title(f"{result.scenario}: {outcome}, Sobol indices (N={result.n})")
        ax.set_yticks(list(rows), labels)
        fig.legend(loc="outside lower center", ncols=2)
    return fig


def _oat_bars(ax: Any, ranked: list[OatEffect], rows: range) -> None:
    means = [lv.mean for e in ranked for lv in e.levels if lv.mean is not None]
    centre = math.fsum(means) / len(means)
    ax.axvline(centre, color="#6E6E6E", linewidth=0.8)
    height = 0.36
    for row, effect in zip(rows, ranked, strict=True):
        ends = (
            (effect.levels[0], height / 2, "#0072B2", "parameter at its lowest level"),
            (effect.levels[-1], -height / 2, "#E69F00", "parameter at its highest level"),
        )
        for level, offset, color, name in ends:
            if level.mean is None:
                continue
            ax.barh(
                row + offset,
                level.mean - centre,
                left=centre,
                height=height,
                color=color,
                label=name if row == 0 else None,
            )
            if level.ci_low is not None and level.ci_high is not None:
                ax.errorbar(
                    level.mean,
                    row + offset,
                    # (a Wilson bound may sit a rounding error inside the mean)
                    xerr=[
                        [max(0.0, level.mean - level.ci_low)],
                        [max(0.0, level.ci_high - level.mean)],
                    ],
                    color="#333333",
                    capsize=2,
                    linewidth=0.8,
                )


def _sobol_bars(ax: Any, ranked: list[SobolIndices], rows: range) -> None:
    height = 0.38
    for row, effect in zip(rows, ranked, strict=True):
        for offset, value, conf, color, name in (
            (height / 2, effect.st, effect.st_conf, "#D55E00", "total (ST)"),
            (-height / 2, effect.s1, effect.s1_conf, "#0072B2", "first order (S1)"),
        ):
            if value is None:
                continue
            ax.barh(
                row + offset,
                value,
                height=height,
                color=color,
                label=name if row == 0 else None,
                xerr=conf,
                error_kw={"capsize": 2, "linewidth": 0.8},
            )
    ax.axvline(0.0, color="#6E6E6E", linewidth=0.8)


__all__ = [
    "METHODS",
    "Level",
    "OatEffect",
    "SensitivityResult",
    "SobolIndices",
    "levels_of",
    "load_result",
    "row_value",
    "sensitivity",
    "tornado_figure",
]
