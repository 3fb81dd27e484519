"""Reconfiguring actors: only their declared settings, by keyword, never their state."""

from __future__ import annotations

import attrs
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from agents.competitor import Competitor
from agents.complaint import Complainant
from agents.milestone import AgiMilestone
from agents.negotiator import Negotiator
from agents.outside_option import OutsideOption
from agents.regulator import Regulator
from agents.restructuring import Restructuring
from agents.settings import reconfigure

ACTORS = (
    Competitor,
    Complainant,
    AgiMilestone,
    Negotiator,
    OutsideOption,
    Regulator,
    Restructuring,
)


@pytest.mark.parametrize("cls", ACTORS, ids=lambda cls: cls.__name__)
def test_every_setting_is_a_field_set_at_construction_by_keyword_only(cls: type) -> None:
    fields = {field.name: field for field in attrs.fields(cls)}
    assert fields.keys() >= cls.SETTINGS
    assert all(fields[name].init for name in cls.SETTINGS)
    assert all(field.kw_only for field in fields.values() if field.init)


@pytest.mark.parametrize("cls", ACTORS, ids=lambda cls: cls.__name__)
def test_actors_refuse_positional_construction(cls: type) -> None:
    with pytest.raises(TypeError):
        cls("a", "b")


def _milestone() -> AgiMilestone:
    return AgiMilestone(
        at=10.0,
        declared_by="openai",
        verification=True,
        delay=6.0,
        probability=0.8,
        rng=np.random.default_rng(0),
    )


def test_reconfigure_sets_the_settings_given_and_leaves_the_rest() -> None:
    milestone = _milestone()
    reconfigure(milestone, at=20.0, declared_by="microsoft")
    assert (milestone.at, milestone.declared_by) == (20.0, "microsoft")
    assert (milestone.verification, milestone.delay, milestone.probability) == (True, 6.0, 0.8)


def test_reconfigure_refuses_running_state_and_changes_nothing() -> None:
    complainant = Complainant(
        party="openai", regulator="ftc", probability=0.5, delay=1.0, rng=np.random.default_rng(0)
    )
    with pytest.raises(TypeError, match="asked_about"):
        reconfigure(complainant, probability=0.9, asked_about={"x"})
    assert complainant.probability == 0.5  # all or nothing
    assert complainant.asked_about == set()


@given(st.text(min_size=1, max_size=12).filter(lambda name: name not in AgiMilestone.SETTINGS))
def test_any_name_outside_the_settings_is_refused(name: str) -> None:
    milestone = _milestone()
    with pytest.raises(TypeError):
        reconfigure(milestone, **{name: 1.0})
