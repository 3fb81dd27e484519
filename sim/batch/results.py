"""A batch's table: one row per run, to Arrow, pandas, Parquet or CSV, and its summary.

Columns, in order (a contract): ``run``, ``seed``, ``digest``, ``events``, then
``param_<dotted.key>`` for each parameter drawn from a distribution, ``sweep_<dotted.key>``
for each swept key, then the summary columns of :mod:`sim.run.summary`. Values are as the
store keeps them: 0/1 for yes/no columns, floats for REAL, text for TEXT, None if absent.

A result backed by a store reads its rows from the store when asked (streamed for
:meth:`BatchResult.write` and :meth:`BatchResult.summary`), so the batch's parent never
holds more than the runs in flight.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, Final

import orjson

from events.errors import InputError
from sim.batch.estimates import OutcomeEstimate, summarize_rows
from sim.batch.plan import META_KIND
from sim.batch.store import BatchStore
from sim.table_file import arrow_schema, pyarrow, write_table

FIXED_TYPES: Final = (
    ("run", "INTEGER"),
    ("seed", "TEXT"),
    ("digest", "TEXT"),
    ("events", "INTEGER"),
)


class BatchResult:
    """The runs of a batch (see the module doc for the columns)."""

    def __init__(
        self,
        columns: Sequence[tuple[str, str]],
        meta: Mapping[str, str],
        *,
        rows: list[dict[str, Any]] | None = None,
        store: Path | None = None,
        timing: Mapping[str, float] | None = None,
    ) -> None:
        if (rows is None) == (store is None):
            raise ValueError("a BatchResult holds rows or reads a store, not both")
        self._types = (*FIXED_TYPES, *((name, kind) for name, kind in columns))
        self.meta = dict(meta)
        self.store = store
        self._rows = rows
        self.timing = dict(timing or {})

    @classmethod
    def from_store(cls, path: str | os.PathLike[str]) -> BatchResult:
        """The batch stored at ``path`` (opened read-only; rows read when asked)."""
        path = Path(path)
        with BatchStore.open(path) as store:
            meta, columns = store.meta, store.columns
        if meta.get("kind") != META_KIND or not meta.get("n", "").isdigit():
            raise InputError(f"{path}: not a negsim mc batch store (its meta has no kind/n)")
        return cls(columns, meta, store=path)

    # ------------------------------------------------------------------ shape

    @property
    def columns(self) -> list[str]:
        return [name for name, _ in self._types]

    @property
    def column_types(self) -> list[tuple[str, str]]:
        """``(name, INTEGER|REAL|TEXT)`` for every column, in order."""
        return list(self._types)

    @property
    def n(self) -> int:
        """Runs per grid cell (``-n``)."""
        return int(self.meta["n"])

    @property
    def sweep_keys(self) -> list[str]:
        return [key for key, _ in orjson.loads(self.meta.get("sweep", "[]"))]

    def iter_rows(self) -> Iterator[dict[str, Any]]:
        """Rows ordered by run, streamed from the store when there is one."""
        if self._rows is not None:
            yield from self._rows
            return
        assert self.store is not None
        with BatchStore.open(self.store) as store:
            for row in store.rows():
                del row["params"]
                yield row

    @property
    def rows(self) -> list[dict[str, Any]]:
        """All rows, ordered by run, as dicts keyed by :attr:`columns` (read on each access)."""
        if self._rows is None:
            return list(self.iter_rows())
        return self._rows

    def __len__(self) -> int:
        if self._rows is not None:
            return len(self._rows)
        assert self.store is not None
        with BatchStore.open(self.store) as store:
            return len(store)

    # ------------------------------------------------------------------ statistics

    def estimates(self) -> list[OutcomeEstimate]:
        return summarize_rows(self.iter_rows(), self.columns, self.n, self.sweep_keys)

    def summary(self) -> list[dict[str, Any]]:
        """Per outcome (and grid cell): value, 95% CI and n; see :mod:`sim.batch.estimates`."""
        return [estimate.as_dict() for estimate in self.estimates()]

    # ------------------------------------------------------------------ export

    def arrow_schema(self) -> Any:
        return arrow_schema(self.columns, [kind for _, kind in self._types])

    def to_arrow(self) -> Any:
        """A ``pyarrow.Table`` of all rows (needs pyarrow: ``negsim[parquet]``)."""
        pa = pyarrow()
        rows = self.rows
        return pa.Table.from_pydict(
            {name: [row[name] for row in rows] for name in self.columns},
            schema=self.arrow_schema(),
        )

    def to_pandas(self) -> Any:
        """A ``pandas.DataFrame`` (needs pandas and pyarrow)."""
        try:
            import pandas  # noqa: F401
        except ImportError:
            raise InputError("to_pandas needs pandas, which is not installed") from None
        return self.to_arrow().to_pandas()

    def write(self, path: str | os.PathLike[str]) -> Path:
        """Write Parquet or CSV (by suffix), atomically, streaming rows from the store."""
        types = [kind for _, kind in self._types]
        return write_table(path, self.columns, self.iter_rows(), types=types)

    def __repr__(self) -> str:
        where = f"store {str(self.store)!r}" if self.store else f"{len(self)} rows in memory"
        return f"<BatchResult {self.meta.get('scenario', '?')} n={self.meta.get('n')} {where}>"
