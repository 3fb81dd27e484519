"""Crash safety: SIGKILL the batch's parent, resume, get exactly the uninterrupted batch.

Also Ctrl-C (SIGINT to the process group, as a terminal sends it): exit 130 with the
resume command, every finished run kept; and no worker outlives its parent.
"""

from __future__ import annotations

import contextlib
import os
import random
import shlex
import signal
import sqlite3
import subprocess
import sys
import time
from functools import cache
from pathlib import Path

import pytest

from sim.batch import run_batch
from sim.batch.execution import Execution
from sim.engine import simulate
from sim.scenario import load_scenario

ROOT = Path(__file__).resolve().parents[2]
N = 60
pytestmark = pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="needs /proc")


@cache
def reference(n: int) -> tuple[str, ...]:
    scenario = load_scenario("msft-openai")
    return tuple(simulate(scenario, f"0:{i}").digest for i in range(n))


def _start(args: list[str], cwd: Path) -> subprocess.Popen[str]:
    env = {k: v for k, v in os.environ.items() if k != "CI"}
    return subprocess.Popen(
        [sys.executable, "-m", "sim", *args],
        cwd=cwd,
        env={**env, "PYTHONPATH": str(ROOT)},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # its own process group, as under a terminal
    )


def _stop_group(proc: subprocess.Popen[str]) -> None:
    """Never leave the batch (or a worker still holding its pipes) behind, never block."""
    if proc.poll() is None or (proc.stdout is not None and not proc.stdout.closed):
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(proc.pid, signal.SIGKILL)  # its own session: the CLI and its pool
        with contextlib.suppress(subprocess.TimeoutExpired, ValueError):
            proc.communicate(timeout=30)


def _descendants(pid: int) -> set[int]:
    found: set[int] = set()
    todo = [pid]
    while todo:
        current = todo.pop()
        for task in Path(f"/proc/{current}/task").glob("*"):
            with contextlib.suppress(OSError):
                for child in (task / "children").read_text().split():
                    if int(child) not in found:
                        found.add(int(child))
                        todo.append(int(child))
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def _stored(path: Path) -> int:
    try:
        with sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True, timeout=0.05) as conn:
            return int(conn.execute("SELECT count(*) FROM runs").fetchone()[0])
    except sqlite3.Error:
        return 0


def _wait_for_runs(proc: subprocess.Popen[str], path: Path, at_least: int) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and proc.poll() is None:
        if path.exists() and _stored(path) >= at_least:
            return
        time.sleep(0.005)


def _reap_workers(workers: set[int]) -> None:
    """Every worker must exit on its own soon after its parent dies."""
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and any(_alive(pid) for pid in workers):
        time.sleep(0.05)
    left = [pid for pid in workers if _alive(pid)]
    for pid in left:  # do not leave them behind even when failing
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    assert not left, f"orphaned workers still running: {left}"


def test_sigkill_the_parent_then_resume(tmp_path: Path) -> None:
    rng = random.Random()
    partial = 0
    for trial in range(3):
        path = tmp_path / f"kill-{trial}.sqlite"
        proc = _start(["mc", "-n", str(N), "--workers", "2", "--store", str(path)], tmp_path)
        try:
            # kill at a random moment once the batch is under way (trial 0: any moment)
            if trial:
                _wait_for_runs(proc, path, 1)
            time.sleep(rng.uniform(0.0, 0.05) if trial else rng.uniform(0.2, 1.0))
            workers = _descendants(proc.pid)
            proc.send_signal(signal.SIGKILL)
            proc.wait(10)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
            proc.stdout.close()  # type: ignore[union-attr]
            proc.stderr.close()  # type: ignore[union-attr]
        _reap_workers(workers)
        before = _stored(path) if path.exists() else 0
        partial += before < N
        result = run_batch(
            "msft-openai", N, execution=Execution(workers=2), store=path, resume=True
        )
        rows = result.rows
        assert [row["run"] for row in rows] == list(range(N))  # no gaps, no duplicates
        assert tuple(row["digest"] for row in rows) == reference(N)
        # Resume never recomputes a run that was visible before it. It may find more than
        # we counted: a commit whose WAL frames were written when the kill landed, but not
        # yet indexed in the -shm, becomes visible once a connection recovers the WAL.
        assert result.timing["runs"] <= N - before
    assert partial, "no kill landed mid-batch"


@pytest.mark.parametrize("executor", ["process", "dask"])
def test_ctrl_c_keeps_finished_runs_and_says_how_to_resume(tmp_path: Path, executor: str) -> None:
    if executor == "dask":
        pytest.importorskip("distributed")
    path = tmp_path / "int.sqlite"
    n = 400
    args = ["mc", "-n", str(n), "--workers", "2", "--store", str(path), "--executor", executor]
    proc = _start(args, tmp_path)
    try:
        _wait_for_runs(proc, path, 1)
        workers = _descendants(proc.pid)
        os.killpg(proc.pid, signal.SIGINT)
        _, err = proc.communicate(timeout=30)
    finally:
        _stop_group(proc)
    assert proc.returncode == 130, err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in err, err
    assert lines[0].startswith("negsim: error: interrupted after ")
    kept = _stored(path)
    assert f"interrupted after {kept} of {n} runs; resume with: negsim mc " in lines[0]
    assert 0 < kept < n
    _reap_workers(workers)
    command = shlex.split(lines[0].split("resume with: ", 1)[1])
    assert command[:2] == ["negsim", "mc"] and command[-1] == "--resume"
    from sim.cli import main

    cwd = os.getcwd()
    os.chdir(tmp_path)
    try:
        assert main([*command[1:], "--json"]) == 0
    finally:
        os.chdir(cwd)
    with sqlite3.connect(path) as conn:
        runs = [row[0] for row in conn.execute("SELECT run FROM runs ORDER BY run")]
        sample = dict(conn.execute("SELECT run, digest FROM runs WHERE run % 50 = 0"))
    assert runs == list(range(n))
    scenario = load_scenario("msft-openai")
    assert sample == {run: simulate(scenario, f"0:{run}").digest for run in sample}


def _pool_workers(pid: int) -> list[int]:
    """The pool's worker processes: the children of the forkserver the batch started."""
    found: list[int] = []
    for child in _descendants(pid):
        with contextlib.suppress(OSError):
            if b"forkserver" in Path(f"/proc/{child}/cmdline").read_bytes():
                found += [c for c in _descendants(child) if _alive(c)]
    return sorted(found)


def test_a_killed_worker_ends_the_batch_with_one_line_and_a_resume_command(
    tmp_path: Path,
) -> None:
    path = tmp_path / "oom.sqlite"
    n = 400
    proc = _start(["mc", "-n", str(n), "--workers", "2", "--store", str(path)], tmp_path)
    try:
        _wait_for_runs(proc, path, 1)
        workers = _pool_workers(proc.pid)
        assert workers, "no pool workers found"
        everyone = _descendants(proc.pid)
        os.kill(workers[0], signal.SIGKILL)  # as the out-of-memory killer would
        _, err = proc.communicate(timeout=30)
    finally:
        _stop_group(proc)
    assert proc.returncode == 3, err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in err, err
    kept = _stored(path)
    assert lines[0].startswith("negsim: error: a batch worker process died"), lines[0]
    assert f"after {kept} of {n} runs were stored; resume with: negsim mc " in lines[0]
    _reap_workers(everyone)
    command = shlex.split(lines[0].split("resume with: ", 1)[1])
    result = run_batch("msft-openai", n, execution=Execution(workers=2), store=path, resume=True)
    assert command[-1] == "--resume" and len(result) == n
    sample = {row["run"]: row["digest"] for row in result.rows if row["run"] % 80 == 0}
    scenario = load_scenario("msft-openai")
    assert sample == {run: simulate(scenario, f"0:{run}").digest for run in sample}


def _pool_workers_when_busy(proc: subprocess.Popen[str]) -> list[int]:
    """The pool's workers once they exist (the batch is under way), or [] if it ended."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and proc.poll() is None:
        workers = _pool_workers(proc.pid)
        if len(workers) >= 2:
            return workers
        time.sleep(0.01)
    return []


@pytest.mark.parametrize(
    "args",
    [
        # trials side by side, one a task (far more work than the kill needs)
        [
            "tune", "bilateral-demo", "--party", "buyer", "--param", "exponent=0.1:10:log",
            "--method", "random", "--trials", "400", "--seeds", "40", "--workers", "2",
        ],
        # one-at-a-time sensitivity: a Monte Carlo batch per parameter
        ["sensitivity", "-n", "3000", "--levels", "3", "--params", "agi.at", "--workers", "2"],
        # Sobol: a Saltelli design through the same loop
        [
            "sensitivity", "-n", "4096", "--method", "sobol", "--workers", "2",
            "--params", "agi.at,parties.openai.reservation",
        ],
    ],
    ids=["tune", "sensitivity-oat", "sensitivity-sobol"],
)  # fmt: skip
def test_a_killed_worker_exits_3_under_every_batch_command(tmp_path: Path, args: list[str]) -> None:
    proc = _start(args, tmp_path)
    try:
        workers = _pool_workers_when_busy(proc)
        assert workers, f"no pool workers found: {proc.communicate(timeout=30)}"
        everyone = _descendants(proc.pid)
        os.kill(workers[0], signal.SIGKILL)  # as the out-of-memory killer would
        _, err = proc.communicate(timeout=60)
    finally:
        _stop_group(proc)
    assert proc.returncode == 3, err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in err, err
    assert lines[0].startswith("negsim: error: a batch worker process died"), lines[0]
    _reap_workers(everyone)
