"""A Monte Carlo batch at a glance, from its one-row-per-run table.

Panels: when deals are signed (histogram); the AGI date against the signing date (one
dot per run with both); headline proportions with 95% Wilson intervals (a deal, a
reviewed deal approved, Microsoft holding IP access after AGI, AGI verified); the
distribution of each agreed term (shares of the deals); the parties' utilities; and,
for each swept parameter, the outcome proportions against the parameter's values
with 95% Wilson bands. Every panel says how many runs it is drawn from.

Times are shown as calendar years when the batch has dates (``agreement_date``,
``agi_date``), as simulated time otherwise. Terms are as accepted in the talks, before
any regulator's conditions (the ``terms_*`` summary columns).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, Final, cast

import attrs
import numpy as np

from events.convert import is_number
from sim.plots.loaders import Batch, load_batch
from sim.plots.style import AGI_COLOR, MONTHS, MUTED, PARTY_COLORS, fixed_style, new_figure
from sim.plots.terms_format import issue_label, value_text
from sim.run.summary import ACCESS_AFTER_AGI
from sim.stats import wilson_interval

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

# Known value orders of the partnership's text and yes/no issues (batch files do not
# carry the scenario; a store does, and its order wins).
_KNOWN_ORDER: Final = {
    "cloud": ("exclusive", "rofr", "open"),
    "ip_scope": ("models", "models+infrastructure"),
    "ip_expiry": ("agi_declared", "2032|agi_verified", "term"),
}
_PARTNERSHIP_ISSUES: Final = (
    "term_end",
    "ip_expiry",
    "ip_scope",
    "revenue_share",
    "cloud",
    "equity",
    "investment_bn",
)
_BOOLEAN_ISSUES: Final[frozenset[str]] = frozenset()
_APPROVED: Final = ("approved", "approved_with_conditions")
_REVIEWED: Final = (*_APPROVED, "blocked", "pending")
_OUTCOME_COLORS: Final = ("#222222", AGI_COLOR)


@attrs.frozen
class Proportion:
    """``k`` of ``n`` runs, with the 95% Wilson interval (None when ``n`` is 0)."""

    label: str
    k: int
    n: int

    @property
    def value(self) -> float | None:
        return self.k / self.n if self.n else None

    @property
    def interval(self) -> tuple[float, float] | None:
        return wilson_interval(self.k, self.n) if self.n else None


def _truth(value: Any) -> bool | None:
    """A yes/no cell (bool, 0/1, "true"/"false"), None when missing."""
    if value is None:
        return None
    if isinstance(value, str):
        return value.strip().lower() in ("1", "true", "yes")
    return bool(value)


def proportions(batch: Batch) -> list[Proportion]:
    """The headline proportions, each over the runs where it is defined."""
    agreement = [_truth(v) for v in batch.column("agreement")]
    outcome = batch.column("regulator_outcome")
    agi = batch.column("agi_time")
    access = [_truth(v) for v in batch.column(ACCESS_AFTER_AGI)]
    verified = [_truth(v) for v in batch.column("agi_verified")]
    deals = [i for i, a in enumerate(agreement) if a]
    reviewed = [i for i in deals if outcome[i] in _REVIEWED]
    came = [i for i, t in enumerate(agi) if t is not None]
    with_access = [i for i in came if access[i] is not None]
    return [
        Proportion("deal signed\n(all runs)", len(deals), batch.n),
        Proportion(
            "deal approved\n(reviewed deals)",
            sum(outcome[i] in _APPROVED for i in reviewed),
            len(reviewed),
        ),
        Proportion(
            "Microsoft keeps access\nafter AGI (runs with AGI)",
            sum(bool(access[i]) for i in with_access),
            len(with_access),
        ),
        Proportion(
            "AGI verified\n(runs with AGI)", sum(bool(verified[i]) for i in came), len(came)
        ),
    ]


# --------------------------------------------------------------------------- figure


def batch(source: object) -> Figure:
    """The batch figure (see the module doc) of a results file, store or table."""
    data = load_batch(source)
    sweeps = [name[len("sweep_") :] for name in data.names("sweep_")]
    sweep_rows = -(-len(sweeps) // 3)
    with fixed_style():
        fig = new_figure(14.0, 8.6 + 3.6 * sweep_rows)
        grid = fig.add_gridspec(2 + sweep_rows, 3, height_ratios=(1.0, 1.0, *[0.95] * sweep_rows))
        timing = _TimeAxis.of(data)
        _agreement_times(fig.add_subplot(grid[0, 0]), data, timing)
        _agi_vs_signing(fig.add_subplot(grid[0, 1]), data, timing)
        _headline(fig.add_subplot(grid[0, 2]), proportions(data))
        _terms(fig.add_subplot(grid[1, 0:2]), data)
        _utilities(fig.add_subplot(grid[1, 2]), data)
        for index, key in enumerate(sweeps):
            _sweep(fig.add_subplot(grid[2 + index // 3, index % 3]), data, key, sweeps)
        name = data.meta.get("scenario")
        title = f"{name}: " if name else ""
        fig.suptitle(
            f"{title}Monte Carlo batch of {data.n} runs ({_source_name(data)})",
            fontsize=11,
            fontweight="bold",
        )
    return fig


def _source_name(data: Batch) -> str:
    from pathlib import PurePath

    return PurePath(data.source).name if not data.source.startswith("<") else "in memory"


@attrs.frozen
class _TimeAxis:
    """How times are shown: decimal calendar years from ISO dates, or simulated time."""

    dates: bool

    @classmethod
    def of(cls, data: Batch) -> _TimeAxis:
        return cls(
            dates=any(v is not None for v in data.column("agreement_date"))
            or any(v is not None for v in data.column("agi_date"))
        )

    def values(self, data: Batch, kind: str) -> list[float | None]:
        """``kind`` is ``agreement`` or ``agi``: per-run positions on the time axis."""
        if self.dates:
            return [_year(v) for v in data.column(f"{kind}_date")]
        return [None if v is None else float(v) for v in data.column(f"{kind}_time")]

    @property
    def label(self) -> str:
        return "date" if self.dates else "simulated time"

    def text(self, value: float) -> str:
        if not self.dates:
            return f"{value:g}"
        year = int(value // 1)
        return f"{MONTHS[min(11, int((value - year) * 12 + 1e-9))]} {year}"

    def ticks(self, axis: Any, lo: float, hi: float) -> None:
        """Calendar ticks (month or year boundaries) on a decimal-year axis."""
        if not self.dates:
            return
        from matplotlib.ticker import FixedLocator, FuncFormatter

        span = hi - lo
        steps = (1, 2, 3, 6, 12, 24, 60, 120)  # months
        step = next((m for m in steps if span * 12 / m <= 8), steps[-1])
        first = int(lo * 12) // step * step
        positions = [m / 12 for m in range(first, int(hi * 12) + step + 1, step)]
        positions = [p for p in positions if lo <= p <= hi]
        axis.set_major_locator(FixedLocator(positions))
        if step < 12:
            axis.set_major_formatter(FuncFormatter(lambda x, _: self.text(x + 1e-6)))
        else:
            axis.set_major_formatter(FuncFormatter(lambda x, _: f"{round(x)}"))


def _year(iso: Any) -> float | None:
    """``2027-03-16`` as a decimal year (2027.2), None for a missing date."""
    if not iso:
        return None
    date = dt.date.fromisoformat(str(iso)[:10])
    start = dt.date(date.year, 1, 1)
    days = (dt.date(date.year + 1, 1, 1) - start).days
    return date.year + (date - start).days / days


def _present(values: Sequence[float | None]) -> np.ndarray:
    return np.array([v for v in values if v is not None], dtype=np.float64)


def _empty(ax: Axes, text: str) -> None:
    ax.text(0.5, 0.5, text, ha="center", va="center", transform=ax.transAxes, color=MUTED)
    ax.set_xticks([])
    ax.set_yticks([])


def _agreement_times(ax: Axes, data: Batch, timing: _TimeAxis) -> None:
    values = _present(timing.values(data, "agreement"))
    ax.set_title("When deals are signed", loc="left")
    if values.size == 0:
        _empty(ax, "no run reached a deal")
        return
    levels, counts = np.unique(values, return_counts=True)
    if levels.size <= 40:  # deals land on a few round times: one bar per time
        gap = float(np.diff(levels).min()) if levels.size > 1 else 1.0
        ax.bar(levels, counts, width=0.8 * gap, color=PARTY_COLORS[0], gid="hist:agreement")
    else:
        ax.hist(
            values,
            bins=_bins(values),
            color=PARTY_COLORS[0],
            edgecolor="white",
            linewidth=0.5,
            gid="hist:agreement",
        )
    lo, hi = float(values.min()), float(values.max())
    pad = max((hi - lo) * 0.08, 0.04 if timing.dates else 0.5)
    ax.set_xlim(lo - pad, hi + pad)
    timing.ticks(ax.xaxis, lo - pad, hi + pad)
    ax.set_xlabel("signing date" if timing.dates else "signing time (simulated)")
    ax.set_ylabel("runs")
    median = float(np.median(values))
    ax.axvline(
        median,
        color="black",
        linestyle="--",
        linewidth=1.0,
        label=f"median {timing.text(median)}",
    )
    ax.legend(loc="upper right")
    ax.set_title(f"When deals are signed ({values.size} of {data.n} runs)", loc="left")


def _bins(values: np.ndarray) -> list[float]:
    lo, hi = float(values.min()), float(values.max())
    if hi - lo < 1e-9:  # one value: one bar around it
        return [lo - 0.5, hi + 0.5]
    edges = np.histogram_bin_edges(values, bins=min(30, max(8, int(np.sqrt(values.size)))))
    return [float(edge) for edge in edges]


def _agi_vs_signing(ax: Axes, data: Batch, timing: _TimeAxis) -> None:
    signed = timing.values(data, "agreement")
    agi = timing.values(data, "agi")
    access = [_truth(v) for v in data.column(ACCESS_AFTER_AGI)]
    both = [i for i in range(data.n) if signed[i] is not None and agi[i] is not None]
    at = {i: (cast(float, signed[i]), cast(float, agi[i])) for i in both}  # both known
    if not both:
        _empty(ax, "no run has both a deal and AGI")
        return
    groups = (
        ("Microsoft keeps access after AGI", True, PARTY_COLORS[0], "o"),
        ("Microsoft loses access at AGI", False, PARTY_COLORS[1], "x"),
    )
    for label, kept, color, marker in groups:
        # Runs pile up on a few (signing, AGI) points: one marker per point, its area
        # proportional to the number of runs there.
        counts: dict[tuple[float, float], int] = {}
        for i in both:
            if bool(access[i]) is kept:
                point = at[i]
                counts[point] = counts.get(point, 0) + 1
        if counts:
            points = sorted(counts)
            ax.scatter(
                [x for x, _ in points],
                [y for _, y in points],
                s=[10 + 6 * counts[p] for p in points],
                color=color,
                marker=marker,
                alpha=0.7,
                linewidths=1.2,
                label=f"{label} ({sum(counts.values())} runs)",
                gid=f"agi-vs-signing:{'kept' if kept else 'lost'}",
                zorder=3,
            )
    sx = [at[i][0] for i in both]
    ys = [at[i][1] for i in both]
    pad_x = max((max(sx) - min(sx)) * 0.08, 0.04 if timing.dates else 0.5)
    pad_y = max((max(ys) - min(ys)) * 0.05, 0.04 if timing.dates else 0.5)
    x_lo, x_hi = min(sx) - pad_x, max(sx) + pad_x
    y_lo, y_hi = min(min(ys), x_lo) - pad_y, max(max(ys), x_hi) + pad_y
    ax.fill_between(
        [x_lo, x_hi],
        [y_lo, y_lo],
        [x_lo, x_hi],
        color="#EEEEEE",
        linewidth=0,
        label="AGI before signing",
        zorder=0,
    )
    ax.plot([x_lo, x_hi], [x_lo, x_hi], color=MUTED, linewidth=0.8, linestyle=":")
    ax.set_xlim(x_lo, x_hi)
    ax.set_ylim(y_lo, y_hi)
    timing.ticks(ax.xaxis, x_lo, x_hi)
    timing.ticks(ax.yaxis, y_lo, y_hi)
    ax.set_xlabel(f"signing ({timing.label}); marker area: number of runs")
    ax.set_ylabel(f"AGI declared ({timing.label})")
    legend = ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.16), fontsize=7, ncol=2)
    for handle in legend.legend_handles:  # a fixed legend marker, whatever the counts
        if handle is not None and hasattr(handle, "set_sizes"):
            handle.set_sizes([24])
    ax.set_title(f"AGI date against the signing date ({len(both)} runs)", loc="left")


def _headline(ax: Axes, items: Sequence[Proportion]) -> None:
    ax.set_title("Proportions with 95% Wilson intervals", loc="left")
    positions = np.arange(len(items))[::-1]
    for y, item in zip(positions, items, strict=True):
        interval, value = item.interval, item.value
        if interval is None or value is None:
            ax.text(0.02, y, "no runs", va="center", fontsize=8, color=MUTED)
            continue
        low, high = interval
        ax.errorbar(
            [value],
            [y],
            xerr=[[value - low], [high - value]],
            fmt="o",
            color=PARTY_COLORS[0] if "Microsoft" in item.label else "#333333",
            capsize=4,
            markersize=6,
            gid=f"proportion:{y}",
        )
        ax.annotate(
            f"{value:.0%} [{low:.0%}, {high:.0%}]  ({item.k}/{item.n})",
            (value, float(y)),
            xytext=(0, 8),
            textcoords="offset points",
            ha="center",
            fontsize=7.5,
        )
    ax.set_yticks(list(positions), [item.label for item in items])
    ax.set_xlim(-0.02, 1.02)
    ax.set_ylim(-0.6, len(items) - 0.3)
    ax.xaxis.set_major_formatter(_percent())
    ax.grid(axis="y", visible=False)


def _percent() -> Any:
    from matplotlib.ticker import FuncFormatter

    return FuncFormatter(lambda x, _: f"{x:.0%}")


def _terms(ax: Axes, data: Batch) -> None:
    issues = [name[len("terms_") :] for name in data.names("terms_")]
    issues = _issue_order(data, issues)
    deals = [i for i, a in enumerate(data.column("agreement")) if _truth(a)]
    ax.set_title(
        f"Agreed terms: share of the {len(deals)} deals taking each value "
        "(as accepted, before regulators' conditions)",
        loc="left",
    )
    if not deals or not issues:
        _empty(ax, "no run reached a deal")
        return
    cmap = _shades()
    for row, issue in enumerate(issues):
        column = data.column(f"terms_{issue}")
        values = [_issue_value(issue, column[i]) for i in deals if column[i] is not None]
        order = _value_order(data, issue, values)
        left = 0.0
        y = len(issues) - 1 - row
        for index, value in enumerate(order):
            share = sum(_same(v, value) for v in values) / len(deals)
            if share == 0:
                continue
            color = cmap(index, len(order))
            ax.barh(
                [y],
                [share],
                left=left,
                color=color,
                edgecolor="white",
                linewidth=0.8,
                height=0.7,
                gid=f"terms:{issue}:{value_text(issue, value)}",
            )
            if share >= 0.07:
                text = f"{value_text(issue, value)}\n{share:.0%}"
                ax.text(
                    left + share / 2,
                    y,
                    text,
                    ha="center",
                    va="center",
                    fontsize=7,
                    color="white" if _dark(color) else "black",
                )
            left += share
    ax.set_yticks(range(len(issues))[::-1], [issue_label(i) for i in issues])
    ax.set_xlim(0, 1)
    ax.xaxis.set_major_formatter(_percent())
    ax.set_xlabel("share of deals (segments under 7% unlabelled)")
    ax.grid(False)


def _shades() -> Callable[[int, int], tuple[float, float, float, float]]:
    from matplotlib import colormaps

    cmap = colormaps["cividis"]

    def shade(index: int, count: int) -> tuple[float, float, float, float]:
        return tuple(cmap(0.15 + 0.75 * (index / max(count - 1, 1))))  # type: ignore[return-value]

    return shade


def _dark(color: Sequence[float]) -> bool:
    r, g, b = color[:3]
    return 0.299 * r + 0.587 * g + 0.114 * b < 0.5


def _scenario_issues(data: Batch) -> dict[str, list[Any]] | None:
    raw = data.meta.get("scenario_data")
    if not raw:
        return None
    import orjson

    try:
        scenario = orjson.loads(raw)
        return {i["name"]: list(i["values"]) for i in scenario["negotiation"]["issues"]}
    except (orjson.JSONDecodeError, KeyError, TypeError):
        return None


def _issue_order(data: Batch, issues: list[str]) -> list[str]:
    """The scenario's issue order (from a store's meta), else the partnership's."""
    known = _scenario_issues(data) or dict.fromkeys(_PARTNERSHIP_ISSUES)
    return sorted(issues, key=lambda i: list(known).index(i) if i in known else len(known))


def _issue_value(issue: str, value: Any) -> Any:
    if issue in _BOOLEAN_ISSUES and not isinstance(value, str):
        return bool(value)
    return value


def _same(a: Any, b: Any) -> bool:
    return a == b and isinstance(a, bool) == isinstance(b, bool)


def _value_order(data: Batch, issue: str, values: list[Any]) -> list[Any]:
    known = (_scenario_issues(data) or {}).get(issue) or list(_KNOWN_ORDER.get(issue, ()))
    order = [v for v in known if any(_same(v, x) for x in values)]
    rest = sorted({v for v in values if not any(_same(v, k) for k in order)}, key=_sort_key)
    return order + rest


def _sort_key(value: Any) -> tuple[int, Any]:
    return (0, value) if isinstance(value, int | float) else (1, str(value))


def _utilities(ax: Axes, data: Batch) -> None:
    names = data.names("utility_")
    ax.set_title("Utility of the outcome to each party", loc="left")
    series: list[tuple[str, np.ndarray]] = []
    for name in names:
        values = [v for v in data.column(name) if v is not None]
        series.append((name[len("utility_") :], np.array(values, dtype=np.float64)))
    if not any(values.size for _, values in series):
        _empty(ax, "no utilities in this batch")
        return
    bins = [float(edge) for edge in np.linspace(0.0, 1.0, 26)]
    for index, (party, drawn) in enumerate(series):
        ax.hist(
            drawn,
            bins=bins,
            histtype="step",
            linewidth=1.6,
            color=PARTY_COLORS[index % len(PARTY_COLORS)],
            label=f"{party} (mean {drawn.mean():.2f})" if drawn.size else party,
            gid=f"hist:utility:{party}",
        )
    ax.set_xlabel("utility (discounted; no deal: reservation value)")
    ax.set_ylabel("runs")
    ax.legend(loc="upper right")


def _n_text(ns: Sequence[int]) -> str:
    if not ns:
        return "no runs"
    if min(ns) == max(ns):
        return f"n = {ns[0]} per value"
    return f"n = {min(ns)}-{max(ns)} per value"


def _sweep(ax: Axes, data: Batch, key: str, keys: Sequence[str]) -> None:
    """Outcome proportions against one swept parameter, with 95% Wilson bands."""
    column = data.column(f"sweep_{key}")
    levels = sorted({v for v in column if v is not None}, key=_sort_key)
    numeric = all(is_number(v) for v in levels)
    xs = np.array(levels, dtype=np.float64) if numeric else np.arange(len(levels), dtype=np.float64)
    others = [k for k in keys if k != key]
    pooled = f" (pooled over {', '.join(others)})" if others else ""
    ax.set_title(f"Outcomes against {key}{pooled}", loc="left", fontsize=9)
    access = [_truth(v) for v in data.column(ACCESS_AFTER_AGI)]
    agi = data.column("agi_time")
    agreement = [bool(_truth(v)) for v in data.column("agreement")]
    outcomes: tuple[tuple[str, Callable[[int], bool], Callable[[int], bool]], ...] = (
        ("deal signed", lambda i: agreement[i], lambda i: True),
        (
            "Microsoft keeps access after AGI",
            lambda i: bool(access[i]),
            lambda i: agi[i] is not None and access[i] is not None,
        ),
    )
    for color, (label, hit, counts) in zip(_OUTCOME_COLORS, outcomes, strict=True):
        values, lows, highs, ns = [], [], [], []
        for level in levels:
            runs = [i for i, v in enumerate(column) if v == level and counts(i)]
            k = sum(bool(hit(i)) for i in runs)
            n = len(runs)
            low, high = wilson_interval(k, n) if n else (np.nan, np.nan)
            values.append(k / n if n else np.nan)
            lows.append(low)
            highs.append(high)
            ns.append(n)
        ax.fill_between(xs, lows, highs, color=color, alpha=0.15, linewidth=0)
        ax.plot(
            xs,
            values,
            marker="o",
            color=color,
            label=f"{label} ({_n_text(ns)})",
            gid=f"sweep:{key}:{label}",
        )
    if not numeric:
        ax.set_xticks(xs, [str(v) for v in levels])
    ax.set_ylim(-0.02, 1.02)
    ax.yaxis.set_major_formatter(_percent())
    ax.set_xlabel(key)
    ax.set_ylabel("proportion (95% Wilson band)")
    ax.legend(loc="best", fontsize=7)
