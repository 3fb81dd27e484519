"""Which module provides which subcommand."""

from __future__ import annotations

import click


def all_commands() -> list[click.Command]:
    from sim.cli.app import not_implemented

    return [
        not_implemented("run", "Run one seeded simulation and print its summary."),
        not_implemented("replay", "Verify a log and print the contract state it implies."),
        not_implemented("verify", "Check a log's hash chain and structure."),
        not_implemented("mc", "Run a Monte Carlo batch."),
        not_implemented("export", "Write one run's log from a batch store."),
        not_implemented("plot", "Draw a run's timeline or a batch's distributions."),
        not_implemented("tournament", "Play every pair of strategies against each other."),
        not_implemented("tune", "Search a strategy's parameters."),
        not_implemented("scenarios", "List the built-in scenarios."),
    ]
