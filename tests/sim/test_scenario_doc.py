"""docs/scenario-msft-openai.md: its tables and figures regenerate with the command it
names and match the committed ones; every number of the scenario has a source."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import pytest

DOCS = Path(__file__).resolve().parents[2] / "docs"


def _script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("scenario_doc", DOCS / "scenario_msft_openai.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_page_names_its_command() -> None:
    page = (DOCS / "scenario-msft-openai.md").read_text(encoding="utf-8")
    assert "python docs/scenario_msft_openai.py" in page


def test_every_number_in_the_scenario_cites_facts_or_is_an_assumption() -> None:
    script = _script()
    settings = script.settings(script.SCENARIO.read_text(encoding="utf-8"))
    assert len(settings) > 40
    unsourced = [(section, key, value) for section, key, value, source, _ in settings if not source]
    assert unsourced == []


def test_the_committed_tables_and_figures_are_what_the_command_makes(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert _script().main(["--check"]) == 0, capsys.readouterr().out
