"""The clause vocabulary: expiries, codecs, amendments, and the rights each grants."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from events.clauses import (
    CLAUSE_KINDS,
    AgiDefinition,
    Amendment,
    ComputeCommitment,
    Equity,
    Exclusivity,
    Expiry,
    FirstRefusal,
    Investment,
    License,
    NonCompete,
    RevenueShare,
    carried_forward,
    clause_from_data,
    clause_to_data,
)
from tests import strategies as gen

# --- expiry -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "text"),
    [
        (2030, "2030"),
        ("2030", "2030"),
        ("2032-06-30", "2032-06-30"),
        ("agi_verified", "agi_verified"),
        ("agi_verified|2032", "2032|agi_verified"),  # dates first, whatever the order
        (["agi_declared", 2032], "2032|agi_declared"),
        ("term", "term"),
        (" 2032 | agi_declared ", "2032|agi_declared"),
    ],
)
def test_every_written_form_of_an_expiry_has_one_canonical_text(written: object, text: str) -> None:
    assert Expiry.parse(written).text() == text
    assert Expiry.parse(text) == Expiry.parse(written)


@pytest.mark.parametrize("bad", ["forever", True, 30.5, "2032-02-30", "", [], "2032||agi", 99999])
def test_a_malformed_expiry_says_what_is_expected(bad: object) -> None:
    with pytest.raises(ValueError, match="expiry"):
        Expiry.parse(bad)


def test_a_year_runs_through_its_last_day_and_a_date_ends_on_it() -> None:
    year, date = Expiry.parse(2032), Expiry.parse("2032-06-30")
    assert not year.lapsed(dt.date(2032, 12, 31), False, False)
    assert year.lapsed(dt.date(2033, 1, 1), False, False)
    assert not date.lapsed(dt.date(2032, 6, 29), False, False)
    assert date.lapsed(dt.date(2032, 6, 30), False, False)


def test_whichever_comes_first() -> None:
    expiry = Expiry.parse("2032|agi_verified")
    assert not expiry.lapsed(dt.date(2030, 1, 1), True, False)  # declared, not verified
    assert expiry.lapsed(dt.date(2030, 1, 1), True, True)  # verified first
    assert expiry.lapsed(dt.date(2033, 1, 1), False, False)  # the year first
    assert expiry.waits_for_verification
    assert not Expiry.parse("agi_declared|agi_verified").waits_for_verification
    assert not Expiry().lapsed(dt.date(2100, 1, 1), True, True)  # "term": never by itself


# --- rights each kind grants ------------------------------------------------------------


def test_right_names_are_the_documented_ones() -> None:
    assert License("microsoft", ["models", "infrastructure"]).rights() == (
        "license.models",
        "license.infrastructure",
    )
    assert License("microsoft", "research+products").rights() == (
        "license.products",
        "license.research",
    )
    assert RevenueShare("openai", "microsoft", 0.2).rights() == (
        "revenue_share.openai_to_microsoft",
    )
    assert RevenueShare("microsoft", "openai", 0.2).rights() == (
        "revenue_share.microsoft_to_openai",
    )
    assert Exclusivity("microsoft", "api").rights() == ("exclusivity.api",)
    assert Exclusivity("microsoft", "all").rights() == ("exclusivity.all",)
    assert FirstRefusal("microsoft", "compute").rights() == ("first_refusal.compute",)
    assert FirstRefusal("microsoft", "new_projects").rights() == ("first_refusal.new_projects",)
    assert NonCompete("openai").rights() == ("non_compete.openai",)
    # Money is an amount in the state, not a right.
    for clause in (
        ComputeCommitment("openai", "microsoft", 100, 6),
        Investment("microsoft", 13),
        Equity("microsoft", 0.27, 135),
        AgiDefinition("openai", True, 6),
    ):
        assert clause.rights() == ()


def test_removing_one_scope_narrows_a_license_and_the_last_one_removes_it() -> None:
    licence = License("microsoft", ("models", "infrastructure"), expiry="agi_declared")
    narrowed = licence.without("license.infrastructure")
    assert narrowed == License("microsoft", ("models",), expiry="agi_declared")
    assert narrowed is not None and narrowed.without("license.models") is None
    assert licence.without("exclusivity.api") is licence


# --- codec --------------------------------------------------------------------------------


@given(gen.clauses())
def test_every_clause_round_trips_through_its_data_form(clause: object) -> None:
    data = clause_to_data(clause)  # type: ignore[arg-type]
    assert data["kind"] in CLAUSE_KINDS
    assert clause_from_data(data) == clause


@pytest.mark.parametrize(
    ("data", "needle"),
    [
        ({"kind": "merger"}, "clauses.kind"),
        ({"kind": "equity", "holder": "microsoft"}, "clauses.share: missing"),
        ({"kind": "equity", "holder": "microsoft", "share": 0.3, "colour": 1}, "clauses.colour"),
        ({"kind": "equity", "holder": "microsoft", "share": "half"}, "expected a number"),
        ({"kind": "equity", "holder": "microsoft", "share": 1.5}, "share must be between 0 and 1"),
        ({"kind": "equity", "holder": "a b", "share": 0.1}, "holder must be a party key"),
        ({"kind": "revenue_share", "payer": "a", "payee": "b", "rate": float("nan")}, "finite"),
        ({"kind": "license", "licensee": "a", "scope": []}, "scope"),
        ({"kind": "license", "licensee": "a", "scope": ["weights"]}, "scope"),
        ({"kind": "exclusivity", "provider": "a", "workload": "gpu"}, "workload"),
        (
            {"kind": "first_refusal", "holder": "a", "scope": "compute", "window_months": 0},
            "window",
        ),
        ({"kind": "agi_definition", "declared_by": "a", "verification": 1}, "verification"),
        ("license", "a table with a kind"),
    ],
)
def test_a_malformed_clause_names_what_is_wrong(data: object, needle: str) -> None:
    with pytest.raises(ValueError, match=needle):
        clause_from_data(data, "clauses")


# --- amendments ---------------------------------------------------------------------------


def test_an_amendment_removes_rights_and_replaces_overlapping_clauses() -> None:
    clauses = (
        License("microsoft", ("models", "infrastructure")),
        Exclusivity("microsoft", "all"),
        Equity("microsoft", 0.49),
        Investment("microsoft", 10),
    )
    amended = Amendment(
        remove=("exclusivity.all", "license.infrastructure"),
        add=(Exclusivity("microsoft", "api"), Equity("microsoft", 0.27)),
    ).apply(clauses)
    assert amended == (
        License("microsoft", ("models",)),
        Investment("microsoft", 10),
        Exclusivity("microsoft", "api"),
        Equity("microsoft", 0.27),  # the same holder's stake replaced, not added
    )
    assert carried_forward(amended) == amended[:1] + amended[2:]  # money is paid once


@given(st.lists(gen.clauses(), max_size=6), gen.amendments())
def test_an_amendment_leaves_no_removed_right_and_keeps_every_added_clause(
    clauses: list[object], amendment: Amendment
) -> None:
    amended = amendment.apply(clauses)  # type: ignore[arg-type]
    granted_by_kept = {r for c in amended if c not in amendment.add for r in c.rights()}
    assert not granted_by_kept & set(amendment.remove)
    assert all(clause in amended for clause in amendment.add)
    assert Amendment.from_data(amendment.to_data()) == amendment


def test_an_amendment_from_data_refuses_unknown_keys_and_bad_rights() -> None:
    with pytest.raises(ValueError, match="known key"):
        Amendment.from_data({"cloud": "open"})
    with pytest.raises(ValueError, match="right names"):
        Amendment.from_data({"remove": "exclusivity.api"})
    with pytest.raises(ValueError, match="term_end"):
        Amendment.from_data({"term_end": 2030.5})
