"""The CLI skeleton: help, version, bad flags, and the one-line error contract."""

from __future__ import annotations

import subprocess
import sys

import pytest

from events._version import __version__
from sim.cli.commands import MODULES, all_commands
from tests.cli_helpers import assert_one_line_error, run_cli


def test_help_lists_every_subcommand(capsys: pytest.CaptureFixture[str]) -> None:
    result = run_cli(capsys, ["--help"])
    assert result.code == 0
    names = [command.name for command in all_commands()]  # the command table itself
    assert len(names) == len(MODULES) == len(set(names)) >= 12
    for name in names:
        assert f"\n  {name} " in result.out, name


def test_version_prints_package_version(capsys: pytest.CaptureFixture[str]) -> None:
    result = run_cli(capsys, ["--version"])
    assert result.code == 0
    assert result.out.strip() == f"negsim {__version__}"


def test_bad_flag_is_one_line_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    result = run_cli(capsys, ["--no-such-flag"])
    assert_one_line_error(result, 2, "--no-such-flag")


def test_unknown_subcommand_is_one_line_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    result = run_cli(capsys, ["frobnicate"])
    assert_one_line_error(result, 2, "frobnicate")


def test_bad_log_format_choice(capsys: pytest.CaptureFixture[str]) -> None:
    result = run_cli(capsys, ["--log-format", "xml", "scenarios"])
    assert_one_line_error(result, 2, "xml")


def test_python_dash_m_sim_is_the_same_cli() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "sim", "--version"], capture_output=True, text=True, check=False
    )
    assert proc.returncode == 0
    assert proc.stdout.strip() == f"negsim {__version__}"
    proc = subprocess.run(
        [sys.executable, "-m", "sim", "--bogus"], capture_output=True, text=True, check=False
    )
    assert proc.returncode == 2
    assert proc.stderr.count("\n") == 1 and "Traceback" not in proc.stderr
