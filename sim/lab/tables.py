"""Rows of the strategy lab (one dict per run, keys may vary by row) to Arrow and files.

Tournament and tuning rows carry per-strategy parameter columns that only some rows
have, so their columns are the union of the rows' keys, in first-seen order, and Arrow
infers the types. The writing itself (suffixes, atomic rename, errors) is
:mod:`sim.table_file`, shared with ``negsim mc --out``.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from sim.table_file import check_out as check_table_out
from sim.table_file import pyarrow, write_table


def check_out(path: Path | None) -> None:
    """Refuse an ``--out`` that cannot be written, before any run starts."""
    if path is not None:
        check_table_out(path)


def columns_of(rows: Sequence[dict[str, Any]]) -> list[str]:
    """Every key of every row, in first-seen order."""
    seen: dict[str, None] = {}
    for row in rows:
        for key in row:
            seen.setdefault(key, None)
    return list(seen)


def to_arrow(rows: Sequence[dict[str, Any]]) -> Any:
    """A ``pyarrow.Table`` of the rows (needs pyarrow: ``pip install negsim[parquet]``)."""
    columns = columns_of(rows)
    return pyarrow().Table.from_pylist([{c: row.get(c) for c in columns} for row in rows])


def write_rows(rows: Sequence[dict[str, Any]], path: str | Path) -> Path:
    """Write one line per row: Parquet for ``.parquet``/``.pq``, CSV for ``.csv``."""
    return write_table(path, columns_of(rows), rows)


__all__ = ["check_out", "columns_of", "to_arrow", "write_rows"]
