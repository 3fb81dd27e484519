"""Rows (one dict per run) to Arrow, Parquet and CSV."""

from __future__ import annotations

import csv
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import click

from events.errors import InputError, OutputError

FORMATS = {".parquet": "parquet", ".pq": "parquet", ".csv": "csv"}


def check_out(path: Path | None) -> None:
    """Refuse an ``--out`` this module cannot write, before any run starts."""
    if path is not None and path.suffix.lower() not in FORMATS:
        raise click.BadParameter(
            f"{path}: expected a .parquet, .pq or .csv file", param_hint="'--out'"
        )


def columns_of(rows: Sequence[dict[str, Any]]) -> list[str]:
    """Every key of every row, in first-seen order."""
    seen: dict[str, None] = {}
    for row in rows:
        for key in row:
            seen.setdefault(key, None)
    return list(seen)


def to_arrow(rows: Sequence[dict[str, Any]]) -> Any:
    """A ``pyarrow.Table`` of the rows (needs pyarrow: ``pip install negsim[parquet]``)."""
    try:
        import pyarrow as pa
    except ImportError:
        raise InputError("Arrow/Parquet output needs pyarrow; install negsim[parquet]") from None
    columns = columns_of(rows)
    return pa.Table.from_pylist([{c: row.get(c) for c in columns} for row in rows])


def write_rows(rows: Sequence[dict[str, Any]], path: str | Path) -> Path:
    """Write one line per row: Parquet for ``.parquet``/``.pq``, CSV for ``.csv``."""
    path = Path(path)
    kind = FORMATS.get(path.suffix.lower())
    if kind is None:
        raise InputError(
            f"{path}: unknown output format {path.suffix or '(no suffix)'!r}; "
            "use .parquet, .pq or .csv"
        )
    try:
        if path.parent != Path(""):
            path.parent.mkdir(parents=True, exist_ok=True)
        if kind == "parquet":
            table = to_arrow(rows)
            import pyarrow.parquet as pq

            pq.write_table(table, path)
        else:
            columns = columns_of(rows)
            with path.open("w", newline="", encoding="utf-8") as handle:
                writer = csv.DictWriter(handle, fieldnames=columns, extrasaction="ignore")
                writer.writeheader()
                for row in rows:
                    writer.writerow({c: _csv_value(row.get(c)) for c in columns})
    except OSError as exc:
        raise OutputError(f"{path}: cannot write: {exc.strerror or exc}") from None
    return path


def _csv_value(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return value


__all__ = ["columns_of", "to_arrow", "write_rows"]
