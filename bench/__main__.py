"""Run benchmarks: ``python -m bench`` (all) or ``python -m bench NAME [NAME ...]``."""

from __future__ import annotations

import importlib
import pkgutil
import sys

import orjson

import bench
from bench.harness import REGISTRY


def _load_all() -> None:
    for module in pkgutil.iter_modules(bench.__path__):
        if module.name.startswith("bench_"):
            importlib.import_module(f"bench.{module.name}")


def main(argv: list[str]) -> int:
    _load_all()
    names = argv or sorted(REGISTRY)
    unknown = [name for name in names if name not in REGISTRY]
    if unknown:
        valid = ", ".join(sorted(REGISTRY)) or "(none)"
        sys.stderr.write(f"bench: error: unknown benchmark {unknown[0]!r}; valid: {valid}\n")
        return 2
    for name in names:
        result = REGISTRY[name]()
        sys.stdout.write(orjson.dumps(result.as_json()).decode() + "\n")
        sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
