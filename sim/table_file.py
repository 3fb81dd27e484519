"""Result tables on disk: Parquet or CSV by the file's suffix, written atomically.

Every command that writes a table (``negsim mc --out``, ``tournament --out``,
``tune --out``) writes it through here, so they share one set of suffixes, one
error contract and one guarantee: the file appears whole (a temporary file beside it,
fsynced, then renamed into place) or not at all; a full disk or a killed process never
leaves a half-written table under the requested name. (A terminal, pipe or device,
such as ``/dev/stdout``, is written in place: see :mod:`events.files`.)

Rows whose keys vary (tournament and tuning rows carry parameter columns only some
strategies have) are written by ``write_rows``, with the union of their keys as columns.

Parquet needs pyarrow (the ``parquet`` extra); CSV needs nothing. In CSV an absent value
is an empty field and a boolean is ``true``/``false``.
"""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, BinaryIO, Final

from events.errors import InputError
from events.files import open_whole

FORMATS: Final = {".parquet": "parquet", ".pq": "parquet", ".csv": "csv"}
ARROW_BATCH_ROWS: Final = 4096  # rows per Parquet record batch: bounded memory on big batches


def table_format(path: str | os.PathLike[str]) -> str:
    """``"parquet"`` or ``"csv"`` from the suffix; InputError for anything else."""
    suffix = Path(path).suffix.lower()
    kind = FORMATS.get(suffix)
    if kind is None:
        raise InputError(
            f"{path}: unknown output format {suffix or '(no suffix)'!r}; "
            "expected a .parquet or .csv file (.pq reads as Parquet)"
        )
    return kind


def check_out(path: str | os.PathLike[str], flag: str = "--out") -> Path:
    """Refuse a table path that cannot be written *before* any run starts.

    The suffix must name a format, and Parquet needs pyarrow installed.
    """
    path = Path(path)
    if path.suffix.lower() not in FORMATS:
        raise InputError(
            f"{flag} {path}: expected a .parquet or .csv file name (.pq reads as Parquet), "
            f"got {repr(path.suffix) if path.suffix else 'no suffix'}"
        )
    if FORMATS[path.suffix.lower()] == "parquet":
        pyarrow()
    return path


def pyarrow() -> Any:
    """The ``pyarrow`` module (with ``pyarrow.parquet`` loaded), or the one-line error."""
    try:
        import pyarrow
        import pyarrow.parquet  # loads the submodule onto pyarrow
    except ImportError:
        raise InputError(
            "Parquet output needs pyarrow, which is not installed; "
            "pip install '.[parquet]' in a clone of negsim (or 'negsim[parquet]')"
        ) from None
    return pyarrow


def arrow_schema(columns: Sequence[str], types: Sequence[str]) -> Any:
    """An Arrow schema from SQL-like column types (``INTEGER``, ``REAL``, ``TEXT``)."""
    pa = pyarrow()
    kinds = {"INTEGER": pa.int64(), "REAL": pa.float64(), "TEXT": pa.string()}
    return pa.schema([(name, kinds[kind]) for name, kind in zip(columns, types, strict=True)])


def write_table(
    path: str | os.PathLike[str],
    columns: Sequence[str],
    rows: Iterable[Mapping[str, Any]],
    *,
    types: Sequence[str] | None = None,
) -> Path:
    """Write ``rows`` (dicts; missing keys are absent values) as a table at ``path``.

    With ``types`` (one of INTEGER/REAL/TEXT per column) Parquet gets that schema and the
    rows are streamed in record batches; without, Arrow infers the types from all rows.
    """
    path = Path(path)
    kind = table_format(path)
    if kind == "parquet":
        pyarrow()
    with open_whole(path, what="results") as handle:
        _write(kind, handle, columns, rows, types)
    return path


def _write(
    kind: str,
    handle: BinaryIO,
    columns: Sequence[str],
    rows: Iterable[Mapping[str, Any]],
    types: Sequence[str] | None,
) -> None:
    if kind == "parquet":
        _write_parquet(handle, columns, rows, types)
    else:
        _write_csv(handle, columns, rows)


def _write_parquet(
    handle: BinaryIO,
    columns: Sequence[str],
    rows: Iterable[Mapping[str, Any]],
    types: Sequence[str] | None,
) -> None:
    pa = pyarrow()
    if types is None:
        table = pa.Table.from_pylist([{name: row.get(name) for name in columns} for row in rows])
        pa.parquet.write_table(table, handle)
        return
    schema = arrow_schema(columns, types)
    with pa.parquet.ParquetWriter(handle, schema) as writer:
        batch: list[Mapping[str, Any]] = []
        for row in rows:
            batch.append(row)
            if len(batch) >= ARROW_BATCH_ROWS:
                writer.write_batch(_record_batch(pa, batch, columns, schema))
                batch = []
        if batch:
            writer.write_batch(_record_batch(pa, batch, columns, schema))


def _record_batch(
    pa: Any, rows: Sequence[Mapping[str, Any]], columns: Sequence[str], schema: Any
) -> Any:
    return pa.RecordBatch.from_pydict(
        {name: [row.get(name) for row in rows] for name in columns}, schema=schema
    )


def _write_csv(handle: BinaryIO, columns: Sequence[str], rows: Iterable[Mapping[str, Any]]) -> None:
    text = io.TextIOWrapper(handle, encoding="utf-8", newline="", write_through=True)
    try:
        writer = csv.writer(text)
        writer.writerow(columns)
        for row in rows:
            writer.writerow([csv_value(row.get(name)) for name in columns])
        text.flush()
    finally:
        text.detach()  # the caller owns (fsyncs and closes) the binary handle


def csv_value(value: Any) -> Any:
    """A value as CSV writes it: None is empty, booleans are ``true``/``false``."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return value


def columns_of(rows: Sequence[Mapping[str, Any]]) -> list[str]:
    """Every key of every row, in first-seen order.

    Tournament and tuning rows carry per-strategy parameter columns that only some rows
    have, so their columns are the union of the rows' keys.
    """
    seen: dict[str, None] = {}
    for row in rows:
        for key in row:
            seen.setdefault(key, None)
    return list(seen)


def to_arrow(rows: Sequence[Mapping[str, Any]]) -> Any:
    """A ``pyarrow.Table`` of rows whose keys may vary (see :func:`columns_of`); Arrow
    infers the types (needs pyarrow: ``pip install negsim[parquet]``)."""
    columns = columns_of(rows)
    return pyarrow().Table.from_pylist([{c: row.get(c) for c in columns} for row in rows])


def write_rows(rows: Sequence[Mapping[str, Any]], path: str | os.PathLike[str]) -> Path:
    """Write rows whose keys may vary, one line each, by :func:`write_table`."""
    return write_table(path, columns_of(rows), rows)


__all__ = [
    "FORMATS",
    "arrow_schema",
    "check_out",
    "columns_of",
    "pyarrow",
    "table_format",
    "to_arrow",
    "write_rows",
    "write_table",
]
