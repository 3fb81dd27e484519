"""A backtest's PIT chart: where each observed value fell in the predictive distribution.

One row per observation: a dot at the observed value's percentile (mid-rank PIT) of
the scenario's runs, and with ``--against`` a second marker for the other scenario.
The central 90% band is shaded: a calibrated scenario puts about nine observations in
ten inside it, and none piles up at the edges (an observed value at 0 or 1 lay
outside every run). Drawn from ``negsim backtest --json`` output or its ``--out``
table.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from events.errors import InputError
from sim.plots.style import MUTED, PARTY_COLORS, fixed_style, new_figure

if TYPE_CHECKING:
    from matplotlib.figure import Figure


def load_pit(source: object) -> dict[str, list[tuple[str, float | None]]]:
    """``{scenario: [(observation, percentile), ...]}`` from a backtest JSON file or
    object, or a backtest table (path, rows or columns)."""
    if isinstance(source, str | os.PathLike) and Path(source).suffix.lower() == ".json":
        import orjson

        try:
            source = orjson.loads(Path(source).read_bytes())
        except (OSError, orjson.JSONDecodeError) as exc:
            raise InputError(f"{source}: not a readable backtest JSON file ({exc})") from None
    if isinstance(source, Mapping) and "observed" in source:
        out: dict[str, list[tuple[str, float | None]]] = {}
        node: Any = source
        while node is not None:
            name = str(node.get("scenario", "scenario"))
            while name in out:  # --against the same scenario name (e.g. other --set)
                name += " (against)"
            out[name] = [(o["name"], o.get("percentile")) for o in node["observed"]]
            node = node.get("against")
        return out
    from sim.plots.loaders import load_batch

    data = load_batch(source)
    if not data.has("percentile") or "name" not in data.columns:
        raise InputError(f"{data.source}: not a backtest table (no name and percentile columns)")
    grouped: dict[str, list[tuple[str, float | None]]] = {}
    for scenario, name, pit in zip(
        data.column("scenario"), data.column("name"), data.column("percentile"), strict=True
    ):
        key = str(scenario or "scenario")
        if any(seen == str(name) for seen, _ in grouped.get(key, [])):
            key += " (against)"  # --against the same scenario name
        grouped.setdefault(key, []).append((str(name), pit))
    return grouped


def pit(source: object) -> Figure:
    """The PIT chart (see the module doc)."""
    groups = load_pit(source)
    names: list[str] = []
    for rows in groups.values():
        for name, _ in rows:
            if name not in names:
                names.append(name)
    if not names:
        raise InputError("the backtest has no observations to draw")
    with fixed_style():
        fig = new_figure(8.0, 1.4 + 0.42 * len(names))
        ax = fig.add_subplot(1, 1, 1)
        ax.axvspan(0.05, 0.95, color="#DDDDDD", alpha=0.6, label="central 90%")
        ax.axvline(0.5, color=MUTED, linewidth=0.8)
        markers = ("o", "D", "s")
        for index, (scenario, rows) in enumerate(groups.items()):
            _dots(ax, names, rows, scenario, PARTY_COLORS[index % 4], markers[index % 3], index)
        ax.set_yticks(range(len(names)), labels=names)
        ax.invert_yaxis()
        ax.set_xlim(-0.02, 1.02)
        ax.set_xlabel("percentile of the observed value among the runs (mid-rank PIT)")
        fig.legend(loc="outside lower center", ncol=3)
        ax.set_title("Backtest: where what happened fell in the predictive distribution")
    return fig


def _dots(
    ax: Any,
    names: Sequence[str],
    rows: Sequence[tuple[str, float | None]],
    scenario: str,
    color: str,
    marker: str,
    index: int,
) -> None:
    offset = 0.12 * index
    xs, ys = [], []
    for name, value in rows:
        if value is None:
            continue
        xs.append(float(value))
        ys.append(names.index(name) + offset)
    ax.scatter(xs, ys, color=color, marker=marker, s=42, zorder=3, label=scenario)
