"""``negsim run`` and ``negsim replay`` stay readable at 80 columns: no line is wider,
and no word of a table cell is cut in two (issue 13)."""

from __future__ import annotations

from pathlib import Path

import pytest
from rich.cells import cell_len

from events.replay import around_agi
from sim.cli.render_state import _fits, _has_contract, _issues_of, _rows, state_tables
from sim.engine import simulate
from sim.scenario import load_scenario
from tests.cli_helpers import run_cli


def _cell_words(states: list, start: object) -> set[str]:
    rights = sorted({right for state in states for right in state.rights})
    rows = _rows(start, _issues_of(states), _has_contract(states), rights)  # type: ignore[arg-type]
    return {word for state in states for _, cell in rows for word in cell(state).split()}


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_run_output_fits_80_columns_and_keeps_words_whole(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, seed: int
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("COLUMNS", "80")
    result = run_cli(capsys, ["run", "--seed", str(seed)])
    assert result.code == 0, result.err
    lines = result.out.splitlines()
    assert max(cell_len(line) for line in lines) <= 80
    text = result.out
    run = simulate(load_scenario("msft-openai"), seed)
    agi = around_agi(run.records)
    states = [run.final] if agi is None else [agi.before, agi.after, run.final]
    words = _cell_words(states, load_scenario("msft-openai").start)
    assert words
    for word in words:  # every word of every state cell is printed whole
        assert word in text, word
    assert "models+infr\n" not in text and "jurisdictio\n" not in text


def test_states_sit_side_by_side_when_they_fit_and_stack_when_not() -> None:
    run = simulate(load_scenario("msft-openai"), 0)
    agi = around_agi(run.records)
    assert agi is not None
    columns = [("before AGI", agi.before), ("after AGI", agi.after), ("end", run.final)]
    assert not _fits(columns, load_scenario("msft-openai").start, 80)
    stacked = state_tables(columns, load_scenario("msft-openai").start, 80)
    assert len(stacked) == 3
    wide = state_tables(columns, load_scenario("msft-openai").start, 200)
    assert len(wide) == 1
