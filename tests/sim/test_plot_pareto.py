"""``sim.plots.pareto``: the outcome space, frontier, bargaining points and offer path,
checked against a brute-force enumeration done here."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from events.model import OfferAccepted, OfferMade
from sim import plots
from tests.sim.test_plot_support import (
    has_magic,
    log_path,  # noqa: F401 (fixture)
    plot_dir,  # noqa: F401 (fixture)
    scenario_of,
    utility,
)

pytest.importorskip("matplotlib")


@pytest.fixture(scope="module")
def figure(log_path):  # noqa: F811
    return plots.pareto(log_path)


@pytest.fixture(scope="module")
def space(log_path):  # noqa: F811
    """Every outcome's utilities, enumerated by brute force from the scenario."""
    _, scenario = scenario_of(log_path)
    first, second = scenario.negotiation.parties
    issues = scenario.negotiation.issues
    points = []
    for values in itertools.product(*(issue.values for issue in issues)):
        terms = dict(zip((issue.name for issue in issues), values, strict=True))
        points.append((utility(scenario, first, terms), utility(scenario, second, terms)))
    return np.array(points)


def _gid(ax, gid):
    found = [a for a in [*ax.lines, *ax.collections] if a.get_gid() == gid]
    assert len(found) == 1, gid
    return found[0]


def _rows(array):
    return sorted(map(tuple, np.round(array, 9)))


def test_outcomes_and_frontier(figure, space):
    ax = figure.axes[0]
    assert _rows(_gid(ax, "outcomes").get_offsets()) == _rows(space)
    # Non-dominated by brute force: nobody else at least as good for both, better for one.
    better_eq = (space[None, :, :] >= space[:, None, :] - 1e-9).all(axis=2)
    strictly = (space[None, :, :] > space[:, None, :] + 1e-9).any(axis=2)
    dominated = (better_eq & strictly).any(axis=1)
    assert _rows(_gid(ax, "frontier").get_xydata()) == _rows(space[~dominated])


def test_nash_and_kalai_points(log_path, figure, space):  # noqa: F811
    _, scenario = scenario_of(log_path)
    first, second = scenario.negotiation.parties
    d = np.array(
        [float(scenario.party(first).reservation), float(scenario.party(second).reservation)]
    )
    ax = figure.axes[0]
    assert _gid(ax, "disagreement").get_xydata()[0] == pytest.approx(d)
    rational = space[(space >= d - 1e-9).all(axis=1)]
    nash = _gid(ax, "nash").get_xydata()[0]
    assert np.prod(nash - d) == pytest.approx(np.prod(rational - d, axis=1).max(), abs=1e-9)
    ideal = rational.max(axis=0)
    ks = _gid(ax, "kalai_smorodinsky").get_xydata()[0]
    ratio = ((rational - d) / (ideal - d)).min(axis=1).max()
    assert ((ks - d) / (ideal - d)).min() == pytest.approx(ratio, abs=1e-9)


def test_offer_paths_and_agreement(log_path, figure):  # noqa: F811
    records, scenario = scenario_of(log_path)
    first, second = scenario.negotiation.parties
    ax = figure.axes[0]
    for party in (first, second):
        made = [
            r.event.terms for r in records if type(r.event) is OfferMade and r.event.sender == party
        ]
        expected = [(utility(scenario, first, t), utility(scenario, second, t)) for t in made]
        np.testing.assert_allclose(_gid(ax, f"path:{party}").get_xydata(), expected, atol=1e-12)
    accepted = next(r.event.terms for r in records if type(r.event) is OfferAccepted)
    np.testing.assert_allclose(
        _gid(ax, "agreement").get_xydata()[0],
        [utility(scenario, first, accepted), utility(scenario, second, accepted)],
        atol=1e-12,
    )


def test_renders_every_format_deterministically(figure, log_path):  # noqa: F811
    png = plots.render(figure)
    assert has_magic(png, "png")
    assert plots.render(plots.pareto(log_path)) == png
    assert has_magic(plots.render(figure, "pdf"), "pdf")
