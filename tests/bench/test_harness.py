"""The benchmark runner's contract (no timing is asserted): skips, data errors, names."""

from __future__ import annotations

import importlib.metadata

import pytest

import bench.__main__ as runner
from bench import bench_peers, logs
from bench.harness import REGISTRY, BenchDataError, Result, Skipped


def test_peers_without_its_extra_is_skipped_with_what_to_install(monkeypatch) -> None:
    real = importlib.metadata.version

    def version(name: str) -> str:
        if name == "negmas":
            raise importlib.metadata.PackageNotFoundError(name)
        return real(name) if name != "eventsourcing" else "9.5.6"

    monkeypatch.setattr(bench_peers.importlib.metadata, "version", version)
    with pytest.raises(Skipped, match=r"negmas not installed.*pip install -e '\.\[peers\]'"):
        bench_peers.peers()


def test_the_runner_prints_a_skip_as_one_line_and_exits_0(monkeypatch, capsys) -> None:
    def skipped() -> Result:
        raise Skipped("x not installed; install the peers extra")

    monkeypatch.setitem(REGISTRY, "peers", skipped)
    assert runner.main(["peers"]) == 0
    out, err = capsys.readouterr()
    assert out == ""
    assert err == "bench: peers: skipped: x not installed; install the peers extra\n"


def test_bad_benchmark_data_is_one_line_and_exit_1(monkeypatch, capsys) -> None:
    def broken() -> Result:
        raise BenchDataError("the benchmark log does not replay: line 3")

    monkeypatch.setitem(REGISTRY, "replay", broken)
    assert runner.main(["replay"]) == 1
    assert (
        capsys.readouterr().err
        == "bench: error: replay: the benchmark log does not replay: line 3\n"
    )


def test_an_unknown_name_exits_2(capsys) -> None:
    assert runner.main(["no-such-bench"]) == 2
    assert "unknown benchmark 'no-such-bench'" in capsys.readouterr().err


def test_several_results_are_one_json_line_each(monkeypatch, capsys) -> None:
    monkeypatch.setitem(
        REGISTRY,
        "peers",
        lambda: [Result("a", 2.0, "u", 1.0, "b"), Result("c", 1.0, "u", 4.0, "d")],
    )
    assert runner.main(["peers"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line[:12] for line in lines] == ['{"bench":"a"', '{"bench":"c"']
    assert '"ratio":2.0' in lines[0] and '"ratio":0.25' in lines[1]


def test_a_long_log_the_scenario_no_longer_accepts_is_a_data_error(monkeypatch) -> None:
    logs.long_log.cache_clear()
    monkeypatch.setattr(logs, "OVERRIDES", ("negotiation.no_such_key=1",))
    try:
        with pytest.raises(BenchDataError, match="cannot build the benchmark log"):
            logs.long_log()
    finally:
        logs.long_log.cache_clear()
