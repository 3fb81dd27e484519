"""What a plot is drawn from: one run (its verified records and scenario) or a batch
(one row per run), loaded from a file or taken from objects already in memory.

Input kinds are told apart by the file suffix: ``.jsonl`` is a run log; ``.parquet``
and ``.csv`` are batch results files; ``.sqlite`` and ``.db`` are batch stores.
"""

from __future__ import annotations

import csv
import math
import os
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, Final

import attrs

from events.codec import Recorded
from events.errors import InputError
from events.model import RunStarted
from events.verify import VerifiedLog, verify_bytes, verify_file

LOG_SUFFIXES: Final = (".jsonl",)
RESULTS_SUFFIXES: Final = (".parquet", ".pq", ".csv")
STORE_SUFFIXES: Final = (".sqlite", ".db")


def input_kind(path: str | os.PathLike[str]) -> str:
    """``"log"`` or ``"batch"`` from the suffix; InputError for anything else."""
    suffix = Path(path).suffix.lower()
    if suffix in LOG_SUFFIXES:
        return "log"
    if suffix in RESULTS_SUFFIXES or suffix in STORE_SUFFIXES:
        return "batch"
    shown = f"suffix {suffix!r}" if suffix else "no suffix"
    raise InputError(
        f"{path}: cannot tell what to plot from {shown}; expected a run log (.jsonl), "
        "batch results (.parquet or .pq, .csv) or a batch store (.sqlite, .db)"
    )


def table_kind(path: str | os.PathLike[str]) -> str:
    """What a ``.parquet``/``.csv`` table holds, from its column names: ``"posterior"``
    (``negsim calibrate --out``), ``"backtest"`` (``negsim backtest --out``) or ``"batch"``."""
    path = Path(path)
    names: set[str] = set()
    try:
        if path.suffix.lower() == ".csv":
            with path.open(newline="", encoding="utf-8") as handle:
                names = set(next(csv.reader(handle), []))
        elif path.suffix.lower() in (".parquet", ".pq"):
            import pyarrow.parquet as pq

            names = set(pq.read_schema(path).names)
    except Exception:  # unreadable: the batch loader gives the one-line error
        return "batch"
    if {"weight", "distance", "generation"} <= names:
        return "posterior"
    if {"name", "percentile", "score"} <= names:
        return "backtest"
    return "batch"


def json_kind(path: str | os.PathLike[str]) -> str:
    """``"backtest"`` for ``negsim backtest --json`` output, else ``"sensitivity"``."""
    import orjson

    try:
        data = orjson.loads(Path(path).read_bytes())
    except (OSError, orjson.JSONDecodeError):
        return "sensitivity"  # its loader gives the one-line error
    is_backtest = isinstance(data, dict) and {"observed", "joint"} <= set(data)
    return "backtest" if is_backtest else "sensitivity"


# --------------------------------------------------------------------------- one run


@attrs.frozen
class Run:
    """A verified run: its records, the scenario rebuilt from ``RunStarted``, its digest."""

    records: Sequence[Recorded]
    scenario: Any  # sim.scenario.Scenario
    seed: str
    digest: str | None


def load_run(source: object) -> Run:
    """A run from a log path, log bytes, a ``VerifiedLog``, records, or a ``RunResult``.

    Files and bytes are verified first (a log that does not verify raises
    ``LogFaultError``, exit 1); the scenario always comes from the log's first event.
    """
    digest: str | None = None
    records: Sequence[Recorded]
    if isinstance(source, str | os.PathLike):
        if Path(source).suffix.lower() not in LOG_SUFFIXES:
            input_kind(source)  # the one-line error for an unknown suffix
            raise InputError(f"{source}: expected a run log (.jsonl)")
        verified = verify_file(source)
        records, digest = verified.records, verified.digest
    elif isinstance(source, bytes | bytearray):
        verified = verify_bytes(bytes(source))
        records, digest = verified.records, verified.digest
    elif isinstance(source, VerifiedLog) or hasattr(source, "digest"):  # or a RunResult
        run: Any = source
        records, digest = run.records, run.digest
    elif isinstance(source, Sequence):
        records = source
    else:
        raise InputError(
            f"cannot plot a {type(source).__name__}: expected a log path, log bytes, "
            "a VerifiedLog, a list of records or a RunResult"
        )
    if not records or not isinstance(records[0], Recorded):
        raise InputError("a run needs its records, starting with RunStarted")
    first = records[0].event
    if not isinstance(first, RunStarted):
        raise InputError(f"a run's first event must be RunStarted, got {type(first).__name__}")
    from sim.scenario import Scenario

    scenario = Scenario.from_data(first.scenario, source="<log>")
    return Run(records=records, scenario=scenario, seed=first.seed, digest=digest)


# --------------------------------------------------------------------------- a batch


@attrs.frozen
class Batch:
    """A batch as columns: ``columns[name][i]`` is run ``i``'s value (None if missing)."""

    columns: Mapping[str, list[Any]]
    n: int
    source: str = "<batch>"
    meta: Mapping[str, str] = attrs.field(factory=dict)

    def column(self, name: str) -> list[Any]:
        return self.columns.get(name, [None] * self.n)

    def has(self, name: str) -> bool:
        return name in self.columns and any(v is not None for v in self.columns[name])

    def names(self, prefix: str) -> list[str]:
        return sorted(name for name in self.columns if name.startswith(prefix))


def load_batch(source: object) -> Batch:
    """A batch from a results file or store path, a pyarrow Table, a pandas DataFrame,
    a dict of columns or a list of row dicts. An empty batch is an InputError."""
    if isinstance(source, Batch):
        batch = source
    elif isinstance(source, str | os.PathLike):
        batch = _read_path(Path(source))
    elif hasattr(source, "to_pydict"):  # pyarrow.Table
        batch = _from_columns(source.to_pydict(), "<table>")
    elif hasattr(source, "to_dict") and hasattr(source, "columns"):  # pandas.DataFrame
        batch = _from_columns(source.to_dict("list"), "<dataframe>")
    elif isinstance(source, Mapping):
        batch = _from_columns(source, "<columns>")
    elif isinstance(source, Iterable):
        batch = _from_rows(list(source), "<rows>")
    else:
        raise InputError(f"cannot plot a {type(source).__name__} as a batch")
    if batch.n == 0:
        raise InputError(f"{batch.source}: the batch has no runs; nothing to plot")
    return batch


def _read_path(path: Path) -> Batch:
    kind = input_kind(path)
    if kind != "batch":
        raise InputError(
            f"{path}: expected batch results (.parquet or .pq, .csv) or a store (.sqlite, .db)"
        )
    if not path.exists():
        raise InputError(f"{path}: no such file")
    if not path.is_file():
        raise InputError(f"{path}: is not a file")
    suffix = path.suffix.lower()
    if suffix in (".parquet", ".pq"):
        return _read_parquet(path)
    if suffix == ".csv":
        return _read_csv(path)
    return _read_store(path)


def _read_parquet(path: Path) -> Batch:
    try:
        import pyarrow.parquet as pq
    except ImportError:
        raise InputError(
            f"{path}: reading Parquet needs pyarrow: "
            "pip install '.[parquet]' in a clone of negsim (or 'negsim[parquet]')"
        ) from None
    try:
        table = pq.read_table(path)
    except Exception as exc:  # pyarrow raises its own ArrowInvalid / OSError subclasses
        raise InputError(f"{path}: not a readable Parquet file ({_first_line(exc)})") from None
    meta = {
        key.decode("utf-8", "replace"): value.decode("utf-8", "replace")
        for key, value in (table.schema.metadata or {}).items()
        if not key.startswith(b"ARROW") and not key.startswith(b"pandas")
    }
    batch = _from_columns(table.to_pydict(), str(path))
    return attrs.evolve(batch, meta=meta)


def _read_csv(path: Path) -> Batch:
    try:
        with path.open(newline="", encoding="utf-8") as handle:
            rows = list(csv.DictReader(handle))
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise InputError(f"{path}: not a readable CSV file ({_first_line(exc)})") from None
    return _from_rows([{k: _csv_value(v) for k, v in row.items()} for row in rows], str(path))


def _read_store(path: Path) -> Batch:
    from sim.batch.store import BatchStore

    with BatchStore.open(path) as store:
        meta = store.meta
        rows = []
        for row in store.rows():
            params = row.pop("params", None) or {}
            for key, value in params.items():
                row.setdefault(f"param_{key}", value)
            rows.append(row)
    batch = _from_rows(rows, str(path))
    return attrs.evolve(batch, meta=meta)


def _from_columns(columns: Mapping[str, Sequence[Any]], source: str) -> Batch:
    lengths = {len(values) for values in columns.values()}
    if len(lengths) > 1:
        raise InputError(f"{source}: columns have different lengths")
    n = lengths.pop() if lengths else 0
    return Batch({str(k): [_clean(v) for v in values] for k, values in columns.items()}, n, source)


def _from_rows(rows: Sequence[Mapping[str, Any]], source: str) -> Batch:
    names: dict[str, None] = {}
    for row in rows:
        names.update(dict.fromkeys(row))
    columns = {name: [_clean(row.get(name)) for row in rows] for name in names}
    return Batch(columns, len(rows), source)


def _clean(value: Any) -> Any:
    """None for missing values (NaN, pandas NA); plain Python scalars otherwise."""
    if value is None:
        return None
    if hasattr(value, "item") and not isinstance(value, bool | int | float | str):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    if type(value).__name__ in ("NAType", "NaTType"):
        return None
    return value


def _csv_value(text: str | None) -> Any:
    """A CSV cell as the value it stands for: empty -> None, booleans, numbers, text."""
    if text is None or text == "":
        return None
    lowered = text.lower()
    if lowered in ("true", "false"):
        return lowered == "true"
    try:
        return int(text)
    except ValueError:
        pass
    try:
        return float(text)
    except ValueError:
        return text


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__
