"""``sim.plots.batch``: a real small batch, as Parquet, CSV and a store; figure data
checked against counts and Wilson intervals worked out here."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import numpy as np
import pytest

from events.errors import InputError
from sim import plots
from sim.plots.montecarlo import proportions
from tests.sim.test_plot_support import (
    batch_rows,  # noqa: F401 (fixture)
    batch_runs,
    has_magic,
    plot_dir,  # noqa: F401 (fixture)
    wilson,
    write_csv,
    write_parquet,
    write_store,
)

pytest.importorskip("matplotlib")
pytest.importorskip("pyarrow")


@pytest.fixture(scope="module")
def parquet(plot_dir, batch_rows):  # noqa: F811
    return write_parquet(plot_dir / "batch.parquet", batch_rows[0])


@pytest.fixture(scope="module")
def figure(parquet):
    return plots.batch(parquet)


def _year(iso: str) -> float:
    date = dt.date.fromisoformat(iso)
    start = dt.date(date.year, 1, 1)
    return date.year + (date - start).days / (dt.date(date.year + 1, 1, 1) - start).days


def test_signing_histogram_counts_every_deal(figure, batch_rows):  # noqa: F811
    rows = batch_rows[0]
    dates = Counter(_year(r["agreement_date"]) for r in rows if r["agreement"])
    bars = [p for p in figure.axes[0].patches if p.get_gid() is None or "hist" in p.get_gid()]
    heights = {round(p.get_x() + p.get_width() / 2, 9): p.get_height() for p in bars}
    assert heights == {round(x, 9): n for x, n in dates.items()}
    assert f"({sum(dates.values())} of {len(rows)} runs)" in figure.axes[0].get_title(loc="left")


def test_headline_proportions_with_wilson_intervals(figure, batch_rows):  # noqa: F811
    rows = batch_rows[0]
    deals = sum(bool(r["agreement"]) for r in rows)
    with_agi = [r for r in rows if r["agi_time"] is not None]
    kept = sum(bool(r["after_agi.license.models"]) for r in with_agi)
    items = {item.label.split("\n")[0]: item for item in proportions(plots_batch(rows))}
    assert (items["deal signed"].k, items["deal signed"].n) == (deals, len(rows))
    access = items["Microsoft keeps access"]
    assert (access.k, access.n) == (kept, len(with_agi))
    assert access.interval == pytest.approx(wilson(kept, len(with_agi)), abs=1e-12)
    # The figure shows exactly these: a marker at k/n and the interval in its label.
    texts = [t.get_text() for t in figure.axes[2].texts]
    low, high = wilson(kept, len(with_agi))
    assert any(
        t.startswith(f"{kept / len(with_agi):.0%} [{low:.0%}, {high:.0%}]")
        and f"({kept}/{len(with_agi)})" in t
        for t in texts
    ), texts
    markers = [line.get_xdata()[0] for line in figure.axes[2].lines if len(line.get_xdata()) == 1]
    assert kept / len(with_agi) in markers


def plots_batch(rows):
    from sim.plots.loaders import load_batch

    return load_batch(rows)


def test_term_shares_are_the_deals_shares(figure, batch_rows):  # noqa: F811
    rows = [r for r in batch_rows[0] if r["agreement"]]
    terms_ax = figure.axes[3]
    for issue in ("cloud", "term_end", "ip_expiry"):
        counts = Counter(r[f"terms_{issue}"] for r in rows)
        widths = {
            p.get_gid().split(":", 2)[2]: p.get_width()
            for p in terms_ax.patches
            if (p.get_gid() or "").startswith(f"terms:{issue}:")
        }
        assert sum(widths.values()) == pytest.approx(1.0)
        assert sorted(widths.values()) == pytest.approx(
            sorted(n / len(rows) for n in counts.values())
        )


def test_agi_against_signing_plots_every_run_with_both(figure, batch_rows):  # noqa: F811
    rows = [r for r in batch_rows[0] if r["agreement"] and r["agi_date"]]
    expected = Counter(
        (_year(r["agreement_date"]), _year(r["agi_date"]), bool(r["after_agi.license.models"]))
        for r in rows
    )
    seen: Counter = Counter()
    for collection in figure.axes[1].collections:
        gid = collection.get_gid() or ""
        if gid.startswith("agi-vs-signing:"):
            kept = gid.endswith("kept")
            sizes = collection.get_sizes()
            for (x, y), size in zip(collection.get_offsets(), sizes, strict=True):
                seen[(x, y, kept)] += round((size - 10) / 6)  # area = 10 + 6 * runs
    assert seen == expected


def test_sweep_panel_proportions_and_bands(plot_dir):  # noqa: F811
    rows, results = batch_runs(12, sweep=(90.0, 150.0))
    path = write_store(plot_dir / "sweep.sqlite", rows, results)
    fig = plots.batch(path)
    sweep_ax = fig.axes[5]
    assert "agi.at" in sweep_ax.get_title(loc="left")
    line = next(x for x in sweep_ax.lines if x.get_gid() == "sweep:agi.at:deal signed")
    for x, y in line.get_xydata():
        cell = [r for r in rows if r["sweep_agi.at"] == x]
        k = sum(bool(r["agreement"]) for r in cell)
        assert y == pytest.approx(k / len(cell))
        low, high = wilson(k, len(cell))
        band = sweep_ax.collections[0].get_paths()[0].vertices
        assert any(np.allclose(v, (x, low)) for v in band)
        assert any(np.allclose(v, (x, high)) for v in band)


def test_formats_and_determinism(plot_dir, parquet, figure, batch_rows):  # noqa: F811
    png = plots.render(figure)
    assert has_magic(png, "png")
    assert plots.render(plots.batch(parquet)) == png
    csv_path = write_csv(plot_dir / "batch.csv", batch_rows[0])
    assert has_magic(plots.render(plots.batch(csv_path), "pdf"), "pdf")
    saved = plots.save(figure, plot_dir / "batch.svg")
    assert has_magic(saved.read_bytes(), "svg")


def test_empty_batch_is_an_input_error(plot_dir):  # noqa: F811
    path = write_csv(plot_dir / "empty.csv", [], names=["run", "seed", "agreement"])
    with pytest.raises(InputError, match="no runs"):
        plots.batch(path)
    with pytest.raises(InputError, match="no runs"):
        plots.batch([])
