"""A real Dask cluster, as a cluster user runs one: ``dask scheduler`` and two
``dask worker`` processes on 127.0.0.1, and ``negsim mc --executor dask --address``.

Every digest must equal the process executor's. Then one worker is killed mid-batch:
the batch either completes (Dask reschedules the lost tasks on the other worker) or
stops with exit 3, and a resume gives the same digests. Every process is started in
its own session and killed as a group by the fixture's finalizer, whatever happens.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from sim.batch import run_batch
from sim.batch.execution import Execution

pytest.importorskip("distributed")

ROOT = Path(__file__).resolve().parents[2]
START_TIMEOUT = 60.0


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _env() -> dict[str, str]:
    # How a cluster user makes negsim importable on the workers: install it (or, here,
    # put the source tree on the path) in the workers' environment.
    env = {k: v for k, v in os.environ.items() if k != "CI"}
    env["PYTHONPATH"] = str(ROOT)
    env["DASK_DISTRIBUTED__WORKER__DAEMON"] = "False"
    return env


def _spawn(args: list[str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("wb") as out:
        return subprocess.Popen(
            args, stdout=out, stderr=subprocess.STDOUT, env=_env(), start_new_session=True
        )


def _kill(proc: subprocess.Popen[bytes]) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signal.SIGKILL)
    with contextlib.suppress(subprocess.TimeoutExpired):
        proc.wait(timeout=10)


class Cluster:
    """A scheduler and named workers, each a process group of its own."""

    def __init__(self, tmp: Path) -> None:
        self.tmp = tmp
        self.port = _free_port()
        self.address = f"tcp://127.0.0.1:{self.port}"
        self.processes: dict[str, subprocess.Popen[bytes]] = {}

    def start(self, workers: int) -> None:
        python = [sys.executable, "-m"]  # the dask CLI's modules, in this venv
        self.processes["scheduler"] = _spawn(
            [
                *python, "distributed.cli.dask_scheduler",
                "--host", "127.0.0.1", "--port", str(self.port), "--no-dashboard",
            ],
            self.tmp / "scheduler.log",
        )  # fmt: skip
        for index in range(workers):
            name = f"worker-{index}"
            self.processes[name] = _spawn(
                [
                    *python, "distributed.cli.dask_worker", self.address,
                    "--nthreads", "1", "--no-nanny", "--no-dashboard",
                    "--host", "127.0.0.1", "--name", name,
                ],
                self.tmp / f"{name}.log",
            )  # fmt: skip
        self.wait_for(workers)

    def wait_for(self, workers: int) -> None:
        from distributed import Client

        deadline = time.monotonic() + START_TIMEOUT
        while True:
            try:
                with Client(self.address, timeout="5s") as client:
                    client.wait_for_workers(workers, timeout=max(1.0, deadline - time.monotonic()))
                return
            except (OSError, TimeoutError):
                if time.monotonic() > deadline:
                    logs = {p.name: p.read_text(errors="replace")[-2000:] for p in self._logs()}
                    raise AssertionError(f"the Dask cluster did not start: {logs}") from None
                time.sleep(0.2)

    def _logs(self) -> list[Path]:
        return sorted(self.tmp.glob("*.log"))

    def kill(self, name: str) -> None:
        _kill(self.processes[name])

    def close(self) -> None:
        for proc in reversed(list(self.processes.values())):
            _kill(proc)


@pytest.fixture
def cluster(tmp_path: Path) -> Iterator[Cluster]:
    running = Cluster(tmp_path)
    try:
        running.start(workers=2)
        yield running
    finally:
        running.close()


def _mc(args: list[str], cwd: Path, timeout: float = 180) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "sim", "mc", *args],
        cwd=cwd,
        env=_env(),
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def _digests(path: Path) -> list[tuple[int, str]]:
    with sqlite3.connect(path) as conn:
        return conn.execute("SELECT run, digest FROM runs ORDER BY run").fetchall()


def _stored(path: Path) -> int:
    try:
        with sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True, timeout=0.05) as conn:
            return int(conn.execute("SELECT count(*) FROM runs").fetchone()[0])
    except sqlite3.Error:
        return 0


def _reference(n: int, seed: int) -> list[tuple[int, str]]:
    result = run_batch("msft-openai", n, seed=seed, execution=Execution(workers=2))
    return [(row["run"], row["digest"]) for row in result.rows]


def test_a_real_cluster_gives_the_process_executors_digests(
    cluster: Cluster, tmp_path: Path
) -> None:
    n, seed = 48, 11
    done = _mc(
        ["-n", str(n), "--seed", str(seed), "--executor", "dask", "--address", cluster.address,
         "--store", "d.sqlite", "--json"],
        tmp_path,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert _digests(tmp_path / "d.sqlite") == _reference(n, seed)


def test_a_worker_killed_mid_batch_is_rescheduled_or_resumed(
    cluster: Cluster, tmp_path: Path
) -> None:
    n, seed = 600, 5
    store = tmp_path / "k.sqlite"
    args = ["-n", str(n), "--seed", str(seed), "--executor", "dask", "--address", cluster.address]
    proc = subprocess.Popen(
        [sys.executable, "-m", "sim", "mc", *args, "--store", str(store), "--json"],
        cwd=tmp_path,
        env=_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 120
        while proc.poll() is None and time.monotonic() < deadline:
            if store.exists() and _stored(store) >= 1:
                break
            time.sleep(0.01)
        killed_mid_batch = proc.poll() is None and _stored(store) < n
        cluster.kill("worker-0")
        _, err = proc.communicate(timeout=180)
    finally:
        if proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.communicate(timeout=30)
    assert killed_mid_batch, "the batch ended before the kill: make it longer"
    assert proc.returncode in (0, 3), err
    if proc.returncode == 3:
        lines = err.strip().splitlines()
        assert len(lines) == 1 and "Traceback" not in err, err
        assert "resume with: negsim mc" in lines[0]
        resumed = _mc([*args, "--store", str(store), "--resume", "--json"], tmp_path)
        assert resumed.returncode == 0, resumed.stderr
    assert _digests(store) == _reference(n, seed)
