"""Figures of runs and batches (needs the ``plot`` extra: ``pip install '.[plot]'`` in a clone).

Every function returns a :class:`matplotlib.figure.Figure` (shown inline in a
notebook); :func:`save` writes one reproducibly (same figure, same bytes)::

    from sim.plots import timeline, batch, pareto, save
    save(timeline("runs/msft-openai-0.jsonl"), "timeline.png")

Importing this package does not import matplotlib; drawing does.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from matplotlib.figure import Figure


def timeline(source: Any) -> Figure:
    """One run's negotiation timeline: a log path or bytes, records, or a ``RunResult``."""
    from sim.plots.style import require_matplotlib

    require_matplotlib()
    from sim.plots.negotiation import timeline as draw

    return draw(source)


def batch(source: Any) -> Figure:
    """A batch at a glance: a results file (.parquet, .csv), a store (.sqlite, .db), a
    pyarrow Table, a pandas DataFrame, a dict of columns or a list of row dicts."""
    from sim.plots.style import require_matplotlib

    require_matplotlib()
    from sim.plots.montecarlo import batch as draw

    return draw(source)


def pareto(source: Any) -> Figure:
    """One run's outcome space in utility coordinates: Pareto frontier, Nash and
    Kalai-Smorodinsky points, the offers' path and the agreement."""
    from sim.plots.style import require_matplotlib

    require_matplotlib()
    from sim.plots.frontier import pareto as draw

    return draw(source)


def save(fig: Figure, path: str | os.PathLike[str], fmt: str | None = None) -> Path:
    """Write ``fig`` as PNG, SVG or PDF (from the suffix), with fixed metadata."""
    from sim.plots.style import save as write

    return write(fig, path, fmt)


def render(fig: Figure, fmt: str = "png") -> bytes:
    """The bytes :func:`save` would write."""
    from sim.plots.style import render as draw

    return draw(fig, fmt)


__all__ = ["batch", "pareto", "render", "save", "timeline"]
