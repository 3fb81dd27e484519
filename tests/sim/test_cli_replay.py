"""``negsim replay``: states around AGI or at a time, as tables and as JSON.

Expected values are worked out by hand from ``tests/logs.py`` (start 2019-01-01).
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import orjson
import pytest
from hypothesis import given

from events.model import (
    ContractSigned,
    Event,
    MilestoneReached,
    OutsideDealAccepted,
    ReviewOpened,
    RulingIssued,
    RunEnded,
    RunStarted,
)
from tests import strategies as gen
from tests.cli_helpers import CliResult, assert_one_line_error, run_cli
from tests.logs import (
    BOTH,
    CLAUSES_2023,
    CLAUSES_EXTENSION,
    OFFER_MS_2,
    PARTNERSHIP,
    SEQ_AGI_DECLARED,
    SEQ_AGI_VERIFIED,
    build_log,
    partnership_log,
    reseal,
    run_started,
)

RIGHTS_2025 = {
    "exclusivity.all": False,
    "exclusivity.api": True,
    "first_refusal.compute": True,
    "license.infrastructure": True,
    "license.models": True,
    "revenue_share.openai_to_microsoft": True,
}
RIGHTS_EXTENSION = {**RIGHTS_2025, "exclusivity.api": False, "first_refusal.compute": False}
RIGHTS_AFTER_AGI = {
    **RIGHTS_EXTENSION,
    "license.infrastructure": False,
    "license.models": False,
    "revenue_share.openai_to_microsoft": False,
}
NO_RIGHTS = dict.fromkeys(RIGHTS_2025, False)
MID_2025 = {
    "status": "in_force",
    "terms": {},
    "contract_id": "ms-oai-2025",
    "term_end": 2030,
    "clauses": [
        {
            "kind": "license",
            "licensee": "microsoft",
            "scope": ["models", "infrastructure"],
            "expiry": "agi_declared",
        },
        {
            "kind": "revenue_share",
            "payer": "openai",
            "payee": "microsoft",
            "rate": 0.2,
            "expiry": "agi_declared",
        },
        {"kind": "exclusivity", "provider": "microsoft", "workload": "api", "expiry": "term"},
        {
            "kind": "first_refusal",
            "holder": "microsoft",
            "scope": "compute",
            "window_months": 1.0,
            "expiry": "term",
        },
        {
            "kind": "equity",
            "holder": "microsoft",
            "share": 0.49,
            "expiry": "term",
        },
    ],
    "rights": RIGHTS_2025,
    "investment_total_bn": 13.0,
    "compute_commitments_bn": {},
    "equity": {"microsoft": 0.49},
    "agi_declared": False,
    "agi_time": None,
    "agi_verified": False,
    "agi_verified_time": None,
    "talks": "not_started",
    "talks_outcome": None,
    "pending_terms": None,
    "pending_clauses": [],
    "reviews": {},
    "outside_deals": [],
    "rofr_exercised": 0,
    "restructuring": "none",  # the log has no restructuring
    "restructuring_consent": "none",
    "restructuring_reviews": {},
    "restructuring_time": None,
    "restructuring_long_stop": None,
    "funding_deadline": None,
    "funding_at_risk_bn": 0.0,
    "funding_lost_bn": 0.0,
    "outside_taken_bn": {},
    "outside_pending_bn": {},
    "rofr_matched_bn": 0.0,
    "outside_options": {},
    "seq": 4,
    "t": 78.0,
    "in_force_reviews": {},
    "complaints": [],
    "agi_definition": None,
}


@pytest.fixture(autouse=True)
def wide_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "200")  # rich wraps table cells at the terminal width


@pytest.fixture
def log(tmp_path: Path) -> Path:
    path = tmp_path / "run.jsonl"
    path.write_bytes(partnership_log())
    return path


def write(tmp_path: Path, pairs: list) -> Path:
    path = tmp_path / "small.jsonl"
    path.write_bytes(build_log(pairs))
    return path


def replay(capsys: pytest.CaptureFixture[str], *args: str) -> CliResult:
    return run_cli(capsys, ["replay", *args])


def row(out: str, label: str) -> list[str]:
    """The cells of the table row whose first cell is ``label``."""
    for line in out.splitlines():
        cells = [cell.strip() for cell in line.strip("│┃ ").split("│")]
        if cells and cells[0] == label:
            return cells[1:]
    raise AssertionError(f"no row {label!r} in:\n{out}")


# --- JSON -----------------------------------------------------------------------------


def test_json_around_agi(capsys: pytest.CaptureFixture[str], log: Path) -> None:
    result = replay(capsys, str(log), "--json")
    assert result.code == 0 and result.err == ""
    payload = orjson.loads(result.out)
    assert list(payload) == ["before_agi", "after_agi", "agi", "final"]
    before, after, final = payload["before_agi"], payload["after_agi"], payload["final"]
    # The extension's licence and revenue share wait for verification (2027-07-01), so
    # "after AGI" is taken once the milestone took effect, not at the declaration.
    assert payload["agi"] == {"declared_at": "2027-01-01", "verified_at": "2027-07-01"}
    assert before["seq"] == SEQ_AGI_DECLARED - 1 and after["seq"] == SEQ_AGI_VERIFIED
    assert before["agi_declared"] is False and before["agi_time"] is None
    assert after["agi_declared"] is True and after["agi_time"] == 96.0
    assert after["agi_verified"] is True and after["agi_verified_time"] == 102.0
    for state in (before, after):
        assert state["status"] == "in_force"
        assert state["contract_id"] == "ms-oai-ext"
        assert state["investment_total_bn"] == 18.0  # 1 + 2 + 10 + 0 + 5
        assert state["term_end"] == 2034
    assert before["rights"] == RIGHTS_EXTENSION
    assert after["rights"] == RIGHTS_AFTER_AGI
    assert final["status"] == "expired" and final["terms"] is None
    assert final["rights"] == NO_RIGHTS
    assert final["agi_verified"] is True and (final["seq"], final["t"]) == (23, 192.0)


@pytest.mark.parametrize("at", ["2025-07-01", "78", "78.0", " 78 "])
def test_json_at_mid_2025(capsys: pytest.CaptureFixture[str], log: Path, at: str) -> None:
    result = replay(capsys, str(log), "--at", at, "--json")
    assert result.code == 0, result.err
    payload = orjson.loads(result.out)
    assert list(payload) == ["at", "date", "state"]
    assert payload["at"] == 78.0 and payload["date"] == "2025-07-01"
    assert payload["state"] == MID_2025


def test_json_at_2031(capsys: pytest.CaptureFixture[str], log: Path) -> None:
    payload = orjson.loads(replay(capsys, str(log), "--at", "2031-06-01", "--json").out)
    # 2031-06-01 is 12 * 12 + 5 = 149 months after 2019-01-01.
    assert (payload["at"], payload["date"]) == (149.0, "2031-06-01")
    state = payload["state"]
    assert state["status"] == "in_force" and state["seq"] == 21
    assert state["agi_declared"] and state["agi_verified"]
    assert state["rights"] == RIGHTS_AFTER_AGI


def test_json_at_before_anything(capsys: pytest.CaptureFixture[str], log: Path) -> None:
    payload = orjson.loads(replay(capsys, str(log), "--at", "2018-06-01", "--json").out)
    assert (payload["at"], payload["date"]) == (-7.0, "2018-06-01")
    assert payload["state"]["seq"] == -1 and payload["state"]["status"] == "negotiating"


def test_json_without_agi(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = write(tmp_path, [*PARTNERSHIP[:SEQ_AGI_DECLARED], (100.0, RunEnded("horizon"))])
    payload = orjson.loads(replay(capsys, str(path), "--json").out)
    assert payload["before_agi"] is None and payload["after_agi"] is None
    assert payload["agi"] == {"declared_at": None, "verified_at": None}
    assert payload["final"]["status"] == "in_force" and payload["final"]["seq"] == 20


# --- tables ---------------------------------------------------------------------------


def test_table_around_agi(capsys: pytest.CaptureFixture[str], log: Path) -> None:
    result = replay(capsys, str(log))
    assert result.code == 0 and result.err == ""
    out = result.out
    assert "Contract state around AGI" in out
    assert "AGI declared 2027-01-01, verified 2027-07-01" in out
    assert "just before AGI (2027-01-01)" in out and "after AGI (2027-07-01)" in out
    assert "final (2035-01-01)" in out
    assert row(out, "status") == ["in_force", "in_force", "expired"]
    assert row(out, "investment total") == ["USD 18 bn"] * 3
    assert row(out, "terms: cloud") == ["rofr", "rofr", "—"]
    assert row(out, "terms: revenue_share") == ["0.15", "0.15", "—"]
    assert row(out, "term end") == ["2034", "2034", "—"]
    assert row(out, "AGI declared") == [
        "no",
        "2027-01-01 (verified)",
        "2027-01-01 (verified)",
    ]
    assert row(out, "license.models") == ["active", "lapsed", "lapsed"]
    assert row(out, "exclusivity.api") == ["lapsed"] * 3  # the CMA's open cloud
    assert row(out, "equity") == ["microsoft: 30%"] * 3
    assert row(out, "outside deals") == ["oracle"] * 3
    assert row(out, "talks") == ["closed (agreement)"] * 3
    assert row(out, "as of") == ["seq 19, 2026-07-01", "seq 21, 2027-07-01", "seq 23, 2035-01-01"]
    assert row(out, "reviews")[0] == "uk-cma: approved with conditions, us-ftc: approved"
    # One row per aspect: no duplicate rows (a term shown twice under two names).
    labels = [line.strip("│┃ ").split("│")[0].strip() for line in out.splitlines() if "│" in line]
    labels = [label for label in labels if label]
    assert len(labels) == len(set(labels))


def test_table_at_a_date(capsys: pytest.CaptureFixture[str], log: Path) -> None:
    result = replay(capsys, str(log), "--at", "2026-01-01")
    assert result.code == 0
    out = result.out
    assert "at 2026-01-01 (t=84)" in out
    # 2026-01-01 = t 84: the extension is under review by both regulators.
    assert row(out, "status") == ["under_review"]
    assert row(out, "exclusivity.api") == ["active"]  # the amended 2025 contract still in force
    assert row(out, "investment total") == ["USD 13 bn"]
    assert row(out, "reviews") == ["uk-cma: open, us-ftc: open"]
    assert row(out, "pending terms")[0].startswith("term_end=2034, ip_expiry=agi_verified")
    assert row(out, "as of") == ["seq 14, 2026-01-01"]


def test_table_without_agi_says_so(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = write(tmp_path, [*PARTNERSHIP[:SEQ_AGI_DECLARED], (100.0, RunEnded("horizon"))])
    result = replay(capsys, str(path))
    assert result.code == 0
    assert "AGI never happened" in result.out
    assert "final (2027-05-01)" in result.out  # t = 100 = 8 years and 4 months
    assert row(result.out, "status") == ["in_force"]
    assert "just before AGI" not in result.out


def test_table_of_a_blocked_deal(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    pairs = [
        (0.0, run_started()),
        (48.0, ContractSigned("c23", BOTH, CLAUSES_2023, False, term_end=2030)),
        (81.0, ContractSigned("ext", BOTH, CLAUSES_EXTENSION, True, OFFER_MS_2, 2034)),
        (82.0, ReviewOpened("uk-cma", "ext", 90)),
        (90.0, RulingIssued("uk-cma", "ext", "blocked")),
        (91.0, MilestoneReached("agi", "openai", True)),
        (92.0, RunEnded("horizon")),
    ]
    out = replay(capsys, str(write(tmp_path, pairs))).out
    assert row(out, "status") == ["blocked", "blocked", "blocked"]
    assert row(out, "exclusivity.all") == ["active"] * 3  # the 2023 contract stays in force
    assert row(out, "license.models") == ["active", "lapsed", "lapsed"]  # lapses at declaration


def test_step_time_unit_has_no_dates(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    started = RunStarted({}, "1", 1, "0.1.0", "2019-01-01", time_unit="step")
    path = write(tmp_path, [(0.0, started), (3.0, RunEnded("horizon"))])
    payload = orjson.loads(replay(capsys, str(path), "--at", "2", "--json").out)
    assert list(payload) == ["at", "state"] and payload["at"] == 2.0
    assert "t=3" in replay(capsys, str(path)).out
    assert_one_line_error(replay(capsys, str(path), "--at", "2025-01-01"), 2, "--at")


@gen.cli_settings(25)
@given(gen.event_sequences(max_middle=10))
def test_any_valid_log_replays_as_table_and_json(
    capsys: pytest.CaptureFixture[str], pairs: list[tuple[float, Event]]
) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "run.jsonl"
        path.write_bytes(build_log(pairs))
        table = replay(capsys, str(path))
        assert table.code == 0 and table.err == "", table.err
        assert f"{len(pairs)} events, verified" in table.out
        for event in (event for _, event in pairs if isinstance(event, OutsideDealAccepted)):
            assert event.competitor in table.out  # names are shown as text, not markup
        payload = orjson.loads(replay(capsys, str(path), "--json").out)
        assert list(payload) == ["before_agi", "after_agi", "agi", "final"]
        assert payload["final"]["seq"] == len(pairs) - 1
        at = replay(capsys, str(path), "--at", str(pairs[-1][0] / 2), "--json")
        assert at.code == 0, at.err
        assert orjson.loads(at.out)["at"] == pairs[-1][0] / 2


def test_names_that_look_like_rich_markup_are_shown_verbatim(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    pairs = [
        (0.0, run_started()),
        (1.0, OutsideDealAccepted("openai", 0, "[/oops]", 3)),
        (2.0, OutsideDealAccepted("openai", 0, "[bold]x", 3)),
        (3.0, RunEnded("horizon")),
    ]
    path = tmp_path / "[m].jsonl"
    path.write_bytes(build_log(pairs))
    result = replay(capsys, str(path))
    assert result.code == 0, result.err
    assert row(result.out, "outside deals") == ["[/oops], [bold]x"]
    assert f"{path}: 4 events, verified" in result.out


# --- errors ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "at", ["soon", "2025-13-01", "2025-7-1", "inf", "nan", "-inf", "1e300", ""]
)
def test_bad_at_is_a_usage_error(capsys: pytest.CaptureFixture[str], log: Path, at: str) -> None:
    result = replay(capsys, str(log), "--at", at)
    assert_one_line_error(result, 2, "--at")
    assert result.out == ""


def test_tampered_log_is_exit_1_even_with_at(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_bytes(partnership_log().replace(b'"reason":"horizon"', b'"reason":"horizon "'))
    for args in ([], ["--json"], ["--at", "2025-07-01", "--json"]):
        result = replay(capsys, str(path), *args)
        assert_one_line_error(result, 1, f"{path}: line 24")
        assert result.out == ""


def test_missing_log_is_exit_2(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert_one_line_error(replay(capsys, str(tmp_path / "x.jsonl"), "--json"), 2, "x.jsonl")


def test_start_date_that_is_not_a_date(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    # Such a log cannot be written by negsim: a forger edits a valid one and reseals it.
    started = RunStarted({}, "1", 1, "0.1.0", "2019-01-01")
    lines = build_log([(0.0, started), (1.0, RunEnded("horizon"))]).splitlines()
    lines[0] = lines[0].replace(b'"2019-01-01"', b'"the first of January"')
    path = tmp_path / "forged.jsonl"
    path.write_bytes(reseal(lines))
    assert_one_line_error(replay(capsys, str(path)), 1, "line 1", "start_date")


# --- regressions: bugs found in events/ and fixed ---


def test_dates_shown_are_the_dates_of_the_events(
    capsys: pytest.CaptureFixture[str], log: Path
) -> None:
    # seq 4 is the amendment of 2025-01-21 (t = 72 + 20/31); it was shown as 2025-01-20.
    out = replay(capsys, str(log), "--at", "2025-01-21").out
    assert row(out, "as of") == ["seq 4, 2025-01-21"]
    payload = orjson.loads(replay(capsys, str(log), "--at", "2025-07-17", "--json").out)
    assert payload["date"] == "2025-07-17"
