"""Run benchmarks: ``python -m bench`` (all) or ``python -m bench NAME [NAME ...]``.

Each benchmark prints one JSON line per figure on stdout. Exit status: 0 when every
benchmark ran or was skipped (a skip, e.g. ``peers`` without its extra, prints one
line on stderr saying what to install); 1 when a benchmark's data did not replay as
it must (one line on stderr naming it); 2 for an unknown benchmark name.
"""

from __future__ import annotations

import importlib
import pkgutil
import sys

import orjson

import bench
from bench.harness import REGISTRY, BenchDataError, Skipped


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
    status = 0
    for name in names:
        try:
            outcome = REGISTRY[name]()
        except Skipped as skip:
            sys.stderr.write(f"bench: {name}: skipped: {skip}\n")
            continue
        except BenchDataError as exc:
            sys.stderr.write(f"bench: error: {name}: {exc}\n")
            status = 1
            continue
        for result in outcome if isinstance(outcome, list) else [outcome]:
            sys.stdout.write(orjson.dumps(result.as_json()).decode() + "\n")
        sys.stdout.flush()
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
