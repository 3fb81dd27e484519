"""The timeline of one run: offers in utility terms, and everything else that happened.

Top panel, zoomed to the talks: each negotiating party's offers over simulated time,
as the (undiscounted) utility of the offer to the proposer (solid) and to the other
side (dashed), each party's reservation value (dotted), the agreement (stars) and how
the talks ended. Bottom panel, the whole run: contracts in force, the talks, each
regulator's review and ruling, each competitor's outside offers with Microsoft's ROFR
decisions and OpenAI's outside deals. The AGI milestone is a vertical line in both
panels (when it falls inside them). Right: the terms in force just before and just
after AGI, from ``events.around_milestone`` (the one fold).

The plotted arrays are in simulated time (a log's ``t``); only the tick labels are
calendar dates. Lines and collections carry a ``gid`` (``offers:<party>:self``,
``offers:<party>:other``, ``agreement``, ``agi:declared``, ``agi:verified``,
``reservation:<party>``) so tests and users can find them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import attrs

from events.codec import Recorded
from events.model import (
    ContractExpired,
    ContractSigned,
    FirstRefusalExercised,
    FirstRefusalWaived,
    MilestoneReached,
    NegotiationEnded,
    OfferAccepted,
    OfferMade,
    OutsideDealAccepted,
    OutsideOfferMade,
    ReviewOpened,
    RulingIssued,
)
from events.replay import Folder, around_milestone, milestone_index
from events.state import ContractState
from sim.clause_text import amendment_text
from sim.engine.party_utility import utility_for
from sim.plots.calendar_axis import set_time_axis, time_label, uses_dates
from sim.plots.loaders import Run, load_run
from sim.plots.style import (
    AGI_COLOR,
    MUTED,
    OUTCOME_COLORS,
    PARTY_COLORS,
    fixed_style,
    new_figure,
)
from sim.plots.terms_format import issue_label, value_text

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure


# --------------------------------------------------------------------------- data


@attrs.frozen
class PartyOffers:
    """One party's offers: when, and what each is worth to it and to the other side."""

    party: str
    name: str
    t: list[float]
    own: list[float]
    other: list[float]


@attrs.frozen
class TimelineData:
    """Everything the timeline draws, derived from the run's records."""

    offers: list[PartyOffers]
    agreement: tuple[float, tuple[float, float]] | None  # (t, (u_first, u_second))
    talks_end: tuple[float, str, str | None] | None  # (t, reason, by)
    reservations: tuple[float, float]
    agi_declared: float | None
    agi_verified: float | None
    end: float


def timeline_data(run: Run) -> TimelineData:
    scenario = run.scenario
    keys = scenario.negotiation.parties
    specs = [scenario.party(key) for key in keys]
    utilities = [utility_for(spec) for spec in specs]
    series: dict[str, tuple[list[float], list[float], list[float]]] = {
        k: ([], [], []) for k in keys
    }
    agreement = None
    talks_end = None
    agi_declared = agi_verified = None
    for record in run.records:
        event = record.event
        if isinstance(event, OfferMade) and event.sender in series:
            ts, own, other = series[event.sender]
            mine = keys.index(event.sender)
            ts.append(record.t)
            own.append(utilities[mine].of(event.terms))
            other.append(utilities[1 - mine].of(event.terms))
        elif isinstance(event, OfferAccepted) and agreement is None:
            agreement = (record.t, (utilities[0].of(event.terms), utilities[1].of(event.terms)))
        elif isinstance(event, NegotiationEnded) and talks_end is None:
            talks_end = (record.t, event.reason, event.by)
        elif isinstance(event, MilestoneReached) and event.milestone == "agi":
            if agi_declared is None:
                agi_declared = record.t
            if event.verified and agi_verified is None:
                agi_verified = record.t
    offers = [
        PartyOffers(key, spec.name, *series[key]) for key, spec in zip(keys, specs, strict=True)
    ]
    return TimelineData(
        offers=offers,
        agreement=agreement,
        talks_end=talks_end,
        reservations=(float(specs[0].reservation), float(specs[1].reservation)),
        agi_declared=agi_declared,
        agi_verified=agi_verified,
        end=run.records[-1].t,
    )


# --------------------------------------------------------------------------- figure


def timeline(source: object) -> Figure:
    """The timeline figure of one run (a log path or bytes, records, or a RunResult)."""
    run = load_run(source)
    data = timeline_data(run)
    with fixed_style():
        fig = new_figure(14.0, 10.5)
        grid = fig.add_gridspec(2, 2, width_ratios=(3.0, 1.15), height_ratios=(1.1, 1.0))
        offers_ax = fig.add_subplot(grid[0, 0])
        events_ax = fig.add_subplot(grid[1, 0])
        table_ax = fig.add_subplot(grid[0, 1])
        story_ax = fig.add_subplot(grid[1, 1])
        window = _draw_offers(offers_ax, run, data)
        _draw_events(events_ax, run, data, window)
        _draw_terms(table_ax, run, data)
        _draw_story(story_ax, run, data)
        digest = f", digest {run.digest[:12]}" if run.digest else ""
        fig.suptitle(
            f"{run.scenario.name}, seed {run.seed}: negotiation timeline{digest}",
            fontsize=11,
            fontweight="bold",
        )
    return fig


def _when(run: Run, t: float) -> str:
    scenario = run.scenario
    if uses_dates(scenario):
        return str(scenario.date_of(t).isoformat())
    return f"t={t:g}"


def _draw_offers(ax: Axes, run: Run, data: TimelineData) -> tuple[float, float]:
    """The talks: offer utilities over time. Returns the time window shown.

    The window spans the offers, the agreement and the talks' end, padded; the whole-run
    panel below shades it. The parts are drawn in a fixed order, which fixes the
    legend's order and the figure's bytes.
    """
    span = _offers_span(data)
    if span is None:
        ax.text(0.5, 0.5, "no offers in this run", ha="center", va="center", transform=ax.transAxes)
        ax.set_axis_off()
        return (0.0, max(data.end, 1.0))
    lo, hi = span
    pad = max((hi - lo) * 0.03, 0.5)
    window = (lo - pad, hi + pad)
    names = [offers.name for offers in data.offers]
    _offer_lines(ax, data, names)
    _reservation_lines(ax, data)
    _agreement_marks(ax, data, names)
    _talks_end_line(ax, data)
    _agi_lines(ax, data, window, label=True)
    _agi_outside_note(ax, run, data, window)
    set_time_axis(ax, run.scenario, *window)
    ax.set_ylim(-0.02, 1.05)
    ax.set_ylabel("utility of the offer (undiscounted)")
    ax.set_title(
        f"Offers, {_when(run, lo)} to {_when(run, hi)} "
        f"({sum(len(o.t) for o in data.offers)} offers)",
        loc="left",
    )
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.09), ncol=3, fontsize=7.5)
    return window


def _offers_span(data: TimelineData) -> tuple[float, float] | None:
    """The first and last moment of the talks (offers, agreement, end); None without."""
    all_t = [t for offers in data.offers for t in offers.t]
    if data.agreement:
        all_t.append(data.agreement[0])
    if data.talks_end:
        all_t.append(data.talks_end[0])
    if not all_t:
        return None
    return min(all_t), max(all_t)


def _offer_lines(ax: Axes, data: TimelineData, names: list[str]) -> None:
    """Per party, two lines over its offers: their utility to itself (solid) and to the
    other side (dashed, open markers), in the party's colour."""
    for index, offers in enumerate(data.offers):
        color = PARTY_COLORS[index]
        other = names[1 - index]
        ax.plot(
            offers.t,
            offers.own,
            color=color,
            marker="o",
            markersize=3.5,
            linewidth=1.4,
            label=f"{offers.name}'s offers: utility to {offers.name}",
            gid=f"offers:{offers.party}:self",
        )
        ax.plot(
            offers.t,
            offers.other,
            color=color,
            marker="o",
            markersize=3.0,
            markerfacecolor="white",
            linewidth=1.0,
            linestyle="--",
            label=f"{offers.name}'s offers: utility to {other}",
            gid=f"offers:{offers.party}:other",
        )


def _reservation_lines(ax: Axes, data: TimelineData) -> None:
    """Each party's reservation value as a dotted horizontal line in its colour."""
    for index, (offers, value) in enumerate(zip(data.offers, data.reservations, strict=True)):
        ax.axhline(
            value,
            color=PARTY_COLORS[index],
            linestyle=":",
            linewidth=1.0,
            label=f"{offers.name}'s reservation value",
            gid=f"reservation:{offers.party}",
        )


def _agreement_marks(ax: Axes, data: TimelineData, names: list[str]) -> None:
    """The agreement as two stars (its utility to each side), each labelled."""
    if not data.agreement:
        return
    t, (first, second) = data.agreement
    ax.plot(
        [t, t],
        [first, second],
        linestyle="none",
        marker="*",
        markersize=13,
        color="black",
        markeredgecolor="white",
        label="agreement (utility to each side)",
        gid="agreement",
        zorder=5,
    )
    for name, value in zip(names, (first, second), strict=True):
        ax.annotate(
            f"{name} {value:.2f}",
            (t, value),
            xytext=(6, 0),
            textcoords="offset points",
            va="center",
            fontsize=8,
        )


def _talks_end_line(ax: Axes, data: TimelineData) -> None:
    """Talks that ended without an agreement: a vertical line saying why."""
    if data.talks_end and data.talks_end[1] != "agreement":
        t, reason, by = data.talks_end
        text = "deadline" if reason == "deadline" else f"walk-away by {by}"
        ax.axvline(t, color=MUTED, linestyle="-.", linewidth=1.2, label=f"talks end ({text})")


def _agi_outside_note(ax: Axes, run: Run, data: TimelineData, window: tuple[float, float]) -> None:
    """An AGI declaration outside the zoomed window has no line here: a note in the
    corner on its side says when it came and points to the panel below."""
    if data.agi_declared is None or window[0] <= data.agi_declared <= window[1]:
        return
    after = data.agi_declared > window[1]
    ax.text(
        0.995 if after else 0.005,
        0.015,
        f"AGI declared {_when(run, data.agi_declared)}, outside this window "
        f"(see below) {'→' if after else '←'}",
        transform=ax.transAxes,
        ha="right" if after else "left",
        va="bottom",
        fontsize=7.5,
        color=AGI_COLOR,
    )


def _agi_lines(ax: Axes, data: TimelineData, window: tuple[float, float], *, label: bool) -> None:
    """The AGI declaration (solid) and verification (dashed) as vertical lines, where
    they fall inside ``window``; in the legend only where ``label`` (the top panel)."""
    lo, hi = window
    if data.agi_declared is not None and lo <= data.agi_declared <= hi:
        ax.axvline(
            data.agi_declared,
            color=AGI_COLOR,
            linewidth=2.0,
            label="AGI declared" if label else None,
            gid="agi:declared",
            zorder=4,
        )
    if data.agi_verified is not None and lo <= data.agi_verified <= hi:
        ax.axvline(
            data.agi_verified,
            color=AGI_COLOR,
            linewidth=1.5,
            linestyle="--",
            label="AGI verified" if label else None,
            gid="agi:verified",
            zorder=4,
        )


def _draw_events(ax: Axes, run: Run, data: TimelineData, window: tuple[float, float]) -> None:
    """Every lane of the run: contracts, talks, regulators, competitors; AGI lines.

    One function per lane. They share ``handles``, the legend's entries by label, so a
    label drawn in several lanes or several times is listed once, where it first
    appeared; the lanes are drawn in this fixed order, which fixes the legend's order
    and the artists' drawing order (and so the figure's bytes).
    """
    records = run.records
    lanes, labels = _lanes(run)
    y = {lane: -index for index, lane in enumerate(lanes)}
    handles: dict[str, Any] = {}
    _contract_lane(ax, records, y["contract"], handles)
    _talks_lane(ax, data, window, y["talks"], handles)
    _regulator_lanes(ax, records, y, handles)
    _competitor_lanes(ax, records, y, handles)
    full = (min(0.0, window[0]), max(data.end, window[1]))
    _whole_run_agi(ax, run, data, window, full)
    _whole_run_axes(ax, run, full, [y[lane] for lane in lanes], [labels[lane] for lane in lanes])
    _whole_run_legend(ax, data, handles)


def _lanes(run: Run) -> tuple[list[str], dict[str, str]]:
    """The lanes from top to bottom and their labels: the contract, the talks, then one
    lane per regulator and per competitor that acted in this run (sorted by key, so a
    run's lanes do not depend on the order of its events)."""
    scenario = run.scenario
    records = run.records
    lanes: list[str] = ["contract", "talks"]
    regulators = _ordered({e.regulator for e in _events(records, ReviewOpened, RulingIssued)})
    competitors = _ordered({e.competitor for e in _events(records, OutsideOfferMade)})
    labels = {"contract": "contract in force", "talks": "talks"}
    for key in regulators:
        lanes.append(f"regulator:{key}")
        labels[f"regulator:{key}"] = _name(scenario.regulators, key)
    for key in competitors:
        lanes.append(f"competitor:{key}")
        labels[f"competitor:{key}"] = _name(scenario.competitors, key)
    return lanes, labels


def _contract_lane(
    ax: Axes, records: Sequence[Recorded], lane: float, handles: dict[str, Any]
) -> None:
    """Contracts in force as bars (from the fold, so a lapse without an event shows),
    each labelled with its id, and the signings and expiries as markers."""
    for index, (contract_id, start, stop) in enumerate(_in_force_spans(records)):
        bar = ax.broken_barh(
            [(start, stop - start)],
            (lane - 0.2, 0.4),
            color=("#BFD8EC", "#8DB9DD")[index % 2],
            zorder=1,
        )
        handles.setdefault("a contract in force", bar)
        above = index % 2 == 0  # alternate so neighbouring ids do not overlap
        ax.annotate(
            contract_id,
            (start, lane + (0.24 if above else -0.24)),
            fontsize=6.5,
            color=MUTED,
            xytext=(1, 0),
            textcoords="offset points",
            va="bottom" if above else "top",
        )
    signed = [r.t for r in records if type(r.event) is ContractSigned]
    if signed:
        handles["contract signed"] = ax.scatter(
            signed, [lane] * len(signed), marker="D", s=22, color=PARTY_COLORS[0], zorder=3
        )
    expired = [r.t for r in records if type(r.event) is ContractExpired]
    if expired:
        handles["contract expired"] = ax.scatter(
            expired, [lane] * len(expired), marker="X", s=40, color="black", zorder=3
        )


def _talks_lane(
    ax: Axes,
    data: TimelineData,
    window: tuple[float, float],
    lane: float,
    handles: dict[str, Any],
) -> None:
    """The talks: a bar from the first offer to the end of the zoomed window, one tick
    per offer, then the agreement or how the talks ended without one."""
    offer_times = sorted(t for offers in data.offers for t in offers.t)
    if offer_times:
        ax.broken_barh(
            [(offer_times[0], window[1] - offer_times[0])],
            (lane - 0.22, 0.44),
            color="#EDEDED",
            zorder=1,
        )
        handles["offer"] = ax.scatter(
            offer_times, [lane] * len(offer_times), marker="|", s=40, color=MUTED, zorder=2
        )
    if data.agreement:
        handles["agreement"] = ax.scatter(
            [data.agreement[0]], [lane], marker="*", s=120, color="black", zorder=3
        )
    elif data.talks_end:
        handles["talks end without a deal"] = ax.scatter(
            [data.talks_end[0]], [lane], marker="X", s=50, color=MUTED, zorder=3
        )


def _regulator_lanes(
    ax: Axes, records: Sequence[Recorded], y: dict[str, int], handles: dict[str, Any]
) -> None:
    """Each regulator's lane: a bar per review from its opening to the ruling, the
    ruling as a marker coloured by outcome (with its conditions written beside it), and
    a hatched bar to the due date for a review still open when the run ended."""
    opened: dict[tuple[str, str], tuple[float, float]] = {}
    for record in records:
        event = record.event
        if type(event) is ReviewOpened:
            opened[(event.regulator, event.contract_id)] = (record.t, event.due)
        elif type(event) is RulingIssued:
            start, _ = opened.pop((event.regulator, event.contract_id), (record.t, record.t))
            _ruling(ax, record.t, event, start, y[f"regulator:{event.regulator}"], handles)
    for (regulator, _), (start, due) in opened.items():  # reviews still open at the end
        bar = ax.broken_barh(
            [(start, max(due, start) - start)],
            (y[f"regulator:{regulator}"] - 0.18, 0.36),
            facecolor="none",
            edgecolor="#9A86B0",
            hatch="//",
            zorder=1,
        )
        handles["review open at the end (due)"] = bar


def _ruling(
    ax: Axes, t: float, event: RulingIssued, start: float, lane: float, handles: dict[str, Any]
) -> None:
    """One ruling at ``t`` on a review opened at ``start``: the review's bar, the
    conditions it imposed (as text), and the ruling's marker (a cross for a block)."""
    bar = ax.broken_barh([(start, t - start)], (lane - 0.18, 0.36), color="#E9E2F0", zorder=1)
    handles.setdefault("regulatory review", bar)
    label = "ruling: " + event.outcome.replace("_", " ")
    if event.conditions:
        conditions = amendment_text(event.conditions)
        ax.annotate(
            conditions,
            (t, lane),
            xytext=(6, 0),
            textcoords="offset points",
            va="center",
            fontsize=6.5,
            color=MUTED,
        )
    handles[label] = ax.scatter(
        [t],
        [lane],
        marker="o" if event.outcome != "blocked" else "X",
        s=45,
        color=OUTCOME_COLORS[event.outcome],
        edgecolor="black",
        linewidth=0.5,
        zorder=3,
    )


def _competitor_lanes(
    ax: Axes, records: Sequence[Recorded], y: dict[str, int], handles: dict[str, Any]
) -> None:
    """Each competitor's lane: its outside offers as open circles sized by value, and
    what became of each (Microsoft's ROFR match or waiver, OpenAI's outside deal) as a
    marker on the same lane as the offer it answers."""
    offer_lane: dict[int, float] = {}
    for record in records:
        event = record.event
        if isinstance(event, OutsideOfferMade):
            offer_y: float = y[f"competitor:{event.competitor}"]
            offer_lane[record.seq] = offer_y
            handles["outside offer (size: USD bn)"] = ax.scatter(
                [record.t],
                [offer_y],
                s=12 + 2.0 * event.value_bn,
                facecolor="none",
                edgecolor=MUTED,
                linewidth=0.8,
                zorder=2,
            )
        elif isinstance(event, FirstRefusalExercised | FirstRefusalWaived | OutsideDealAccepted):
            offer_y = offer_lane.get(event.offer_seq, y.get(f"competitor:{event.competitor}", 0))
            text, marker, color, size = _answer_style(event)
            handles[text] = ax.scatter(
                [record.t],
                [offer_y],
                marker=marker,
                s=size,
                color=color,
                edgecolor="black",
                linewidth=0.5,
                zorder=3,
            )


def _answer_style(
    event: FirstRefusalExercised | FirstRefusalWaived | OutsideDealAccepted,
) -> tuple[str, str, str, int]:
    """(legend label, marker, colour, size) of an answer to an outside offer."""
    if isinstance(event, FirstRefusalExercised):
        return ("ROFR exercised (Microsoft matches)", "s", PARTY_COLORS[0], 26)
    if isinstance(event, FirstRefusalWaived):
        return ("ROFR waived", "s", "white", 26)
    return ("outside deal taken by OpenAI", "^", PARTY_COLORS[1], 30)


def _whole_run_agi(
    ax: Axes,
    run: Run,
    data: TimelineData,
    window: tuple[float, float],
    full: tuple[float, float],
) -> None:
    """Shade the top panel's window, draw the AGI lines across every lane and label
    them with their dates at the top (declared above verified)."""
    ax.axvspan(*window, color="#F6F0D6", zorder=0, linewidth=0)
    _agi_lines(ax, data, full, label=False)
    for row, (t, text) in enumerate(
        ((data.agi_declared, "AGI declared"), (data.agi_verified, "AGI verified"))
    ):
        if t is not None:
            ax.annotate(
                f"{text} {_when(run, t)}",
                (t, 0.98 - 0.045 * row),
                xycoords=ax.get_xaxis_transform(),
                xytext=(4, 0),
                textcoords="offset points",
                fontsize=7.5,
                color=AGI_COLOR,
                va="top",
                fontweight="bold",
            )


def _whole_run_axes(
    ax: Axes, run: Run, full: tuple[float, float], ticks: list[int], labels: list[str]
) -> None:
    """The whole run's time axis, one labelled tick per lane, headroom for the AGI
    labels, and the panel's title."""
    scenario = run.scenario
    set_time_axis(ax, scenario, *full)
    ax.set_yticks(ticks, [_wrap(label) for label in labels])
    ax.set_ylim(-len(ticks) + 0.45, 1.45)  # headroom for the AGI labels
    ax.grid(axis="y", visible=False)
    ax.set_xlabel(time_label(scenario))
    ax.set_title("The whole run (shaded: the talks shown above)", loc="left")


def _whole_run_legend(ax: Axes, data: TimelineData, handles: dict[str, Any]) -> None:
    """The legend below the panel: every lane's entries, then the AGI lines' styles."""
    if data.agi_declared is not None:
        from matplotlib.lines import Line2D

        handles["AGI declared"] = Line2D([], [], color=AGI_COLOR, linewidth=2.0)
        if data.agi_verified is not None:
            handles["AGI verified"] = Line2D([], [], color=AGI_COLOR, linestyle="--")
    ax.legend(
        list(handles.values()),
        list(handles),
        loc="upper center",
        bbox_to_anchor=(0.5, -0.1),
        ncol=4,
        fontsize=7.5,
        markerscale=0.8,
    )


def _draw_terms(ax: Axes, run: Run, data: TimelineData) -> None:
    """The terms in force just before and just after AGI (or at the end, without AGI).

    Rows whose value changes at AGI are shaded.
    """
    ax.set_axis_off()
    records = list(run.records)
    around = around_milestone(records, "agi")
    if around is not None:
        when = _when(run, data.agi_declared) if data.agi_declared is not None else ""
        columns = [("before AGI", around[0]), ("after AGI", around[1])]
        heading = f"Terms in force just before and\njust after AGI is declared ({when})"
        declared_at = milestone_index(records, "agi")
        verified_at = milestone_index(records, "agi-verified")
        if verified_at is not None and verified_at != declared_at:
            # The clause may lapse rights only on verification: show that step too.
            columns.append(("after verification", state_at_index(records, verified_at)))
            heading += f"\nand once verified ({_when(run, records[verified_at].t)})"
    else:
        from events.replay import fold

        columns = [("at the end", fold(run.records))]
        heading = "Terms in force at the end\n(AGI was not declared in this run)"
    issues = run.scenario.negotiation.issue_names
    rows = _term_rows(issues, [state for _, state in columns])
    cell_text = [[label, *cells] for label, cells in rows]
    label_width = 0.42 if len(columns) < 3 else 0.33
    value_width = (1.0 - label_width) / len(columns)
    table = ax.table(
        cellText=cell_text,
        colLabels=[
            "",
            *(title.replace(" ", "\n", 1) if len(columns) > 2 else title for title, _ in columns),
        ],
        loc="upper center",
        cellLoc="center",
        colWidths=[label_width] + [value_width] * len(columns),
    )
    table.auto_set_font_size(False)
    table.set_fontsize(8 if len(columns) < 3 else 7.5)
    table.scale(1.0, 1.45)
    for (row, col), cell in table.get_celld().items():
        cell.set_edgecolor("#CCCCCC")
        if row == 0:
            cell.set_text_props(fontweight="bold")
            if col == 0:
                cell.set_edgecolor("none")
        elif col == 0:
            cell.set_text_props(ha="left")
            cell.PAD = 0.04
        if row == 0 and len(columns) > 2:
            cell.set_height(cell.get_height() * 1.6)
        if row > 0 and len(set(cell_text[row - 1][1:])) > 1:
            cell.set_facecolor("#F3E6F7")
    ax.set_title(heading, loc="center")


def _draw_story(ax: Axes, run: Run, data: TimelineData) -> None:
    ax.set_axis_off()
    ax.text(
        0.02,
        1.0,
        _story(run, data),
        transform=ax.transAxes,
        ha="left",
        va="top",
        fontsize=8,
        linespacing=1.6,
        bbox={"boxstyle": "round,pad=0.6", "facecolor": "#F7F7F7", "edgecolor": "#DDDDDD"},
    )


def _term_rows(
    issues: Sequence[str], states: Sequence[ContractState]
) -> list[tuple[str, list[str]]]:
    rows: list[tuple[str, list[str]]] = [("status", [s.status.replace("_", " ") for s in states])]
    for issue in issues:
        cells = []
        for state in states:
            terms = state.terms
            try:
                value = terms.get(issue) if terms is not None else None
            except KeyError:
                value = None
            cells.append(value_text(issue, value))
        rows.append((issue_label(issue), cells))
    if any(s.clauses or s.rights or s.investment_total_bn for s in states):
        rows.append(("contract ends", [value_text("", s.term_end) for s in states]))
        rows.append(("investment, total", [f"USD {s.investment_total_bn:g} bn" for s in states]))
        for right in sorted({right for s in states for right in s.rights}):
            rows.append((right, [value_text("", s.holds(right)) for s in states]))
    return rows


def _story(run: Run, data: TimelineData) -> str:
    """What happened, in words, for the reader who does not read plots."""
    scenario = run.scenario
    lines = []
    offers = sum(len(o.t) for o in data.offers)
    if data.agreement:
        t, (first, second) = data.agreement
        names = [o.name for o in data.offers]
        lines.append(f"Agreed {_when(run, t)} after {offers} offers")
        lines.append(
            f"  utility to {names[0]} {first:.2f}, to {names[1]} {second:.2f} (undiscounted)"
        )
    elif data.talks_end:
        lines.append(f"No deal: talks ended ({data.talks_end[1].replace('_', ' ')})")
    else:
        lines.append(f"No deal ({offers} offers)")
    for record in run.records:
        event = record.event
        if type(event) is RulingIssued:
            lines.append(
                f"{_name(scenario.regulators, event.regulator)}: "
                f"{event.outcome.replace('_', ' ')} ({_when(run, record.t)})"
            )
    outside = len(_events(run.records, OutsideOfferMade))
    if outside:
        matched = len(_events(run.records, FirstRefusalExercised))
        waived = len(_events(run.records, FirstRefusalWaived))
        taken = len(_events(run.records, OutsideDealAccepted))
        lines.append(f"Outside offers: {outside}")
        lines.append(f"  ROFR exercised {matched}, waived {waived}; OpenAI took {taken}")
    if data.agi_declared is not None:
        lines.append(f"AGI declared {_when(run, data.agi_declared)}")
        if data.agi_verified is not None:
            lines.append(f"  verified {_when(run, data.agi_verified)}")
        else:
            lines.append("  not verified")
    elif scenario.agi is not None:
        lines.append("AGI not declared before the run ended")
    lines.append(f"Run ends {_when(run, data.end)}")
    return "\n".join(lines)


# --------------------------------------------------------------------------- helpers


def _wrap(text: str, width: int = 24) -> str:
    import textwrap

    return "\n".join(textwrap.wrap(text, width)) or text


def _events(records: Sequence[Recorded], *kinds: type) -> list[Any]:
    return [r.event for r in records if type(r.event) in kinds]


def _ordered(keys: set[str]) -> list[str]:
    return sorted(keys)


def _name(specs: Sequence[Any], key: str) -> str:
    for spec in specs:
        if spec.key == key:
            return str(spec.name)
    return key


def state_at_index(records: Sequence[Recorded], index: int) -> ContractState:
    """The state just after ``records[index]`` (the shared fold, on a prefix)."""
    from events.replay import fold

    return fold(records[: index + 1])


def _in_force_spans(records: Sequence[Recorded]) -> list[tuple[str, float, float]]:
    """``(contract_id, from, to)`` for each stretch a contract is in force (by the fold)."""
    folder = Folder()
    spans: list[tuple[str, float, float]] = []
    current: str | None = None
    since = 0.0
    for record in records:
        folder.apply(record)
        now = folder.contract_id
        if now != current:
            if current is not None:
                spans.append((current, since, record.t))
            current, since = now, record.t
    if current is not None:
        spans.append((current, since, records[-1].t))
    return spans
