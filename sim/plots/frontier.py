"""One run's negotiation in utility space: every possible outcome, the Pareto frontier,
the Nash and Kalai-Smorodinsky points, the path of each party's offers, and the deal.

Axes are the two negotiating parties' undiscounted utilities (first party on x), from
``sim.analysis.OutcomeAnalysis`` of the scenario in the log's ``RunStarted`` (so the
disagreement point is this run's reservation values). The agreement is the accepted
offer; when regulators' conditions changed the terms that took force, those are
marked too. When several outcomes tie as Nash points, all are marked (one ``nash``
artist), named in its legend label and given a column each in the side table (up to
three). Artists carry a ``gid``: ``outcomes``, ``frontier``, ``nash``,
``kalai_smorodinsky``, ``disagreement``, ``path:<party>``, ``agreement``, ``in_force``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from events.model import ContractSigned, OfferAccepted, OfferMade
from events.replay import Folder
from sim.engine.party_utility import utility_for
from sim.plots.loaders import Run, load_run
from sim.plots.style import MUTED, PARTY_COLORS, fixed_style, new_figure
from sim.plots.terms_format import issue_label, value_text

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

FRONTIER_COLOR = "#C00000"
# Tied Nash points get a column each in the side table, up to this many.
MAX_NASH_COLUMNS = 3


def pareto(source: object) -> Figure:
    """The outcome-space figure of one run (a log path or bytes, records, a RunResult)."""
    from sim.analysis import OutcomeAnalysis

    run = load_run(source)
    scenario = run.scenario
    analysis = OutcomeAnalysis.of(scenario)
    keys = scenario.negotiation.parties
    specs = [scenario.party(key) for key in keys]
    utilities = [utility_for(spec) for spec in specs]
    with fixed_style():
        fig = new_figure(13.0, 8.0)
        grid = fig.add_gridspec(1, 2, width_ratios=(2.0, 1.25))
        ax = fig.add_subplot(grid[0, 0])
        side = fig.add_subplot(grid[0, 1])
        _space(ax, analysis, [spec.name for spec in specs])
        deal = _path(ax, run, keys, [spec.name for spec in specs], utilities)
        _side(side, run, analysis, deal, [spec.name for spec in specs])
        digest = f", digest {run.digest[:12]}" if run.digest else ""
        fig.suptitle(
            f"{scenario.name}, seed {run.seed}: outcome space{digest}",
            fontsize=11,
            fontweight="bold",
        )
    return fig


def _space(ax: Axes, analysis: Any, names: list[str]) -> None:
    points = analysis.points
    d = analysis.disagreement
    ax.add_patch(_rational_region(d))
    ax.scatter(
        points[:, 0],
        points[:, 1],
        s=4,
        color="#B5B5B5",
        linewidths=0,
        label=f"possible outcomes ({len(points)})",
        gid="outcomes",
        zorder=1,
        rasterized=False,
    )
    front = analysis.frontier[np.argsort(points[analysis.frontier, 0], kind="stable")]
    ax.plot(
        points[front, 0],
        points[front, 1],
        color=FRONTIER_COLOR,
        linewidth=1.6,
        marker="o",
        markersize=3,
        label=f"Pareto frontier ({len(front)} outcomes)",
        gid="frontier",
        zorder=3,
    )
    ax.plot(
        [d[0]],
        [d[1]],
        marker="P",
        markersize=10,
        color="black",
        linestyle="none",
        label=f"disagreement (reservation values {d[0]:.2f}, {d[1]:.2f})",
        gid="disagreement",
        zorder=4,
    )
    ks = [] if analysis.kalai_smorodinsky is None else [analysis.kalai_smorodinsky]
    for indices, label, marker, gid in (
        (list(analysis.nash_points), "Nash bargaining point", "D", "nash"),
        (ks, "Kalai-Smorodinsky point", "s", "kalai_smorodinsky"),
    ):
        if not indices:
            continue
        u = points[indices]
        ax.plot(
            u[:, 0],
            u[:, 1],
            marker=marker,
            markersize=10,
            markerfacecolor="white",
            markeredgecolor=FRONTIER_COLOR,
            markeredgewidth=2.0,
            linestyle="none",
            label=named_points_label(label, u),
            gid=gid,
            zorder=6,
        )
    ax.set_xlim(-0.02, 1.02)
    ax.set_ylim(-0.02, 1.02)
    ax.set_aspect("equal")
    ax.set_xlabel(f"utility to {names[0]} (undiscounted)")
    ax.set_ylabel(f"utility to {names[1]} (undiscounted)")


def named_points_label(name: str, utilities: np.ndarray) -> str:
    """``"Nash bargaining point (0.62, 0.55)"``, or for tied points every one of them:
    ``"Nash bargaining points, 2 tied: (0.62, 0.55), (0.55, 0.62)"``."""
    pairs = ", ".join(f"({u[0]:.2f}, {u[1]:.2f})" for u in utilities)
    if len(utilities) == 1:
        return f"{name} {pairs}"
    return f"{name}s, {len(utilities)} tied: {pairs}"


def _rational_region(d: np.ndarray) -> Any:
    from matplotlib.patches import Rectangle

    return Rectangle(
        (d[0], d[1]),
        1.02 - d[0],
        1.02 - d[1],
        facecolor="#EAF3EA",
        edgecolor="none",
        label="both better off than without a deal",
        zorder=0,
    )


def _path(
    ax: Axes, run: Run, keys: tuple[str, str], names: list[str], utilities: list[Any]
) -> dict[str, Any]:
    """Each party's offers in order, the agreement, and the terms that took force.

    Returns the deal as :func:`_side` reads it: ``accepted`` terms and ``t``, the
    ``in_force`` terms, and their utility pairs ``u`` and ``u_in_force``.
    """
    paths, deal = _offers_and_deal(run, keys, utilities)
    _draw_paths(ax, keys, names, paths)
    if "accepted" in deal:
        _draw_deal(ax, deal, utilities)
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.09), ncol=2, fontsize=7.5)
    return deal


def _offers_and_deal(
    run: Run, keys: tuple[str, str], utilities: list[Any]
) -> tuple[dict[str, list[tuple[float, float]]], dict[str, Any]]:
    """One pass over the records: each party's offers as utility pairs, the first
    agreement and the terms of the contract it signed once that took force (after
    any regulators' conditions), by the shared fold."""
    paths: dict[str, list[tuple[float, float]]] = {key: [] for key in keys}
    deal: dict[str, Any] = {}
    folder = Folder()
    signed_id = None
    for record in run.records:
        folder.apply(record)
        event = record.event
        if isinstance(event, OfferMade) and event.sender in paths:
            paths[event.sender].append((utilities[0].of(event.terms), utilities[1].of(event.terms)))
        elif isinstance(event, OfferAccepted) and "accepted" not in deal:
            deal["accepted"] = event.terms
            deal["t"] = record.t
        elif isinstance(event, ContractSigned) and "accepted" in deal and signed_id is None:
            signed_id = event.contract_id
        if signed_id is not None and "in_force" not in deal and folder.contract_id == signed_id:
            deal["in_force"] = folder.terms
    return paths, deal


def _draw_paths(
    ax: Axes,
    keys: tuple[str, str],
    names: list[str],
    paths: dict[str, list[tuple[float, float]]],
) -> None:
    """Each party's offers as a line in its colour, its first offer labelled."""
    for index, key in enumerate(keys):
        path = np.array(paths[key], dtype=np.float64).reshape(-1, 2)
        if not len(path):
            continue
        ax.plot(
            path[:, 0],
            path[:, 1],
            color=PARTY_COLORS[index],
            linewidth=0.9,
            alpha=0.8,
            marker="o",
            markersize=3.5,
            label=f"{names[index]}'s offers, in order ({len(path)})",
            gid=f"path:{key}",
            zorder=5,
        )
        ax.annotate(
            "first",
            path[0],
            xytext=(5, 4),
            textcoords="offset points",
            fontsize=7,
            color=PARTY_COLORS[index],
        )


def _draw_deal(ax: Axes, deal: dict[str, Any], utilities: list[Any]) -> None:
    """The agreement as a star; where regulators' conditions changed the terms that
    took force, those as an open star with an arrow from the agreement. Adds the
    utility pairs to ``deal`` (``u``, ``u_in_force``)."""
    u = [utility.of(deal["accepted"]) for utility in utilities]
    deal["u"] = u
    ax.plot(
        [u[0]],
        [u[1]],
        marker="*",
        markersize=18,
        color="black",
        markeredgecolor="white",
        linestyle="none",
        label=f"agreement ({u[0]:.2f}, {u[1]:.2f})",
        gid="agreement",
        zorder=7,
    )
    in_force = deal.get("in_force")
    if in_force is None or in_force == deal["accepted"]:
        return
    v = [utility.of(in_force) for utility in utilities]
    deal["u_in_force"] = v
    ax.plot(
        [v[0]],
        [v[1]],
        marker="*",
        markersize=16,
        markerfacecolor="white",
        markeredgecolor="black",
        linestyle="none",
        label=f"terms in force after regulators' conditions ({v[0]:.2f}, {v[1]:.2f})",
        gid="in_force",
        zorder=7,
    )
    ax.annotate(
        "",
        (v[0], v[1]),
        xytext=(u[0], u[1]),
        arrowprops={"arrowstyle": "->", "color": MUTED, "linewidth": 1.0},
        zorder=6,
    )


def _side(ax: Axes, run: Run, analysis: Any, deal: dict[str, Any], names: list[str]) -> None:
    """The named points' terms, side by side, and the deal's distance to them."""
    ax.set_axis_off()
    columns: list[tuple[str, dict[str, Any] | None]] = []
    nash = [int(index) for index in analysis.nash_points]
    if not nash:
        columns.append(("Nash", None))
    for k, index in enumerate(nash[:MAX_NASH_COLUMNS]):
        title = "Nash" if len(nash) == 1 else f"Nash {k + 1}/{len(nash)}"
        columns.append((title, analysis.space.as_dict(index)))
    ks = analysis.kalai_smorodinsky
    columns.append(("Kalai-S.", analysis.space.as_dict(ks) if ks is not None else None))
    accepted = deal.get("accepted")
    columns.append(("agreed", _as_dict(accepted, analysis) if accepted is not None else None))
    if "u_in_force" in deal:
        columns.append(("in force", _as_dict(deal["in_force"], analysis)))
    issues = analysis.space.issue_names
    rows = [
        [issue_label(issue)]
        + [value_text(issue, terms[issue]) if terms else "—" for _, terms in columns]
        for issue in issues
    ]
    table = ax.table(
        cellText=rows,
        colLabels=["", *(title for title, _ in columns)],
        loc="upper center",
        cellLoc="center",
        colWidths=[0.3] + [0.7 / len(columns)] * len(columns),
    )
    table.auto_set_font_size(False)
    table.set_fontsize(7.5 if len(columns) < 4 else 7.0)
    table.scale(1.0, 1.4)
    for (row, col), cell in table.get_celld().items():
        cell.set_edgecolor("#CCCCCC")
        if row == 0:
            cell.set_text_props(fontweight="bold")
        elif col == 0:
            cell.set_text_props(ha="left")
    ax.set_title("Terms of the named points", loc="center")
    lines = []
    if "u" in deal:
        index = analysis.index_of(_as_dict(accepted, analysis))
        distances = analysis.distances(index)
        on_front = "on" if analysis.is_pareto_optimal(index) else "not on"
        lines.append(f"The agreement is {on_front} the Pareto frontier")
        lines.append(f"distance to the frontier {distances['pareto']:.3f}")
        nearest = " (nearest)" if len(nash) > 1 else ""
        lines.append(
            f"  to Nash{nearest} {distances['nash']:.3f}, "
            f"to Kalai-S. {distances['kalai_smorodinsky']:.3f}"
        )
        lines.append(f"welfare lost vs the best outcome {distances['welfare_loss']:.3f}")
        if "u_in_force" in deal:
            lines.append("Regulators' conditions changed the terms;")
            lines.append("  the hollow star is what took force")
    else:
        lines.append("No agreement in this run")
    if len(nash) > MAX_NASH_COLUMNS:
        lines.append(f"{len(nash)} tied Nash points; the table shows {MAX_NASH_COLUMNS}")
    lines.append(f"{names[0]} on x, {names[1]} on y; undiscounted utilities")
    ax.text(
        0.02,
        0.02,
        "\n".join(lines),
        transform=ax.transAxes,
        ha="left",
        va="bottom",
        fontsize=8,
        linespacing=1.6,
        bbox={"boxstyle": "round,pad=0.6", "facecolor": "#F7F7F7", "edgecolor": "#DDDDDD"},
    )


def _as_dict(terms: Any, analysis: Any) -> dict[str, Any]:
    return {name: terms.get(name) for name in analysis.space.issue_names}
