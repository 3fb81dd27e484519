"""``sim.plots.timeline``: the plotted arrays are the log's, recomputed independently."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from events.model import MilestoneReached, OfferAccepted, OfferMade, RulingIssued
from events.replay import around_milestone, milestone_index
from events.verify import verify_file
from sim import plots
from sim.engine import simulate
from sim.scenario import load_scenario
from tests.sim.test_plot_support import (
    AGI_IN_TALKS,
    SEED_AGI_IN_TALKS,
    has_magic,
    log_path,  # noqa: F401 (fixture)
    plot_dir,  # noqa: F401 (fixture)
    scenario_of,
    utility,
    write_run,
)

pytest.importorskip("matplotlib")


def _by_gid(ax, gid):
    found = [artist for artist in [*ax.lines, *ax.collections] if artist.get_gid() == gid]
    assert len(found) == 1, (gid, [a.get_gid() for a in ax.lines])
    return found[0]


@pytest.fixture(scope="module")
def figure(log_path):  # noqa: F811
    return plots.timeline(log_path)


def test_offers_are_the_logs_offers_in_utility_terms(log_path, figure):  # noqa: F811
    records, scenario = scenario_of(log_path)
    offers_ax = figure.axes[0]
    first, second = scenario.negotiation.parties
    for sender, other in ((first, second), (second, first)):
        made = [r for r in records if type(r.event) is OfferMade and r.event.sender == sender]
        assert made, sender
        times = [r.t for r in made]
        own = [utility(scenario, sender, r.event.terms) for r in made]
        theirs = [utility(scenario, other, r.event.terms) for r in made]
        np.testing.assert_allclose(
            _by_gid(offers_ax, f"offers:{sender}:self").get_xydata(),
            np.column_stack([times, own]),
            rtol=0,
            atol=1e-12,
        )
        np.testing.assert_allclose(
            _by_gid(offers_ax, f"offers:{sender}:other").get_xydata(),
            np.column_stack([times, theirs]),
            rtol=0,
            atol=1e-12,
        )


def test_agreement_reservations_and_agi_line(log_path, figure):  # noqa: F811
    records, scenario = scenario_of(log_path)
    first, second = scenario.negotiation.parties
    accepted = next(r for r in records if type(r.event) is OfferAccepted)
    star = _by_gid(figure.axes[0], "agreement").get_xydata()
    expected = [
        [accepted.t, utility(scenario, first, accepted.event.terms)],
        [accepted.t, utility(scenario, second, accepted.event.terms)],
    ]
    np.testing.assert_allclose(star, expected, atol=1e-12)

    drawn = records[0].event.drawn
    reservation = _by_gid(figure.axes[0], f"reservation:{second}").get_ydata()
    assert reservation[0] == pytest.approx(drawn[f"parties.{second}.reservation"])

    agi = next(r for r in records if type(r.event) is MilestoneReached)
    line = _by_gid(figure.axes[1], "agi:declared")  # the whole-run panel always shows AGI
    assert list(line.get_xdata()) == [agi.t, agi.t]
    lo, hi = figure.axes[1].get_xlim()
    assert lo <= 0.0 and hi >= records[-1].t


def test_rulings_are_marked_in_their_regulators_lanes(log_path, figure):  # noqa: F811
    records, scenario = scenario_of(log_path)
    events_ax = figure.axes[1]
    lanes = {label.get_text().replace("\n", " "): y for label, y in _lane_labels(events_ax)}
    offsets = np.concatenate(
        [c.get_offsets() for c in events_ax.collections if len(c.get_offsets())]
    )
    for record in records:
        if type(record.event) is RulingIssued:
            y = lanes[scenario.regulator(record.event.regulator).name]
            assert any(np.allclose(point, (record.t, y)) for point in offsets), record


def _lane_labels(ax):
    return zip(ax.get_yticklabels(), ax.get_yticks(), strict=True)


def _table_rows(ax):
    cells = ax.tables[0].get_celld()
    rows = {}
    for (row, col), cell in cells.items():
        rows.setdefault(row, {})[col] = cell.get_text().get_text()
    return {r[0]: [r[c] for c in sorted(r) if c > 0] for k, r in rows.items() if k > 0}


def test_terms_table_is_the_state_around_agi(log_path, figure):  # noqa: F811
    records, _ = scenario_of(log_path)
    before, after = around_milestone(records, "agi")
    rows = _table_rows(figure.axes[2])
    assert rows["contract ends"][:2] == [str(before.term_end), str(after.term_end)]
    yes = {True: "yes", False: "no"}
    for right in ("license.models", "exclusivity.api", "revenue_share.openai_to_microsoft"):
        assert rows[right][:2] == [yes[before.holds(right)], yes[after.holds(right)]]


def test_agi_during_the_talks_and_verification_column(plot_dir):  # noqa: F811
    # A panel in the history's AGI clause, so the verification comes after the
    # declaration (FACTS.md's clause has none: the declaration alone is final).
    panel = "prelude.2019-initial.clauses.agi_definition"
    overrides = (*AGI_IN_TALKS, f"{panel}.verification=true", f"{panel}.delay_months=6.0")
    path = write_run(plot_dir, "msft-openai", SEED_AGI_IN_TALKS, overrides)
    records, _ = scenario_of(path)
    fig = plots.timeline(path)
    declared = records[milestone_index(records, "agi")].t
    verified_at = milestone_index(records, "agi-verified")
    assert verified_at is not None
    # Inside the talks' window, so the offers panel shows it too.
    assert list(_by_gid(fig.axes[0], "agi:declared").get_xdata()) == [declared, declared]
    assert list(_by_gid(fig.axes[0], "agi:verified").get_xdata()) == [records[verified_at].t] * 2
    rows = _table_rows(fig.axes[2])
    assert len(rows["status"]) == 3  # before, after declaration, after verification
    from events.replay import fold

    after_verification = fold(records[: verified_at + 1])
    expected = "yes" if after_verification.holds("license.models") else "no"
    assert rows["license.models"][2] == expected


def test_inputs_a_runresult_records_and_bytes_give_the_same_image(log_path, figure):  # noqa: F811
    result = simulate(load_scenario("msft-openai"), 0)
    png = plots.render(figure)
    assert has_magic(png, "png")
    assert plots.render(plots.timeline(result)) == png
    assert plots.render(plots.timeline(Path(log_path).read_bytes())) == png
    # Bare records carry no digest (so the title lacks it); the data are the same.
    from_records = plots.timeline(verify_file(log_path).records)
    gid = "offers:microsoft:self"
    np.testing.assert_array_equal(
        _by_gid(from_records.axes[0], gid).get_xydata(), _by_gid(figure.axes[0], gid).get_xydata()
    )
    assert "digest" not in from_records.get_suptitle()


def test_step_scenario_has_no_dates(plot_dir):  # noqa: F811
    path = write_run(plot_dir, "bilateral-demo", 0)
    records, scenario = scenario_of(path)
    fig = plots.timeline(path)
    assert fig.axes[1].get_xlabel() == "simulated time (steps)"
    made = [r for r in records if type(r.event) is OfferMade and r.event.sender == "buyer"]
    xy = _by_gid(fig.axes[0], "offers:buyer:self").get_xydata()
    np.testing.assert_allclose(
        xy, [[r.t, utility(scenario, "buyer", r.event.terms)] for r in made], atol=1e-12
    )
    assert has_magic(plots.render(fig, "svg"), "svg")
