"""Money with effects in ``msft-openai``, over many seeds: the ROFR as a costly decision
whose matches show in the state, need-driven outside offers within their programmes,
history recorded as such, and Microsoft's outside options improving over time."""

from __future__ import annotations

import math

import pytest

from events.codec import Recorded
from events.model import (
    FirstRefusalExercised,
    FirstRefusalWaived,
    OutsideDealAccepted,
    OutsideOfferMade,
    OutsideOptionImproved,
)
from events.replay import Folder
from sim.engine import simulate
from sim.engine.money import compute_need_for
from sim.run.result import RunResult
from sim.run.summary import summary_columns
from sim.scenario import ScenarioError, load_scenario

SEEDS = 200
MARCH_2025, MAY_2025, JUNE_2025 = 74.29, 76.45, 77.5  # 2025-03-10, 2025-05-15, 2025-06-16


@pytest.fixture(scope="module")
def runs() -> list[RunResult]:
    scenario = load_scenario("msft-openai")
    return [simulate(scenario, f"7:{index}") for index in range(SEEDS)]


def states_around(records: list[Recorded], kinds: tuple[type, ...]):  # type: ignore[no-untyped-def]
    """(record, state before it, state after it) for every record of ``kinds``."""
    folder = Folder()
    for record in records:
        before = folder.state(record.t) if isinstance(record.event, kinds) else None
        folder.apply(record)
        if before is not None:
            yield record, before, folder.state()


def test_every_rofr_match_adds_its_amount_to_microsofts_commitments(runs: list[RunResult]) -> None:
    matches = 0
    for run in runs:
        for record, before, after in states_around(run.records, (FirstRefusalExercised,)):
            value = record.event.value_bn
            key = "openai_to_microsoft"
            added = after.compute_commitments_bn[key] - before.compute_commitments_bn.get(key, 0.0)
            assert math.isclose(added, value, rel_tol=0.0, abs_tol=1e-9), (run.seed, record.seq)
            assert math.isclose(
                after.rofr_matched_bn - before.rofr_matched_bn, value, abs_tol=1e-9
            )
            matches += 1
        final = run.final
        matched = [r.event.value_bn for r in run.records if type(r.event) is FirstRefusalExercised]
        assert math.isclose(final.rofr_matched_bn, math.fsum(matched), abs_tol=1e-9)
        assert run.summary["end.rofr_matched_bn"] == final.rofr_matched_bn
    assert matches >= SEEDS // 4  # the claim is exercised, not vacuous


def test_microsoft_matches_only_within_its_budget_and_while_it_holds_the_licence(
    runs: list[RunResult],
) -> None:
    for run in runs:
        rofr = run.scenario.rofr
        assert rofr is not None
        for record, before, _ in states_around(run.records, (FirstRefusalExercised,)):
            assert record.event.value_bn <= float(rofr.max_match_bn)
            assert before.holds("license.models")
        assert run.final.rofr_matched_bn <= float(rofr.budget_bn) + 1e-9


def test_history_is_recorded_in_every_run_as_taken_without_a_match(
    runs: list[RunResult],
) -> None:
    for run in runs:
        offers = {
            r.seq: (r.t, r.event) for r in run.records if type(r.event) is OutsideOfferMade
        }
        taken = {r.event.offer_seq for r in run.records if type(r.event) is OutsideDealAccepted}
        waived = {r.event.offer_seq for r in run.records if type(r.event) is FirstRefusalWaived}
        history = [
            seq
            for seq, (t, offer) in offers.items()
            if (offer.competitor, round(t, 2))
            in {("coreweave", MARCH_2025), ("coreweave", MAY_2025), ("google", JUNE_2025)}
        ]
        assert len(history) == 3, run.seed
        assert all(seq in taken and seq in waived for seq in history)
        values = sorted(offers[seq][1].value_bn for seq in history[:2])
        assert values == [4.0, 11.9]  # FACTS.md: USD 11.9 bn, then about USD 4 bn more
        assert 3.0 <= offers[history[2]][1].value_bn <= 15.0  # Google: drawn in its range


def test_need_driven_offers_fit_the_unmet_need_and_the_programme(runs: list[RunResult]) -> None:
    dated = {("stargate", 78.68), ("coreweave", MARCH_2025), ("coreweave", MAY_2025)}
    dated.add(("google", JUNE_2025))
    for run in runs:
        need = compute_need_for(run.scenario)
        assert need is not None
        for record, before, _ in states_around(run.records, (OutsideOfferMade,)):
            offer = record.event
            if (offer.competitor, round(record.t, 2)) in dated:
                continue
            spec = run.scenario.competitor(offer.competitor)
            assert offer.value_bn <= need.unmet_bn(before, record.t) + 1e-3
            assert offer.value_bn <= spec.value_bn_high + 1e-9
            left = float(spec.programme_bn) - before.outside_taken_bn.get(offer.competitor, 0.0)
            assert offer.value_bn <= left + 1e-3
            assert record.t >= spec.first
            if spec.until is not None:
                assert record.t < spec.until
        assert run.final.outside_taken_bn.get("stargate", 0.0) <= 500.0 + 1e-9


def test_outside_options_improve_within_the_unit_interval(runs: list[RunResult]) -> None:
    for run in runs:
        last: dict[str, float] = {}
        for record in run.records:
            event = record.event
            if type(event) is OutsideOptionImproved:
                assert event.party == "microsoft"
                assert 0.0 <= event.value <= 1.0
                assert event.value >= last.get(event.option, 0.0)
                last[event.option] = event.value
        assert set(last) == {"own_models", "other_labs"}
        assert run.final.outside_options == {f"microsoft.{k}": v for k, v in last.items()}


def test_microsofts_alternative_grows_over_time_and_varies_between_runs(
    runs: list[RunResult],
) -> None:
    ends = [run.summary["end.alternative_microsoft"] for run in runs]
    assert len({round(value, 6) for value in ends}) > SEEDS // 2
    assert all(0.0 <= value <= 1.0 for value in ends)
    openai = [run.summary["end.alternative_openai"] for run in runs]
    assert all(0.0 <= value <= 1.0 for value in openai)


def test_money_columns_only_where_they_make_sense() -> None:
    partnership = [name for name, _ in summary_columns(load_scenario("msft-openai"))]
    for name in ("outside_deals", "rofr_exercised", "end.outside_compute_bn"):
        assert name in partnership
    assert "end.rofr_matched_bn" in partnership
    assert "end.alternative_openai" in partnership
    generic = " ".join(name for name, _ in summary_columns(load_scenario("bilateral-demo")))
    for word in ("outside", "rofr", "alternative", "microsoft", "openai"):
        assert word not in generic


def test_the_poisson_form_still_runs_to_the_horizon() -> None:
    scenario = load_scenario(
        "msft-openai",
        ["competitors.amazon.schedule=poisson", "competitors.amazon.intensity=2.0"],
    )
    run = simulate(scenario, 3)
    times = [r.t for r in run.records if getattr(r.event, "competitor", None) == "amazon"]
    assert max(times) > scenario.time_of(load_scenario("msft-openai").start.replace(year=2034))


@pytest.mark.parametrize(
    ("sets", "message"),
    [
        (["compute_need=0"], "compute_need: expected a table"),
        (["alternatives.microsoft.floor=0.5"], "at most 1"),
        (["outside_options.own_models.ceiling=0.01"], "a ceiling no lower than"),
        (["competitors.stargate.tranches.0.value_bn=-1"], "tranches[0].value_bn"),
        (["rofr.walk_alternative=2"], "rofr.walk_alternative"),
    ],
)
def test_bad_money_keys_are_named(sets: list[str], message: str) -> None:
    with pytest.raises(ScenarioError) as caught:
        load_scenario("msft-openai", sets)
    assert message in str(caught.value)
    assert "\n" not in str(caught.value)


def test_need_schedule_without_a_need_is_an_error(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from sim.scenario.builtins import builtin_text

    text = builtin_text("msft-openai")
    start = text.index("[compute_need]")
    end = text.index("# Competitors offer")
    path = tmp_path / "s.toml"
    path.write_text(text[:start] + text[end:])
    with pytest.raises(ScenarioError, match='schedule: expected a \\[compute_need\\] table'):
        load_scenario(path)
