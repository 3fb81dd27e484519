"""The talks' scenario keys (issue 12) refuse bad input with one line naming the key."""

from __future__ import annotations

import pytest

from sim.scenario import ScenarioError, load_scenario, parse_toml, scenario_from_raw
from sim.scenario.builtins import builtin_text


@pytest.mark.parametrize(
    ("assignments", "needle"),
    [
        (["negotiation.valuation=psychic"], "negotiation.valuation: expected one of"),
        (["negotiation.fallback.cloud=cloudy"], "negotiation.fallback.cloud: expected one of"),
        (["negotiation.fallback.bogus=1"], "negotiation.fallback.bogus"),
        (["negotiation.reopen={cooldown=-1}"], "negotiation.reopen.cooldown"),
        (["negotiation.reopen={max_rounds=0}"], "negotiation.reopen.max_rounds"),
        (["negotiation.reopen={when='never'}"], "negotiation.reopen.when"),
        (["parties.openai.patience=0"], "parties.openai.patience"),
        (["parties.openai.deadline=2025-01-01"], "parties.openai.deadline: expected a time after"),
        (["agi.belief={dist='uniform', low=2030-01-01}"], "agi.belief"),
    ],
)
def test_bad_talks_keys_are_one_line(assignments: list[str], needle: str) -> None:
    with pytest.raises(ScenarioError) as caught:
        load_scenario("msft-openai", assignments)
    message = str(caught.value)
    assert "\n" not in message and needle in message, message


def test_without_a_patience_the_talks_need_a_deadline() -> None:
    patience = 'patience = { dist = "uniform", low = 3.0, high = 9.0 }'
    text = builtin_text("msft-openai")
    assert patience in text
    with pytest.raises(ScenarioError) as caught:
        scenario_from_raw(parse_toml(text.replace(patience, ""), "s.toml"), source="s.toml")
    assert "negotiation.deadline: expected a date" in str(caught.value)


def test_sao_talks_do_not_reopen() -> None:
    with pytest.raises(ScenarioError, match=r"negotiation\.reopen: expected no reopening"):
        load_scenario("bilateral-demo", ["negotiation.reopen={cooldown=1}"])
