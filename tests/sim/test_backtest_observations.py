"""Observations files and quantities: parsing, one-line errors, path resolution, matching."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from events.errors import InputError
from sim.backtest import load_observations, observations_from_data, parse_quantity, resolve_path
from sim.backtest.observations import CATEGORY, DATE, NUMBER
from sim.backtest.quantities import FIRST, STATE, SUMMARY, QuantityError


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "obs.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_file_with_every_kind(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """
[[observed]]
name = "signed"
quantity = "first:ContractSigned@2025-01-01"
value = 2025-06-15
tolerance = 30

[[observed]]
name = "price"
quantity = "terms_price"
value = 14
values = [14, 16]

[[observed]]
name = "exclusive"
quantity = "state.rights.exclusivity.api@2026-01-01"
value = false

[[observed]]
name = "money"
quantity = "state.investment_total_bn@2025-07-01"
value = 13.0
tolerance = 0.5
""",
    )
    signed, price, exclusive, money = load_observations(path)
    assert (signed.kind, signed.quantity.kind, signed.quantity.target) == (
        DATE,
        FIRST,
        "ContractSigned",
    )
    assert signed.quantity.when is not None
    assert signed.quantity.when.date == dt.date(2025, 1, 1)
    assert signed.tolerance == 30.0
    assert (price.kind, price.quantity.kind, price.values) == (CATEGORY, SUMMARY, (14, 16))
    assert (exclusive.kind, exclusive.quantity.kind) == (CATEGORY, STATE)
    assert exclusive.quantity.target == "rights.exclusivity.api"
    assert (money.kind, money.value) == (NUMBER, 13.0)


@pytest.mark.parametrize(
    ("text", "needles"),
    [
        ("[[observed]]\nname='a'\nquantity='agreement'\n", ("observed[0] (a)", "'value'")),
        (
            "[[observed]]\nname='a'\nquantity='agreement'\nvalue=true\ncolour=1\n",
            ("observed[0]", "unknown key 'colour'"),
        ),
        (
            "[[observed]]\nname='a'\nquantity='agreement'\nvalue=true\ntolerance=2\n",
            ("observed[0] (a)", "key 'tolerance'", "only numbers and dates"),
        ),
        (
            "[[observed]]\nname='a'\nquantity='agreement_time'\nvalue=3\ntolerance=-1\n",
            ("key 'tolerance'", "expected a number >= 0"),
        ),
        (
            "[[observed]]\nname='a'\nquantity='state.status'\nvalue='x'\n",
            ("observed[0] (a)", "key 'quantity'", "@YYYY-MM-DD"),
        ),
        (
            "[[observed]]\nname='a'\nquantity='first:Nope@2025-01-01'\nvalue=2025-01-01\n",
            ("key 'quantity'", "no event type 'Nope'"),
        ),
        (
            "[[observed]]\nname='a'\nquantity='agreement'\nvalue=true\n"
            "[[observed]]\nname='a'\nquantity='agreement'\nvalue=true\n",
            ("observed[1]", "used twice"),
        ),
        (
            "[[observed]]\nname='a'\nquantity='agi_time'\nvalue=2025-01-01T10:00:00\n",
            ("key 'value'", "not a time"),
        ),
        ("observed = 3\n", ("at least one [[observed]]",)),
        ("[[observed]\n", ("not valid TOML",)),
    ],
)
def test_errors_name_the_file_entry_and_key(
    tmp_path: Path, text: str, needles: tuple[str, ...]
) -> None:
    path = write(tmp_path, text)
    with pytest.raises(InputError) as caught:
        load_observations(path)
    message = caught.value.message
    assert "\n" not in message
    assert message.startswith(str(path))
    for needle in needles:
        assert needle in message, (needle, message)


def test_missing_file_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such observations file"):
        load_observations(tmp_path / "none.toml")


@pytest.mark.parametrize(
    ("text", "kind", "target", "when"),
    [
        ("agreement_time", SUMMARY, "agreement_time", None),
        ("state.rights.exclusivity.api@2026-01-01", STATE, "rights.exclusivity.api", "2026-01-01"),
        ("first:RulingIssued@2025-03-01", FIRST, "RulingIssued", "2025-03-01"),
        ("state.status@12.5", STATE, "status", "12.5"),
    ],
)
def test_quantities_parse(text: str, kind: str, target: str, when: str | None) -> None:
    quantity = parse_quantity(text)
    assert (quantity.kind, quantity.target) == (kind, target)
    assert (quantity.when.text if quantity.when else None) == when


@pytest.mark.parametrize(
    "text", ["", "agreement@2025-01-01", "state.@2025-01-01", "first:@1", "a b", "state.x@soon"]
)
def test_bad_quantities_are_refused(text: str) -> None:
    with pytest.raises(QuantityError):
        parse_quantity(text)


def test_dates_need_a_month_scenario() -> None:
    when = parse_quantity("state.status@2025-01-01").when
    assert when is not None
    assert when.time(dt.date(2025, 1, 1), "month") == 0.0
    assert when.time(dt.date(2024, 1, 1), "month") == pytest.approx(12.0)
    with pytest.raises(QuantityError, match="counts steps"):
        when.time(dt.date(2025, 1, 1), "step")


def test_paths_resolve_against_dotted_keys() -> None:
    state = {
        "rights": {"exclusivity.api": True, "exclusivity": {"api": "nested"}, "ip": False},
        "investment_total_bn": 13.0,
        "terms": None,
    }
    # the longest key wins: "exclusivity.api" is a right's name, not a path
    assert resolve_path(state, "rights.exclusivity.api") is True
    assert resolve_path(state, "rights.ip") is False
    assert resolve_path(state, "investment_total_bn") == 13.0
    with pytest.raises(KeyError, match=r"state.rights has no key 'nope' \(keys: exclusivity"):
        resolve_path(state, "rights.nope")
    with pytest.raises(KeyError, match="is a NoneType"):
        resolve_path(state, "terms.cloud")


def test_paths_backtrack_when_the_long_key_leads_nowhere() -> None:
    state = {"a.b": {"x": 1}, "a": {"b": {"c": 2}}}
    assert resolve_path(state, "a.b.x") == 1
    assert resolve_path(state, "a.b.c") == 2


_segment = st.text(alphabet="abcxyz_", min_size=1, max_size=4)


@given(st.lists(_segment, min_size=1, max_size=4), st.integers())
def test_any_dotted_key_is_found_whole(parts: list[str], value: int) -> None:
    key = ".".join(parts)
    assert resolve_path({"rights": {key: value}}, f"rights.{key}") == value


def test_matching_numbers_dates_and_categories() -> None:
    number, date, boolean, accepted = observations_from_data(
        {
            "observed": [
                {"name": "n", "quantity": "agreement_time", "value": 10, "tolerance": 2},
                {"name": "d", "quantity": "agreement_date", "value": dt.date(2025, 3, 1)},
                {"name": "b", "quantity": "agreement", "value": True},
                {"name": "c", "quantity": "terms_price", "value": 14, "values": [16]},
            ]
        }
    )
    assert [number.matches(v) for v in (8, 12, 12.5, None)] == [True, True, False, False]
    assert date.matches("2025-03-01") and not date.matches("2025-03-02")
    assert date.numeric("2025-03-02") - date.observed_numeric == 1.0
    assert [boolean.matches(v) for v in (1, 0, True, None)] == [True, False, True, False]
    assert [accepted.matches(v) for v in (14, 16, 16.0, 12, None)] == [
        True,
        True,
        True,
        False,
        False,
    ]
