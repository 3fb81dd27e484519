"""Prelude entries that record a regulator's act on the contract in force: the UK CMA's
2023-25 inquiry in msft-openai (FACTS.md: opened 8 December 2023, closed 5 March 2025
with no jurisdiction), their validation, replay, and a review the prelude leaves open."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import orjson
import pytest

from events.model import ContractSigned, ReviewOpened, RulingIssued
from sim.backtest import as_of
from sim.engine import simulate
from sim.scenario import Scenario, ScenarioError, load_scenario
from sim.scenario.builtins import builtin_text
from tests.cli_helpers import run_cli

CMA_REVIEW = """[[prelude]]
at = 2023-12-08                  # FACTS.md: the CMA opened its inquiry on 8 December 2023
id = "2023-cma-inquiry"
review = { regulator = "cma" }"""
CMA_RULING = """ruling = { regulator = "cma", outcome = "no_jurisdiction" }"""


def scenario_text(tmp_path: Path, old: str, new: str) -> Path:
    text = builtin_text("msft-openai")
    assert old in text
    path = tmp_path / "s.toml"
    path.write_text(text.replace(old, new, 1))
    return path


def test_the_cma_inquiry_is_recorded_at_its_dates_with_its_outcome() -> None:
    scenario = load_scenario("msft-openai")
    records = simulate(scenario, 0).records
    review = [r for r in records if type(r.event) is ReviewOpened and r.event.in_force]
    ruling = [r for r in records if type(r.event) is RulingIssued and r.event.in_force]
    assert len(review) == 1 and len(ruling) == 1
    assert scenario.date_of(review[0].t) == dt.date(2023, 12, 8)
    assert scenario.date_of(ruling[0].t) == dt.date(2025, 3, 5)
    assert review[0].event.regulator == ruling[0].event.regulator == "cma"
    assert review[0].event.due == ruling[0].t  # due: the ruling's date
    assert ruling[0].event.outcome == "no_jurisdiction"
    # Reviewed: the contract in force on each date (the January 2025 change between).
    signed = [r for r in records if type(r.event) is ContractSigned]
    in_force_then = [s.event.contract_id for s in signed if s.t <= review[0].t][-1]
    assert review[0].event.contract_id == in_force_then == "2023-extension"
    assert ruling[0].event.contract_id == "2025-rofr"


def test_replay_shows_the_open_inquiry_and_its_outcome(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    log = tmp_path / "run.jsonl"
    assert run_cli(capsys, ["run", "--seed", "0", "--out", str(log)]).code == 0
    during = run_cli(capsys, ["replay", str(log), "--at", "2025-01-01", "--json"])
    assert during.code == 0, during.err
    state = orjson.loads(during.out)["state"]
    assert state["in_force_reviews"] == {"cma": "open"}
    assert state["status"] == "in_force" and state["contract_id"] == "2023-extension"
    after = orjson.loads(run_cli(capsys, ["replay", str(log), "--at", "2025-04-01", "--json"]).out)
    after = after["state"]
    assert after["in_force_reviews"] == {"cma": "no_jurisdiction"}
    assert after["contract_id"] == "2025-rofr"  # no jurisdiction leaves it in force
    assert after["rights"]["exclusivity.api"] is True
    text = run_cli(capsys, ["replay", str(log), "--at", "2025-01-01"])
    assert "inquiries" in text.out and "cma: open" in text.out


def test_regulator_entries_survive_the_scenario_data_form() -> None:
    scenario = load_scenario("msft-openai")
    again = Scenario.from_data(scenario.to_data())
    assert again == scenario
    data = {entry["id"]: entry for entry in scenario.to_data()["prelude"]}
    assert "clauses" not in data["2023-cma-inquiry"]
    assert data["2023-cma-inquiry"]["review"]["regulator"] == "cma"
    assert data["2025-cma-decision"]["ruling"] == {"outcome": "no_jurisdiction", "regulator": "cma"}


def test_a_ruling_with_conditions_amends_the_contract_in_force(tmp_path: Path) -> None:
    conditions = (
        'ruling = { regulator = "cma", outcome = "approved_with_conditions", '
        'conditions = { remove = ["first_refusal.compute"] } }'
    )
    scenario = load_scenario(scenario_text(tmp_path, CMA_RULING, conditions))
    entry = next(e for e in scenario.prelude if e.id == "2025-cma-decision")
    assert "first_refusal.compute" not in {r for c in entry.clauses for r in c.rights()}
    final_prelude = simulate(scenario, 0).records
    opens = scenario.negotiation.opens
    from events.replay import state_at

    state = state_at(final_prelude, opens - 0.01)
    assert state.in_force_reviews == (("cma", "approved_with_conditions"),)
    assert state.rights["first_refusal.compute"] is False
    assert state.rights["exclusivity.api"] is True and state.contract_id == "2025-rofr"


@pytest.mark.parametrize(
    ("old", "new", "needles"),
    [
        (CMA_RULING, 'ruling = { regulator = "cma", outcome = "blocked" }', ("outcome",)),
        (
            CMA_RULING,
            'ruling = { regulator = "cma", outcome = "approved", conditions = '
            '{ remove = ["exclusivity.api"] } }',
            ("ruling.conditions",),
        ),
        (
            CMA_RULING,
            'ruling = { regulator = "cma", outcome = "approved_with_conditions", '
            'conditions = { remove = ["exclusivity.nope"] } }',
            ("conditions.remove",),
        ),
        (
            CMA_RULING,
            'ruling = { regulator = "cma", outcome = "approved_with_conditions", '
            'conditions = { term_end = 2031, remove = ["exclusivity.api"] } }',
            ("term_end",),
        ),
        (
            CMA_RULING,
            'ruling = { regulator = "cma", outcome = "no_jurisdiction" }\nterm_end = 2031',
            ("term_end", "one act per prelude entry"),
        ),
        (CMA_RULING, 'ruling = { regulator = "nobody", outcome = "approved" }', ("regulator",)),
        (
            'review = { regulator = "cma" }',
            'review = { regulator = "cma", due = 2023-01-01 }',
            ("review.due",),
        ),
        (
            'review = { regulator = "cma" }',
            'review = { regulator = "cma", when = 1 }',
            ("review.when",),
        ),
    ],
)
def test_bad_regulator_entries_are_named(
    tmp_path: Path, old: str, new: str, needles: tuple[str, ...]
) -> None:
    path = scenario_text(tmp_path, old, new)
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path)
    message = str(caught.value)
    assert "\n" not in message and "prelude[" in message
    for needle in needles:
        assert needle in message, message


def test_a_review_needs_a_contract_and_a_ruling_needs_a_review(tmp_path: Path) -> None:
    text = builtin_text("msft-openai")
    first = text.index("[[prelude]]")
    review_only = (
        text[:first] + CMA_REVIEW.replace("2023-12-08", "2019-01-02") + "\n\n" + text[first:]
    )
    path = tmp_path / "early.toml"
    path.write_text(review_only)
    with pytest.raises(ScenarioError, match=r"prelude\[0\]\.review.*contract in force"):
        load_scenario(path)
    without_review = scenario_text(
        tmp_path, CMA_REVIEW, '[[prelude]]\nat = 2023-12-08\nid = "x"\namend = {}'
    )
    with pytest.raises(ScenarioError, match=r"ruling\.regulator.*review an earlier"):
        load_scenario(without_review)
    other = builtin_text("msft-openai").replace(
        'review = { regulator = "cma" }', 'review = { regulator = "cma", due = 2025-03-05 }'
    )
    (tmp_path / "other.toml").write_text(
        other.replace(CMA_RULING, CMA_RULING.replace("cma", "ftc"))
    )
    with pytest.raises(ScenarioError, match=r"prelude\[5\]\.ruling\.regulator.*review an earlier"):
        load_scenario(tmp_path / "other.toml")
    twice = other.replace(CMA_RULING, 'review = { regulator = "cma", due = 2025-06-01 }')
    (tmp_path / "twice.toml").write_text(twice)
    with pytest.raises(ScenarioError, match=r"prelude\[5\]\.review\.regulator.*without a review"):
        load_scenario(tmp_path / "twice.toml")
    no_due = scenario_text(tmp_path, CMA_RULING, 'review = { regulator = "ftc" }')
    with pytest.raises(ScenarioError, match=r"review\.due"):
        load_scenario(no_due)


def test_a_review_the_prelude_leaves_open_is_ruled_at_its_due_date() -> None:
    """``--as-of`` inside the inquiry: the CMA carries it on and rules in the run."""
    scenario = as_of(load_scenario("msft-openai"), "2024-06-01")
    assert [e.id for e in scenario.prelude][-1] == "2023-cma-inquiry"
    due = scenario.prelude[-1].review.due  # type: ignore[union-attr]
    for seed in range(5):
        records = simulate(scenario, seed).records
        rulings = [
            r
            for r in records
            if type(r.event) is RulingIssued and r.event.in_force and r.event.regulator == "cma"
        ]
        assert len(rulings) == 1
        assert rulings[0].t == pytest.approx(due)
        # The contract in force then: equity 0.49, under the CMA's 0.5 control threshold.
        assert rulings[0].event.outcome == "no_jurisdiction"
        assert rulings[0].event.contract_id == "2023-extension"


@pytest.mark.parametrize(
    ("assignment", "needle"),
    [
        ("regulators.ftc.complaint_delay=100000", "regulators.ftc.complaint_delay"),
        ('regulators.ftc.complaints_from=["google"]', "regulators.ftc.complaints_from[0]"),
        ('regulators.ftc.complaints_from=["openai", "openai"]', "complaints_from[1]"),
        ("regulators.cma.complaint_probability=0.5", "regulators.cma.complaint_probability"),
        ("regulators.ftc.complaint_probability=1.5", "regulators.ftc.complaint_probability"),
    ],
)
def test_bad_complaint_keys_are_named(assignment: str, needle: str) -> None:
    with pytest.raises(ScenarioError) as caught:
        load_scenario("msft-openai", [assignment])
    assert needle in str(caught.value) and "\n" not in str(caught.value)


def test_complaint_keys_are_drawn_per_run_and_kept_out_of_other_regulators() -> None:
    scenario = load_scenario("msft-openai")
    keys = [key for key, _ in scenario.distributions()]
    assert "regulators.ftc.complaint_probability" in keys
    assert "regulators.ftc.complaint_delay" in keys
    assert not any(key.startswith("regulators.cma.complaint") for key in keys)
    data = scenario.to_data()["regulators"]
    assert data["ftc"]["complaints_from"] == ["openai"]
    assert "complaints_from" not in data["cma"]  # unchanged bytes without complaints


def test_regulators_keep_their_names() -> None:
    names = {spec.key: spec.name for spec in load_scenario("msft-openai").regulators}
    assert names == {"cma": "UK CMA", "eu": "European Commission", "ftc": "US FTC"}
