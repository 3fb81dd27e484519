"""The scenarios that ship with negsim (package data in ``sim/scenarios/*.toml``)."""

from __future__ import annotations

import tomllib
from importlib import resources
from typing import Final

BUILTINS: Final = ("msft-openai", "bilateral-demo")
DEFAULT_SCENARIO: Final = "msft-openai"


def builtin_text(name: str) -> str:
    """The TOML text of a built-in scenario (``KeyError`` for an unknown name)."""
    if name not in BUILTINS:
        raise KeyError(name)
    return resources.files("sim").joinpath("scenarios", f"{name}.toml").read_text("utf-8")


def list_builtins() -> list[tuple[str, str]]:
    """``(name, one-line description)`` of each built-in scenario, the default first."""
    listing = []
    for name in BUILTINS:
        head = tomllib.loads(builtin_text(name)).get("scenario", {})
        lines = str(head.get("description", "")).strip().splitlines()
        listing.append((name, lines[0].strip() if lines else ""))
    return listing
