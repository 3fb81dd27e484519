"""Assertions on tables of runs, with failure messages a reader understands at once:

    Microsoft's expected utility 0.612 +/- 0.031 is below 0.65 over 200 seeds

A "table" is anything holding summary rows: a ``BatchResult`` or ``TournamentResult``
(``.rows``), a ``TuneResult`` (its best trial's runs), a ``Trial``, a
``pyarrow.Table``, a pandas ``DataFrame`` or a list of dicts. The "+/-" is the half
width of the 95% interval (Student t for means, Wilson for rates). By default a bar is
checked against the mean; ``conservative=True`` checks the whole interval instead (the
lower bound must clear ``at_least``, the upper bound ``at_most``).
"""

from __future__ import annotations

import functools
import math
from collections.abc import Mapping, Sequence
from typing import Any

from sim.stats import Estimate, mean_ci, proportion_ci

__tracebackhide__ = True


def rows_of(table: Any) -> list[Mapping[str, Any]]:
    """The summary rows of any supported table (see the module doc)."""
    if hasattr(table, "best") and hasattr(table, "runs"):  # TuneResult
        return list(table.runs)
    if hasattr(table, "rows") and not callable(table.rows):
        return list(table.rows)
    if hasattr(table, "to_pylist"):  # pyarrow.Table
        return list(table.to_pylist())
    if hasattr(table, "to_dict") and hasattr(table, "columns"):  # pandas.DataFrame
        return list(table.to_dict("records"))
    if isinstance(table, Sequence) and all(isinstance(row, Mapping) for row in table):
        return list(table)
    raise TypeError(
        f"expected a table of runs (BatchResult, TournamentResult, TuneResult, pyarrow "
        f"Table, DataFrame or list of dicts), got {type(table).__name__}"
    )


@functools.lru_cache(maxsize=32)
def party_name(key: str) -> str:
    """A party's display name: from the built-in scenarios when one has ``key``
    ("microsoft" -> "Microsoft", "openai" -> "OpenAI"), else ``key`` capitalised."""
    from sim.scenario import BUILTINS, load_scenario

    for name in BUILTINS:
        try:
            scenario = load_scenario(name)
        except Exception:  # pragma: no cover - a broken built-in is another test's job
            continue
        for party in scenario.parties:
            if party.key == key:
                return party.name
    return key[:1].upper() + key[1:]


def _over(rows: Sequence[Mapping[str, Any]], n: int) -> str:
    seeds = {row.get("seed") for row in rows}
    if len(seeds) == n and None not in seeds:
        return f"over {n} seeds"
    if None in seeds:
        return f"over {n} runs"
    return f"over {n} runs ({len(seeds)} seeds)"


def _num(x: float) -> str:
    """A bar as the test wrote it (0.65, not 0.650)."""
    return f"{x:g}"


def _est(x: float) -> str:
    """An estimate, always three decimals so figures line up (0.612 +/- 0.031)."""
    return f"{x:.3f}"


def _check(
    what: str,
    estimate: Estimate,
    rows: Sequence[Mapping[str, Any]],
    at_least: float | None,
    at_most: float | None,
    conservative: bool,
    shown: str,
) -> None:
    __tracebackhide__ = True
    if at_least is None and at_most is None:
        raise TypeError("give at_least= and/or at_most=")
    if estimate.n == 0:
        raise AssertionError(f"{what}: no runs with a value to check")
    over = _over(rows, estimate.n)
    if at_least is not None:
        value = estimate.low if conservative else estimate.mean
        if not value >= at_least:
            extra = (
                f" (its 95% interval reaches down to {_est(estimate.low)})" if conservative else ""
            )
            raise AssertionError(f"{what} {shown} is below {_num(at_least)}{extra} {over}")
    if at_most is not None:
        value = estimate.high if conservative else estimate.mean
        if not value <= at_most:
            extra = (
                f" (its 95% interval reaches up to {_est(estimate.high)})" if conservative else ""
            )
            raise AssertionError(f"{what} {shown} is above {_num(at_most)}{extra} {over}")


def _plus_minus(estimate: Estimate) -> str:
    if math.isinf(estimate.half_width) or math.isnan(estimate.half_width):
        return _est(estimate.mean)
    return f"{_est(estimate.mean)} +/- {_est(estimate.half_width)}"


def _column(rows: Sequence[Mapping[str, Any]], column: str) -> list[Any]:
    if rows and column not in rows[0]:
        raise KeyError(f"no column {column!r}; columns: {', '.join(rows[0])}")
    return [row.get(column) for row in rows]


def assert_mean(
    table: Any,
    column: str,
    *,
    at_least: float | None = None,
    at_most: float | None = None,
    conservative: bool = False,
    label: str | None = None,
) -> Estimate:
    """Assert the mean of ``column`` clears the bar(s); returns the estimate."""
    __tracebackhide__ = True
    rows = rows_of(table)
    estimate = mean_ci(_column(rows, column))
    _check(
        label or f"mean {column}",
        estimate,
        rows,
        at_least,
        at_most,
        conservative,
        _plus_minus(estimate),
    )
    return estimate


def assert_expected_utility(
    table: Any,
    party: str,
    *,
    at_least: float | None = None,
    at_most: float | None = None,
    conservative: bool = False,
) -> Estimate:
    """Assert ``party``'s mean utility (``utility_<party>``) clears the bar(s)."""
    __tracebackhide__ = True
    return assert_mean(
        table,
        f"utility_{party}",
        at_least=at_least,
        at_most=at_most,
        conservative=conservative,
        label=f"{party_name(party)}'s expected utility",
    )


def assert_agreement_rate(
    table: Any,
    *,
    at_least: float | None = None,
    at_most: float | None = None,
    conservative: bool = False,
) -> Estimate:
    """Assert the share of runs that reached an agreement clears the bar(s)."""
    __tracebackhide__ = True
    rows = rows_of(table)
    estimate = proportion_ci(bool(v) for v in _column(rows, "agreement"))
    shown = f"{_est(estimate.mean)} [{_est(estimate.low)}, {_est(estimate.high)}]"
    _check("agreement rate", estimate, rows, at_least, at_most, conservative, shown)
    return estimate


def assert_beats(
    better: Any,
    worse: Any,
    *,
    party: str | None = None,
    column: str | None = None,
    margin: float = 0.0,
    conservative: bool = False,
    names: tuple[str, str] = ("the first", "the second"),
) -> Estimate:
    """Assert ``better``'s mean ``column`` (``utility_<party>``) exceeds ``worse``'s by
    more than ``margin``; returns the estimated difference.

    When both tables ran the same seeds in the same order (common random numbers, as
    every lab result does) the difference is paired run by run, which is much sharper;
    otherwise it is the difference of the two means with a normal interval.
    """
    __tracebackhide__ = True
    if (party is None) == (column is None):
        raise TypeError("give exactly one of party= or column=")
    column = column if column is not None else f"utility_{party}"
    a, b = rows_of(better), rows_of(worse)
    xa, xb = _column(a, column), _column(b, column)
    paired = len(a) == len(b) and [r.get("seed") for r in a] == [r.get("seed") for r in b]
    if paired and None not in (r.get("seed") for r in a):
        diff = mean_ci(
            x - y for x, y in zip(xa, xb, strict=True) if x is not None and y is not None
        )
        how = (
            f"{diff.n} paired seeds"
            if len({r.get("seed") for r in a}) == diff.n
            else f"{diff.n} paired runs"
        )
    else:
        ea, eb = mean_ci(xa), mean_ci(xb)
        half = math.hypot(ea.half_width, eb.half_width)
        mean = ea.mean - eb.mean
        diff = Estimate(mean, mean - half, mean + half, min(ea.n, eb.n))
        how = f"{ea.n} and {eb.n} runs"
    what = f"{party_name(party)}'s expected utility" if party is not None else f"mean {column}"
    value = diff.low if conservative else diff.mean
    if not value > margin:
        ma, mb = mean_ci(xa).mean, mean_ci(xb).mean
        bar = f" by more than {_num(margin)}" if margin else ""
        raise AssertionError(
            f"{what} under {names[0]} ({_est(ma)}) does not beat {names[1]} ({_est(mb)}){bar}: "
            f"difference {_plus_minus(diff)} over {how}"
        )
    return diff


__all__ = [
    "assert_agreement_rate",
    "assert_beats",
    "assert_expected_utility",
    "assert_mean",
    "party_name",
    "rows_of",
]
