"""A backtest's findings: per observation, the predictive distribution, the observed
value's percentile and a proper score; jointly, the share of runs matching everything.

:func:`evaluate` is a pure function of the observations and each run's quantity values,
so it can be tested (and reused by calibration) without running anything.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter
from collections.abc import Sequence
from typing import Any

import attrs

from sim.backtest.observations import CATEGORY, DATE, Observation, label
from sim.backtest.quantities import FIRST
from sim.backtest.scoring import (
    brier,
    category_mid_rank,
    crps,
    log_score,
    mid_rank,
    quantiles,
)
from sim.stats import wilson_interval


@attrs.frozen(slots=True)
class ObservationReport:
    """How one observation fared against the runs (see :mod:`sim.backtest.scoring`).

    ``quantiles`` (numbers and dates: ISO dates for dates) or ``shares`` (categories,
    ``none`` for runs where the quantity is absent); ``percentile`` in [0, 1], None if no
    run has the quantity; ``score`` is the CRPS (numbers; days for dates) or the Brier
    score (categories), lower is better; ``log_score`` for categories. ``defined`` runs
    had the quantity; ``matched`` runs matched the observation.
    """

    name: str
    quantity: str
    kind: str
    observed: str
    n: int
    defined: int
    matched: int
    percentile: float | None
    score: float | None
    score_name: str
    log_score: float | None = None
    quantiles: dict[str, Any] | None = None
    shares: dict[str, float] | None = None

    @property
    def match_share(self) -> float:
        return self.matched / self.n if self.n else 0.0

    def to_data(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "name": self.name,
            "quantity": self.quantity,
            "kind": self.kind,
            "observed": self.observed,
            "percentile": self.percentile,
            "score": self.score,
            "score_name": self.score_name,
            "n": self.n,
            "defined": self.defined,
            "matched": self.matched,
            "match_share": self.match_share,
        }
        if self.kind == CATEGORY:
            data["shares"] = self.shares
            data["log_score"] = self.log_score
        else:
            data["quantiles"] = self.quantiles
        return data


@attrs.frozen(slots=True)
class Joint:
    """Runs matching every observation, their share and its 95% Wilson interval."""

    matched: int
    n: int
    share: float
    low: float
    high: float

    def to_data(self) -> dict[str, Any]:
        return {
            "share": self.share,
            "low": self.low,
            "high": self.high,
            "matched": self.matched,
            "n": self.n,
        }


@attrs.frozen(slots=True)
class Evaluation:
    """Every observation's report and the joint match, for one scenario's runs."""

    observed: tuple[ObservationReport, ...]
    joint: Joint


def evaluate(observations: Sequence[Observation], values: Sequence[Sequence[Any]]) -> Evaluation:
    """Reports from ``values[run][i]``, run ``run``'s value of observation ``i``."""
    n = len(values)
    if n == 0:
        raise ValueError("a backtest needs at least one run")
    reports = []
    all_match = [True] * n
    for index, observation in enumerate(observations):
        column = [row[index] for row in values]
        matches = [observation.matches(v) for v in column]
        all_match = [a and b for a, b in zip(all_match, matches, strict=True)]
        reports.append(_report(observation, column, sum(matches)))
    matched = sum(all_match)
    share = matched / n
    low, high = wilson_interval(matched, n)
    # the interval holds its estimate (rounding puts the bound a hair past it at 0 and 1)
    low, high = min(low, share), max(high, share)
    return Evaluation(tuple(reports), Joint(matched, n, share, low, high))


def _report(observation: Observation, column: Sequence[Any], matched: int) -> ObservationReport:
    n = len(column)
    common: dict[str, Any] = {
        "name": observation.name,
        "quantity": observation.quantity.text,
        "kind": observation.kind,
        "observed": label(observation.value),
        "n": n,
        "matched": matched,
    }
    if observation.kind == CATEGORY:
        options = (observation.value, *observation.values)
        accepted = {label(observation.category(v)) for v in options}
        counts = Counter(label(observation.category(v)) for v in column)
        shares = {key: counts[key] / n for key in sorted(counts)}
        merged = {k: s for k, s in shares.items() if k not in accepted}
        merged["\0observed"] = matched / n
        return ObservationReport(
            **common,
            defined=sum(v is not None for v in column),
            percentile=category_mid_rank(merged, "\0observed"),
            score=brier(matched, n),
            score_name="brier",
            log_score=log_score(matched, n),
            shares=shares,
        )
    xs = [x for x in (observation.numeric(v) for v in column) if x is not None]
    if not xs:
        return ObservationReport(
            **common, defined=0, percentile=None, score=None, score_name="crps", quantiles=None
        )
    y = observation.observed_numeric
    ranked = xs
    if observation.quantity.kind == FIRST:
        # "It never happened (by the horizon)" is later than any date: the percentile
        # counts such runs above the observed value; the CRPS and quantiles describe
        # the runs where it happened (``defined``).
        ranked = xs + [math.inf] * (n - len(xs))
    qs: dict[str, Any] = quantiles(xs)
    if observation.kind == DATE:
        qs = {key: dt.date.fromordinal(round(value)).isoformat() for key, value in qs.items()}
    return ObservationReport(
        **common,
        defined=len(xs),
        percentile=mid_rank(ranked, y),
        score=crps(xs, y),
        score_name="crps_days" if observation.kind == DATE else "crps",
        quantiles=qs,
    )
