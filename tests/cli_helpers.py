"""Run the CLI in-process and capture what a user would see."""

from __future__ import annotations

from collections.abc import Sequence

import attrs
import pytest

from sim.cli import main


@attrs.frozen
class CliResult:
    code: int
    out: str
    err: str


def run_cli(capsys: pytest.CaptureFixture[str], args: Sequence[str]) -> CliResult:
    code = main(list(args))
    captured = capsys.readouterr()
    return CliResult(code, captured.out, captured.err)


def assert_one_line_error(result: CliResult, code: int, *needles: str) -> None:
    """The CLI error contract: exit code, exactly one ``negsim: error:`` line, no traceback."""
    assert result.code == code, (result.code, result.err)
    lines = result.err.strip().splitlines()
    assert len(lines) == 1, result.err
    assert lines[0].startswith("negsim: error: "), lines[0]
    assert "Traceback" not in result.err
    for needle in needles:
        assert needle in lines[0], (needle, lines[0])
