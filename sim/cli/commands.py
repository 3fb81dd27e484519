"""Which module provides which subcommand (one module per subcommand)."""

from __future__ import annotations

import importlib

import click

MODULES = (
    "run",
    "replay",
    "verify",
    "mc",
    "export",
    "plot",
    "tournament",
    "tune",
    "scenarios",
    "fork",
    "diff",
    "sensitivity",
    "backtest",
    "calibrate",
    "strategies",
)


def all_commands() -> list[click.Command]:
    return [importlib.import_module(f"sim.cli.cmd_{name}").command for name in MODULES]
