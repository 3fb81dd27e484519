"""Modules under sim/ use each other's public names only (issue 15): a private name
(``_x``) is free to change inside its own module, so nothing else may rely on it."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("sim", "agents", "events")


def _private_imports(source: str, where: str) -> list[str]:
    tree = ast.parse(source)
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            if node.module.split(".")[0] not in PACKAGES:
                continue
            for alias in node.names:
                name = alias.name
                if name.startswith("_") and not name.startswith("__"):
                    found.append(f"{where}:{node.lineno}: {node.module}.{name}")
    return found


@pytest.mark.parametrize("package", PACKAGES)
def test_no_module_imports_a_private_name_from_another(package: str) -> None:
    offenders = [
        hit
        for path in sorted((ROOT / package).rglob("*.py"))
        for hit in _private_imports(path.read_text(encoding="utf-8"), str(path.relative_to(ROOT)))
    ]
    assert offenders == []


def test_the_check_sees_a_private_import() -> None:
    """The walker itself: private names are reported, public and dunder ones not."""
    source = (
        "from sim.engine import Simulation, _WatchedWorld\n"
        "from events import __version__\n"
        "from os import _exit\n"
    )
    assert _private_imports(source, "probe.py") == ["probe.py:1: sim.engine._WatchedWorld"]
