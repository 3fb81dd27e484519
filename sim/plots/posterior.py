"""A calibration's posterior marginals, from its posterior table (``calibrate --out``).

One panel per ``param_<key>`` column: the weighted histogram of the posterior sample,
its weighted mean (solid) and central 90% interval (dashed), and the effective sample
size the panel is drawn from.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from events.errors import InputError
from sim.plots.loaders import Batch, load_batch
from sim.plots.style import MUTED, PARTY_COLORS, fixed_style, new_figure

if TYPE_CHECKING:
    from matplotlib.figure import Figure


def posterior(source: object) -> Figure:
    """The posterior figure (see the module doc) of a posterior table or its rows."""
    data = load_batch(source)
    keys = data.names("param_")
    if not keys or not data.has("weight"):
        raise InputError(f"{data.source}: not a posterior table (no param_* and weight columns)")
    weights = np.asarray([w or 0.0 for w in data.column("weight")], dtype=float)
    if weights.sum() <= 0:
        raise InputError(f"{data.source}: the posterior's weights sum to zero")
    weights = weights / weights.sum()
    ess = 1.0 / float(np.sum(weights**2))
    columns = min(3, len(keys))
    rows = -(-len(keys) // columns)
    with fixed_style():
        fig = new_figure(max(7.0, 4.6 * columns), 3.4 * rows + 0.6)
        for index, key in enumerate(keys):
            ax = fig.add_subplot(rows, columns, index + 1)
            _marginal(ax, data, key, weights)
        fig.suptitle(
            f"Posterior marginals: {data.n} particles, effective sample size {ess:.1f}",
            fontsize=11,
            fontweight="bold",
        )
    return fig


def _marginal(ax: Any, data: Batch, key: str, weights: np.ndarray) -> None:
    x = np.asarray([v if v is not None else np.nan for v in data.column(key)], dtype=float)
    keep = ~np.isnan(x)
    x, w = x[keep], weights[keep]
    bins = min(30, max(5, int(np.sqrt(x.size)) + 1))
    ax.hist(x, bins=bins, weights=w, color=PARTY_COLORS[0], alpha=0.75)
    mean = float(w @ x / w.sum())
    order = np.argsort(x)
    cumulative = np.cumsum(w[order]) / w.sum()
    low = float(x[order][min(np.searchsorted(cumulative, 0.05), x.size - 1)])
    high = float(x[order][min(np.searchsorted(cumulative, 0.95), x.size - 1)])
    ax.axvline(mean, color="black", linewidth=1.2, label=f"mean {mean:.4g}")
    for edge in (low, high):
        ax.axvline(edge, color=MUTED, linestyle="--", linewidth=1.0)
    ax.set_title(key[len("param_") :], fontsize=9)
    ax.set_ylabel("posterior weight")
    ax.legend(title=f"90%: [{low:.4g}, {high:.4g}]", fontsize=8, title_fontsize=8, loc="best")
