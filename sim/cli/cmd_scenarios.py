"""``negsim scenarios``: list the built-in scenarios, one line each."""

from __future__ import annotations

import click
import orjson

from sim.cli.options import json_option


@click.command("scenarios", help="List the built-in scenarios.")
@json_option
def command(as_json: bool) -> None:
    from sim.scenario import list_builtins

    builtins = list_builtins()
    if as_json:
        click.echo(orjson.dumps([{"name": n, "description": d} for n, d in builtins]).decode())
        return
    width = max(len(name) for name, _ in builtins)
    for name, description in builtins:
        click.echo(f"{name:<{width}}  {description}")
