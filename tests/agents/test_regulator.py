"""Regulators act only within their powers: jurisdiction, and who may block."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from agents.regulator import POWERS, concern, has_jurisdiction, ruling
from events.clauses import Amendment, Equity, Exclusivity, License

MS = "microsoft"
DEAL = (License(MS, ("models",)), Exclusivity(MS, "all"), Equity(MS, 0.4))
OPEN_CLOUD = Amendment(remove=("exclusivity.all",))


@pytest.mark.parametrize(
    ("powers", "threshold", "clauses", "expected"),
    [
        ("merger_control", 0.5, DEAL, False),  # 40% is influence, not control
        ("merger_control", 0.4, DEAL, True),  # at the threshold: control
        ("merger_control", 0.0, (License(MS, ("models",)),), True),  # no threshold
        ("merger_control", 0.1, (License(MS, ("models",)),), False),  # no stake at all
        ("conduct", 0.9, DEAL, True),  # any deal
        ("charity", 0.0, DEAL, False),  # never a commercial deal
    ],
)
def test_jurisdiction(powers: str, threshold: float, clauses: tuple, expected: bool) -> None:
    assert has_jurisdiction(clauses, powers, threshold) is expected


def test_only_merger_control_blocks_and_conduct_inquires_instead() -> None:
    p_block = 0.5 * 1.0 * concern(DEAL)
    u = p_block / 2  # a draw that blocks
    assert ruling(DEAL, 1.0, OPEN_CLOUD, u, "merger_control")[0] == "blocked"
    assert ruling(DEAL, 1.0, OPEN_CLOUD, u, "conduct")[0] == "inquiry"


@given(
    st.sampled_from(POWERS),
    st.floats(0.0, 1.0),
    st.floats(0.0, 0.999999),
)
def test_no_power_but_merger_control_ever_blocks(powers: str, strictness: float, u: float) -> None:
    outcome, imposed = ruling(DEAL, strictness, OPEN_CLOUD, u, powers)
    assert outcome != "blocked" or powers == "merger_control"
    assert (outcome == "approved_with_conditions") == bool(imposed)
