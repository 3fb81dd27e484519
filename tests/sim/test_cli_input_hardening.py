"""Issue 14's input reproducers: each a one-line error with exit 2, or it works.

F5 (dates beyond the calendar), F6 (integers beyond 64 bits), F7 (NUL bytes), F8
(runaway runs: ranges and the event budget), F10 (names are not paths), the seed and
``--out`` messages, and friction items 2-4, 6 and 9.
"""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import orjson
import pytest

from events.verify import verify_file
from sim.cli.cmd_strategies import describe_strategies
from sim.scenario import load_scenario
from tests.cli_helpers import assert_one_line_error, run_cli

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        # F5: dates the calendar cannot hold
        (["--set", "agi.at=9999-12-31"], "agi.at: expected a date in the years 1000-9998"),
        (["--set", "scenario.horizon=9999-12-31"], "scenario.horizon: expected a date in"),
        (["--set", "scenario.start=0999-12-31"], "scenario.start: expected a date in"),
        (["--set", "prelude[0].term_end=10000"], "a year in [1000, 9998]"),
        # F6: integers beyond 64 bits, or beyond what a log holds exactly
        (
            ["bilateral-demo", "--set", "negotiation.n_steps=18446744073709551616"],
            "negotiation.n_steps: expected an integer in [1, 1000000]",
        ),
        (
            [
                "bilateral-demo",
                "--set",
                "negotiation.issues.price.values=[10, 18446744073709551616]",
            ],
            "negotiation.issues[0].values[1]: expected an integer within -2**53..2**53",
        ),
        (
            ["--set", "parties.microsoft.params.exponent=9007199254740993"],
            "parties.microsoft.params.exponent: expected an integer within -2**53..2**53",
        ),
        # F7: a NUL byte in a name that would name a file
        (["--set", 'scenario.name="a\\u0000b"'], 'got "a\\u0000b"'),
        # F8: values that never finish
        (
            ["--set", "competitors.stargate.intensity=1e6"],
            "competitors.stargate.intensity: expected a number in [0, 120]",
        ),
        (["--set", "scenario.horizon=1e9"], "scenario.horizon: expected a time at most 1200"),
        (["--set", "negotiation.round=1e-9"], "negotiation.round: expected a number in [0.001"),
        (["--set", "scenario.max_events=0"], "scenario.max_events: expected an integer in [1,"),
        # F10: a name is not a path
        (["--set", "scenario.name=../../x"], "scenario.name: expected a name of letters"),
        (["--set", "scenario.name=/tmp/x"], 'got "/tmp/x"'),
        (["--set", "scenario.name=.."], 'got ".."'),
        # misleading messages
        (["--seed", "\u0661"], "'--seed'"),
        (["--seed", "1:2:3"], "expected a seed N, or S:I"),
        (["--out", ""], "'--out': expected a file name, got an empty string"),
    ],
)
def test_bad_run_input_is_one_line_exit_2(
    capsys: pytest.CaptureFixture[str], in_tmp: Path, args: list[str], needle: str
) -> None:
    result = run_cli(capsys, ["run", *args])
    assert_one_line_error(result, 2, needle)
    assert not (in_tmp / "runs").exists() or not any((in_tmp / "runs").iterdir())
    assert not (in_tmp.parent / "x-0.jsonl").exists()


@pytest.mark.parametrize("device", ["/dev/zero", "/dev/urandom"])
def test_an_endless_scenario_file_is_refused_at_16_mib(
    capsys: pytest.CaptureFixture[str], device: str
) -> None:
    if not Path(device).exists():  # pragma: no cover - not Linux
        pytest.skip(f"{device} missing")
    result = run_cli(capsys, ["run", device])
    assert_one_line_error(result, 2, f"{device}: expected a scenario file of at most 16 MiB")


def test_a_nul_byte_in_an_argument(capsys: pytest.CaptureFixture[str]) -> None:
    assert_one_line_error(run_cli(capsys, ["verify", "a\x00b"]), 2, "argument 2 holds a NUL")


def test_an_explicit_out_is_the_users_choice_whatever_the_name(
    capsys: pytest.CaptureFixture[str], in_tmp: Path
) -> None:
    out = in_tmp / "elsewhere" / "my run.jsonl"
    args = ["run", "--set", "scenario.name=../../x", "--out", str(out)]
    result = run_cli(capsys, args)
    assert result.code == 0, result.err
    assert verify_file(out).records[0].event.scenario["scenario"]["name"] == "../../x"


def test_the_mc_default_store_refuses_a_path_for_a_name(
    capsys: pytest.CaptureFixture[str], in_tmp: Path
) -> None:
    result = run_cli(capsys, ["mc", "bilateral-demo", "-n", "1", "--set", "scenario.name=../y"])
    assert_one_line_error(result, 2, 'got "../y"')
    assert not (in_tmp.parent / "y-mc-0.sqlite").exists()


# --- F8: the event budget names the parameter that exploded ------------------------------


@pytest.mark.parametrize(
    ("args", "culprit"),
    [
        (["bilateral-demo", "--set", "scenario.max_events=60"], "negotiation.n_steps = 100"),
        (
            ["--set", "scenario.max_events=100", "--set", "negotiation.round=0.05"],
            "negotiation.round = 0.05",
        ),
        (
            [
                "--set",
                "scenario.max_events=150",
                "--set",
                "competitors.stargate.intensity=120",
                "--set",
                "negotiation.opens=2030-01-01",
                "--set",
                "negotiation.deadline=2031-01-01",
                "--set",
                "parties.openai.deadline=2030-12-31",
            ],
            "competitors.stargate.intensity = 120",
        ),
    ],
)
def test_a_run_over_its_event_budget_names_the_culprit(
    capsys: pytest.CaptureFixture[str], args: list[str], culprit: str
) -> None:
    result = run_cli(capsys, ["run", *args])
    assert_one_line_error(result, 2, "went over its budget of", "(scenario.max_events)", culprit)


def test_a_scenario_can_raise_its_budget(capsys: pytest.CaptureFixture[str], in_tmp: Path) -> None:
    """A bigger budget is recorded in RunStarted (the default is not: old logs keep their
    bytes), and the log replays and forks with it."""
    result = run_cli(capsys, ["run", "bilateral-demo", "--set", "scenario.max_events=300"])
    assert result.code == 0, result.err
    log = in_tmp / "runs" / "bilateral-demo-0.jsonl"
    started = verify_file(log).records[0].event
    assert started.scenario["scenario"]["max_events"] == 300
    default = run_cli(capsys, ["run", "bilateral-demo", "--seed", "1"])
    assert default.code == 0
    first = verify_file(in_tmp / "runs" / "bilateral-demo-1.jsonl").records[0].event
    assert "max_events" not in first.scenario["scenario"]
    assert run_cli(capsys, ["replay", str(log)]).code == 0
    fork = run_cli(capsys, ["fork", str(log), "--at", "seq:10", "--out", "f.jsonl"])
    assert fork.code == 0, fork.err


# --- F11: a closed pipe is 141, quietly ---------------------------------------------------


@pytest.mark.parametrize(
    "args",
    [
        ["scenarios"],
        ["strategies"],
        ["run", "--out", "x.jsonl"],
        ["verify", "LOG"],
        ["replay", "LOG"],
    ],
)
def test_a_closed_pipe_is_141_and_quiet(in_tmp: Path, args: list[str]) -> None:
    log = in_tmp / "run.jsonl"
    if "LOG" in args:
        assert run_quiet(["run", "bilateral-demo", "--out", str(log)]).returncode == 0
    args = [str(log) if arg == "LOG" else arg for arg in args]
    # The reader closes its end before negsim writes anything: every write fails.
    read, write = os.pipe()
    os.close(read)
    try:
        done = subprocess.run(
            [sys.executable, "-m", "sim", *args],
            stdout=write,
            stderr=subprocess.PIPE,
            text=True,
            cwd=in_tmp,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
            timeout=300,
        )
    finally:
        os.close(write)
    assert (done.returncode, done.stderr) == (141, "")


def run_quiet(args: list[str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "sim", *args],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        timeout=300,
    )


def test_a_pipe_closed_by_head_is_141_not_1(in_tmp: Path) -> None:
    script = f"{sys.executable} -m sim replay LOG | head -n 1 >/dev/null; echo ${{PIPESTATUS[0]}}"
    log = in_tmp / "run.jsonl"
    assert run_quiet(["run", "--out", str(log)]).returncode == 0
    done = subprocess.run(
        ["bash", "-c", script.replace("LOG", str(log))],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        timeout=300,
    )
    # replay prints a table of ~40 lines; head exits after one, so later writes fail
    # unless the pipe buffer takes all of them (then replay finishes: 0). Never 1.
    assert done.stdout.strip() in ("141", "0") and done.stderr == ""


# --- friction ------------------------------------------------------------------------


def test_help_lists_every_exit_code(capsys: pytest.CaptureFixture[str]) -> None:
    result = run_cli(capsys, ["--help"])
    text = " ".join(result.out.split())
    for code in ("0 ok", "1 the thing checked is bad", "2 usage", "70 internal error", "130"):
        assert code in text, code
    assert "strategies" in result.out


def test_results_get_the_umask_permissions(
    capsys: pytest.CaptureFixture[str], in_tmp: Path
) -> None:
    old = os.umask(0o027)
    try:
        assert run_cli(capsys, ["run", "bilateral-demo", "--out", "a.jsonl"]).code == 0
    finally:
        os.umask(old)
    assert stat.S_IMODE((in_tmp / "a.jsonl").stat().st_mode) == 0o640
    os.umask(0o002)
    try:
        assert run_cli(capsys, ["run", "bilateral-demo", "--out", "b.jsonl"]).code == 0
    finally:
        os.umask(old)
    assert stat.S_IMODE((in_tmp / "b.jsonl").stat().st_mode) == 0o664


def test_strategies_lists_the_registry(capsys: pytest.CaptureFixture[str]) -> None:
    from agents.strategies import STRATEGIES

    result = run_cli(capsys, ["strategies", "--json"])
    assert result.code == 0
    listed = orjson.loads(result.out)
    assert [s["name"] for s in listed] == list(STRATEGIES)
    boulware = next(s for s in listed if s["name"] == "boulware")
    params = {p["name"]: p for p in boulware["parameters"]}
    assert params["exponent"]["default"] == 4.0  # NegMAS's Boulware exponent
    assert params["exponent"]["accepts"] == "a finite number > 0"
    assert set(params) == {"exponent", "max_aspiration", "tolerance"}
    tft = next(s for s in listed if s["name"] == "tit-for-tat")
    assert {p["name"]: p["accepts"] for p in tft["parameters"]}["delay"] == "an integer >= 1"
    # Every listed default is accepted by the strategy itself.
    from agents.strategies import make_strategy

    for strategy in describe_strategies():
        given = {p["name"]: p["default"] for p in strategy["parameters"]}
        make_strategy(strategy["name"], **{k: v for k, v in given.items() if v is not None})
    human = run_cli(capsys, ["strategies"])
    assert human.code == 0
    for name in STRATEGIES:
        assert f"\n{name}: " in "\n" + human.out


def test_mc_shows_times_as_dates(capsys: pytest.CaptureFixture[str], in_tmp: Path) -> None:
    result = run_cli(capsys, ["mc", "-n", "3", "--workers", "1", "--store", "b.sqlite"])
    assert result.code == 0, result.err
    text = " ".join(result.out.split())
    assert "agi_time (mean date)" in text
    import re

    assert re.search(r"agi_time \(mean date\) │ 20\d\d-\d\d-\d\d │ \[20\d\d-\d\d-\d\d,", text)


def test_run_output_labels_its_utilities_discounted(
    capsys: pytest.CaptureFixture[str],
) -> None:
    result = run_cli(capsys, ["run", "--out", "r.jsonl"])
    assert result.code == 0
    assert "utility to microsoft (discounted): " in result.out
    assert "utility to openai (discounted): " in result.out


# --- every scenario number has a range ---------------------------------------------------


def _numeric_leaves(data: object, key: str = "") -> list[str]:
    if isinstance(data, dict):
        return [
            leaf
            for name, value in data.items()
            for leaf in _numeric_leaves(value, f"{key}.{name}" if key else str(name))
        ]
    if isinstance(data, int | float) and not isinstance(data, bool):
        return [key]
    return []


@pytest.mark.parametrize("name", ["msft-openai", "bilateral-demo"])
def test_every_scenario_number_is_bounded_above(name: str) -> None:
    """Set each number of a built-in scenario to 1e15: every one is refused with the
    one-line error naming its key, except strategy parameters, whose ranges are the
    strategy's own (``negsim strategies``)."""
    from sim.scenario.errors import ScenarioError

    scenario = load_scenario(name)
    keys = [key for key in _numeric_leaves(scenario.to_data()) if ".params." not in key]
    assert len(keys) > 10
    for key in keys:
        with pytest.raises(ScenarioError) as caught:
            scenario.with_overrides({key: 1e15})
        message = str(caught.value)
        assert "\n" not in message and "expected" in message, key
        assert f": {key}" in message or f": {key.rsplit('.', 1)[0]}" in message, message
