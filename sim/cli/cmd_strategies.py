"""``negsim strategies``: every negotiation strategy, its parameters and their defaults.

Derived from the registry (``agents.strategies.STRATEGIES``) and each class's attrs
fields, never from a hand-kept list: a strategy added there shows up here. The valid
values of a parameter are read from its own converter's error message (the words a
scenario author would see for a bad value), so they cannot drift apart either.
"""

from __future__ import annotations

import inspect
from typing import Any

import attrs
import click
import orjson

from sim.cli.options import json_option


class _Probe:
    """A value no converter accepts, to make it say what it expects."""

    def __repr__(self) -> str:
        return "<probe>"


def _expected(converter: Any, name: str) -> str | None:
    """What a parameter's converter accepts, in its own words ("a number in [0, 1]")."""
    if converter is None:
        return None
    try:
        converter(_Probe())
    except (TypeError, ValueError) as exc:
        text = str(exc)
        head = f"{name} must be "
        if text.startswith(head) and ", got " in text:
            return text[len(head) : text.rindex(", got ")]
    return None


def describe_strategies() -> list[dict[str, Any]]:
    """One dict per registered strategy: name, summary, classifier, parameters."""
    from agents.strategies import STRATEGIES

    described = []
    for name, cls in STRATEGIES.items():
        defaults = cls()
        summary = (inspect.getdoc(cls) or "").split("\n\n")[0].replace("\n", " ")
        parameters = [
            {
                "name": field.name,
                "default": getattr(defaults, field.name),
                "accepts": _expected(field.converter, field.name),
            }
            for field in attrs.fields(cls)
        ]
        classifier = dict(getattr(cls, "classifier", {}))
        described.append(
            {"name": name, "summary": summary, "classifier": classifier, "parameters": parameters}
        )
    return described


def _default_text(value: Any) -> str:
    if value is None:
        return "(from the scenario)"
    if isinstance(value, bool):
        return "true" if value else "false"
    return f"{value:g}" if isinstance(value, float) else str(value)


@click.command(
    "strategies",
    help=(
        "List the negotiation strategies a scenario's parties.<P>.strategy can name, "
        "with their parameters (parties.<P>.params.<K>), defaults and valid values."
    ),
)
@json_option
def command(as_json: bool) -> None:
    strategies = describe_strategies()
    if as_json:
        click.echo(orjson.dumps(strategies).decode())
        return
    name_width = max(len(p["name"]) for s in strategies for p in s["parameters"])
    default_width = max(
        len(_default_text(p["default"])) for s in strategies for p in s["parameters"]
    )
    for index, strategy in enumerate(strategies):
        if index:
            click.echo()
        click.echo(f"{strategy['name']}: {strategy['summary'].replace('``', '')}")
        if not strategy["parameters"]:
            click.echo("  (no parameters)")
        for param in strategy["parameters"]:
            default = _default_text(param["default"])
            accepts = param["accepts"] or ""
            name = f"{param['name']:<{name_width}}"
            click.echo(f"  {name}  default {default:<{default_width}}  {accepts}".rstrip())
