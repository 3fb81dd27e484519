"""Result tables on disk: one writer for mc, tournament and tune; whole files or none."""

from __future__ import annotations

import csv
import errno
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from events.errors import InputError, OutputError
from sim.table_file import check_out, table_format, write_table

ROWS = [
    {"run": 0, "name": "a", "ok": True, "x": 1.5},
    {"run": 1, "name": "b", "ok": False, "x": None},
]
COLUMNS = ["run", "name", "ok", "x"]


def test_formats_come_from_the_suffix() -> None:
    assert [table_format(p) for p in ("r.parquet", "r.PQ", "r.csv")] == ["parquet"] * 2 + ["csv"]
    with pytest.raises(InputError, match=r"r\.txt: unknown output format '\.txt'"):
        table_format("r.txt")
    with pytest.raises(InputError, match=r"--out r: expected a \.parquet or \.csv .*no suffix"):
        check_out("r")


def test_csv_has_a_header_empty_absent_values_and_words_for_booleans(tmp_path: Path) -> None:
    path = write_table(tmp_path / "deep" / "r.csv", COLUMNS, ROWS)
    with path.open(newline="") as handle:
        read = list(csv.reader(handle))
    assert read == [COLUMNS, ["0", "a", "true", "1.5"], ["1", "b", "false", ""]]


def test_parquet_with_and_without_declared_types(tmp_path: Path) -> None:
    pq = pytest.importorskip("pyarrow.parquet")
    inferred = pq.read_table(write_table(tmp_path / "i.pq", COLUMNS, ROWS))
    assert inferred.to_pylist() == ROWS
    rows = [{"run": i, "name": str(i), "x": i / 2} for i in range(10_000)]  # > one batch
    typed = pq.read_table(
        write_table(
            tmp_path / "t.parquet",
            ["run", "name", "x"],
            iter(rows),
            types=["INTEGER", "TEXT", "REAL"],
        )
    )
    assert typed.schema.names == ["run", "name", "x"]
    assert [str(t) for t in typed.schema.types] == ["int64", "string", "double"]
    assert typed.to_pylist() == rows


def _failing_rows() -> Iterator[dict[str, Any]]:
    yield ROWS[0]
    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


@pytest.mark.parametrize("name", ["r.csv", "r.parquet"])
def test_a_failed_write_leaves_the_old_file_and_no_temporary(tmp_path: Path, name: str) -> None:
    if name.endswith(".parquet"):
        pytest.importorskip("pyarrow")
    path = tmp_path / name
    path.write_bytes(b"the previous results")
    with pytest.raises(OutputError, match=rf"{name}: cannot write results: No space left"):
        write_table(path, COLUMNS, _failing_rows(), types=["INTEGER", "TEXT", "INTEGER", "REAL"])
    assert path.read_bytes() == b"the previous results"
    assert sorted(p.name for p in tmp_path.iterdir()) == [name]


def test_a_directory_that_cannot_be_made_is_an_output_error(tmp_path: Path) -> None:
    (tmp_path / "f").write_text("a file, not a directory")
    with pytest.raises(OutputError, match="cannot write results"):
        write_table(tmp_path / "f" / "r.csv", COLUMNS, ROWS)


def test_tournament_rows_go_through_the_same_writer(tmp_path: Path) -> None:
    from sim.table_file import write_rows

    rows = [{"run": 0, "a": 1}, {"run": 1, "b": True}]  # columns: union, first seen
    text = write_rows(rows, tmp_path / "t.csv").read_text().splitlines()
    assert text == ["run,a,b", "0,1,", "1,,true"]


def test_plot_reads_what_the_writer_writes_under_every_suffix(tmp_path: Path) -> None:
    pytest.importorskip("pyarrow")
    from sim.plots.loaders import load_batch

    rows = [{"run": 0, "agreement": 1}, {"run": 1, "agreement": 0}]
    for name in ("r.parquet", "r.pq", "r.csv"):
        batch = load_batch(write_table(tmp_path / name, ["run", "agreement"], rows))
        assert batch.n == 2 and batch.column("agreement") == [1, 0], name
