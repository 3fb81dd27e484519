"""Options shared by several subcommands."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import click

F = TypeVar("F", bound=Callable[..., Any])


def scenario_argument(fn: F) -> F:
    return click.argument(
        "scenario", required=False, default="msft-openai", metavar="[SCENARIO|PATH]"
    )(fn)


def set_option(fn: F) -> F:
    return click.option(
        "--set",
        "assignments",
        multiple=True,
        metavar="K=V",
        help="Override a scenario parameter, e.g. regulators.cma.strictness=0.8 (repeatable).",
    )(fn)


def json_option(fn: F) -> F:
    return click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")(fn)


def seed_type(text: str) -> str:
    from sim.seeding import RunSeed

    try:
        return str(RunSeed.parse(text))
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None


def workers_option(fn: F) -> F:
    return click.option(
        "--workers",
        type=click.IntRange(min=1),
        default=None,
        help="Worker processes [default: the CPU count].",
    )(fn)


def executor_options(fn: F) -> F:
    """``--executor process|dask`` and ``--address`` (a running Dask scheduler)."""
    fn = click.option(
        "--address",
        default=None,
        metavar="tcp://HOST:PORT",
        help="A running Dask scheduler (with --executor dask) [default: a LocalCluster].",
    )(fn)
    return click.option(
        "--executor",
        type=click.Choice(["process", "dask"]),
        default="process",
        show_default=True,
        help="A local process pool, or Dask (needs negsim[dask]).",
    )(fn)
