"""``negsim plot``: every input kind to every format, defaults, and the error contract."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import orjson
import pytest

from tests.cli_helpers import assert_one_line_error, run_cli
from tests.sim.test_plot_support import (
    batch_rows,  # noqa: F401 (fixture)
    empty_store,
    has_magic,
    log_path,  # noqa: F401 (fixture)
    plot_dir,  # noqa: F401 (fixture)
    write_csv,
    write_parquet,
    write_store,
)

pytest.importorskip("matplotlib")
pytest.importorskip("pyarrow")

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def batches(plot_dir, batch_rows):  # noqa: F811
    rows, results = batch_rows
    return {
        "parquet": write_parquet(plot_dir / "cli.parquet", rows),
        "csv": write_csv(plot_dir / "cli.csv", rows),
        "sqlite": write_store(plot_dir / "cli.sqlite", rows, results),
    }


def test_timeline_to_each_format(capsys, log_path, tmp_path):  # noqa: F811
    for fmt in ("png", "svg", "pdf"):
        out = tmp_path / f"timeline.{fmt}"
        result = run_cli(capsys, ["plot", str(log_path), "--out", str(out)])
        assert result.code == 0, result.err
        assert result.out.strip() == f"wrote {out}"
        assert has_magic(out.read_bytes(), fmt)


@pytest.mark.parametrize(("kind", "fmt"), [("parquet", "png"), ("csv", "svg"), ("sqlite", "pdf")])
def test_batch_inputs(capsys, batches, tmp_path, kind, fmt):
    out = tmp_path / f"batch.{fmt}"
    result = run_cli(capsys, ["plot", str(batches[kind]), "--out", str(out), "--json"])
    assert result.code == 0, result.err
    assert orjson.loads(result.out) == {
        "input": str(batches[kind]),
        "plot": "batch",
        "out": str(out),
        "format": fmt,
    }
    assert has_magic(out.read_bytes(), fmt)


def test_pareto_and_default_out_paths(capsys, log_path, plot_dir):  # noqa: F811
    log = plot_dir / "default.jsonl"
    log.write_bytes(log_path.read_bytes())
    assert run_cli(capsys, ["plot", str(log)]).code == 0
    assert has_magic((plot_dir / "default.png").read_bytes(), "png")
    assert run_cli(capsys, ["plot", "--pareto", str(log)]).code == 0
    assert has_magic((plot_dir / "default-pareto.png").read_bytes(), "png")


def test_same_png_bytes_in_another_process(capsys, log_path, tmp_path):  # noqa: F811
    here, there = tmp_path / "here.png", tmp_path / "there.png"
    assert run_cli(capsys, ["plot", str(log_path), "--out", str(here)]).code == 0
    env = {**os.environ, "MPLBACKEND": "svg", "PYTHONHASHSEED": "123"}  # must not matter
    subprocess.run(
        [sys.executable, "-m", "sim", "plot", str(log_path), "--out", str(there)],
        check=True,
        capture_output=True,
        cwd=ROOT,
        env=env,
    )
    assert here.read_bytes() == there.read_bytes()


def test_tampered_log_exits_1(capsys, log_path, tmp_path):  # noqa: F811
    lines = log_path.read_bytes().splitlines(keepends=True)
    index = next(i for i, line in enumerate(lines) if b'"round":0' in line)  # the first offer
    lines[index] = lines[index].replace(b'"round":0', b'"round":9')
    bad = tmp_path / "bad.jsonl"
    bad.write_bytes(b"".join(lines))
    result = run_cli(capsys, ["plot", str(bad), "--out", str(tmp_path / "x.png")])
    assert_one_line_error(result, 1, f"line {index + 1}")
    assert not (tmp_path / "x.png").exists()


def test_empty_batches_exit_2(capsys, plot_dir, tmp_path):  # noqa: F811
    import pyarrow as pa
    import pyarrow.parquet as pq

    parquet = tmp_path / "empty.parquet"
    pq.write_table(pa.table({"run": pa.array([], pa.int64())}), parquet)
    csv = write_csv(tmp_path / "empty.csv", [], names=["run", "seed"])
    store = empty_store(tmp_path / "empty.sqlite")
    for path in (parquet, csv, store):
        result = run_cli(capsys, ["plot", str(path), "--out", str(tmp_path / "x.png")])
        assert_one_line_error(result, 2, "no runs")


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["plot", "{dir}/results.txt"], "cannot tell what to plot"),
        (["plot", "{dir}/missing.jsonl"], "no such file"),
        (["plot", "{dir}/missing.parquet"], "no such file"),
        (["plot", "{log}", "--out", "{dir}/x.gif"], "use .png, .svg or .pdf"),
        (["plot", "--pareto", "{dir}/cli.csv"], "give a run log"),
        (["plot", "{dir}/garbage.parquet"], "not a readable Parquet file"),
    ],
)
def test_bad_input_one_line_exit_2(capsys, plot_dir, log_path, batches, args, needle):  # noqa: F811
    (plot_dir / "results.txt").write_text("x")
    (plot_dir / "garbage.parquet").write_bytes(b"not parquet")
    argv = [a.format(dir=plot_dir, log=log_path) for a in args]
    assert_one_line_error(run_cli(capsys, argv), 2, needle)


def test_missing_matplotlib_names_the_extra(capsys, monkeypatch, log_path, tmp_path):  # noqa: F811
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # import matplotlib -> ImportError
    result = run_cli(capsys, ["plot", str(log_path), "--out", str(tmp_path / "x.png")])
    assert_one_line_error(result, 2, "pip install '.[plot]'")
