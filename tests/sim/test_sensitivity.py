"""Sensitivity analysis on scenarios whose answer is known by construction.

- ``bilateral``: the buyer's reservation value (uniform 0.1-0.9) decides whether the
  buyer accepts; the seller's discount factor (uniform 0.8-1.0) enters only the
  seller's discounted utility, never a decision (time-based strategies ignore it).
  So ``agreement`` depends on the buyer's reservation alone.
- ``msft``: the built-in scenario with the CMA's strictness ranged too. The AGI
  declaration happens exactly at ``agi.at``, so ``agi_time`` depends on it alone.
"""

from __future__ import annotations

import sys
from pathlib import Path

import orjson
import pytest

from events.errors import InputError
from sim.batch.execution import Execution
from sim.whatif.sensitivity import (
    SensitivityResult,
    levels_of,
    load_result,
    sensitivity,
    tornado_figure,
)
from tests.cli_helpers import assert_one_line_error, run_cli

BUYER = "parties.buyer.reservation"
SELLER = "parties.seller.discount"
AGI = "agi.at"
RESERVATION = "parties.openai.reservation"
CMA = "regulators.cma.strictness"


@pytest.fixture(scope="module")
def bilateral(tmp_path_factory: pytest.TempPathFactory) -> Path:
    text = (Path(__file__).parents[2] / "sim" / "scenarios" / "bilateral-demo.toml").read_text()
    buyer, _, seller = text.partition("[parties.seller]")
    buyer = buyer.replace(
        "reservation = 0.3", 'reservation = { dist = "uniform", low = 0.1, high = 0.9 }', 1
    )
    seller = seller.replace(
        "discount = 1.0", 'discount = { dist = "uniform", low = 0.8, high = 1.0 }', 1
    )
    path = tmp_path_factory.mktemp("scenarios") / "bilateral-ranged.toml"
    path.write_text(buyer + "[parties.seller]" + seller)
    return path


@pytest.fixture(scope="module")
def msft(tmp_path_factory: pytest.TempPathFactory) -> Path:
    text = (Path(__file__).parents[2] / "sim" / "scenarios" / "msft-openai.toml").read_text()
    cma, _, rest = text.partition("[regulators.ftc]")
    cma = cma.replace(
        "strictness = 0.3 ", 'strictness = { dist = "uniform", low = 0.0, high = 1.0 } ', 1
    )
    path = tmp_path_factory.mktemp("scenarios") / "msft-ranged.toml"
    path.write_text(cma + "[regulators.ftc]" + rest)
    return path


def contains_zero(interval: tuple[float, float] | None) -> bool:
    assert interval is not None
    low, high = interval
    return low - 1e-12 <= 0.0 <= high + 1e-12


# --- one at a time --------------------------------------------------------------------


@pytest.fixture(scope="module")
def bilateral_oat(bilateral: Path, tmp_path_factory: pytest.TempPathFactory) -> SensitivityResult:
    store = tmp_path_factory.mktemp("stores") / "oat"
    return sensitivity(
        str(bilateral), [BUYER, SELLER], n=12, seed=3, execution=Execution(workers=1), store=store
    )


def test_oat_ranks_the_one_parameter_that_decides_agreement_first(
    bilateral_oat: SensitivityResult,
) -> None:
    first, second = bilateral_oat.ranked("agreement")
    assert first.param == BUYER
    assert first.swing > 0.5
    assert first.interval is not None and first.interval[1] < 0  # a high reservation: no deal
    assert second.param == SELLER
    assert second.swing == 0.0
    assert contains_zero(second.interval)
    assert [level.value for level in first.levels] == pytest.approx([0.1, 0.3, 0.5, 0.7, 0.9])
    assert all(level.n == 12 for level in first.levels)


def test_oat_on_the_agi_date(msft: Path) -> None:
    result = sensitivity(
        str(msft), [CMA, RESERVATION, AGI], n=6, execution=Execution(workers=1), levels=3
    )
    ranked = result.ranked("agi_time")
    assert ranked[0].param == AGI
    assert ranked[0].interval is not None and ranked[0].interval[0] > 0
    for other in ranked[1:]:
        assert other.swing == 0.0
        assert contains_zero(other.interval)
    assert result.runs == 3 * 3 * 6


def test_oat_resumes_its_stores(bilateral: Path, bilateral_oat: SensitivityResult) -> None:
    store = Path(bilateral_oat.stores[0]).parent
    assert sorted(p.name for p in store.glob("*.sqlite")) == [
        f"oat-{BUYER}.sqlite",
        f"oat-{SELLER}.sqlite",
    ]
    again = sensitivity(
        str(bilateral),
        [BUYER, SELLER],
        n=12,
        seed=3,
        execution=Execution(workers=1),
        store=store,
        resume=True,
    )
    assert again.to_data() == bilateral_oat.to_data()
    with pytest.raises(InputError, match="already exists"):
        sensitivity(
            str(bilateral),
            [BUYER, SELLER],
            n=12,
            seed=3,
            execution=Execution(workers=1),
            store=store,
        )


def test_levels_across_each_kind_of_range() -> None:
    from sim.scenario import Distribution

    assert levels_of(Distribution("uniform", low=0.0, high=1.0), 3) == [0.0, 0.5, 1.0]
    assert levels_of(Distribution("triangular", low=1.0, mode=2.0, high=5.0), 2) == [1.0, 5.0]
    assert levels_of(Distribution("normal", mean=1.0, sd=0.5), 3) == [0.0, 1.0, 2.0]
    assert levels_of(Distribution("normal", mean=1.0, sd=0.5, low=0.5), 2) == [0.5, 2.0]
    assert levels_of(Distribution("choice", values=(3, 1, 3, 2)), 5) == [1, 2, 3]


# --- Sobol ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def bilateral_sobol(bilateral: Path) -> SensitivityResult:
    pytest.importorskip("SALib")
    return sensitivity(
        str(bilateral), [SELLER, BUYER], n=64, method="sobol", execution=Execution(workers=1)
    )


def test_sobol_ranks_the_one_parameter_that_decides_agreement_first(
    bilateral_sobol: SensitivityResult,
) -> None:
    first, second = bilateral_sobol.ranked("agreement")
    assert first.param == BUYER
    assert first.st_interval[0] > 0.2
    assert second.param == SELLER
    assert contains_zero(second.s1_interval) and contains_zero(second.st_interval)
    assert bilateral_sobol.runs == 64 * 4
    # The seller's discount does move the seller's utility: it is not ignored.
    seller_utility = {e.param: e for e in bilateral_sobol.ranked("utility_seller")}
    assert seller_utility[SELLER].st_interval[0] > 0


def test_sobol_on_the_agi_date(msft: Path, tmp_path: Path) -> None:
    pytest.importorskip("SALib")
    result = sensitivity(
        str(msft),
        [RESERVATION, CMA, AGI],
        n=32,
        method="sobol",
        execution=Execution(workers=1),
        store=tmp_path,
    )
    ranked = result.ranked("agi_time")
    assert ranked[0].param == AGI
    assert ranked[0].s1 > 0.5 and ranked[0].st_interval[0] > 0
    for other in ranked[1:]:
        assert contains_zero(other.s1_interval) and contains_zero(other.st_interval)
    again = sensitivity(
        str(msft),
        [RESERVATION, CMA, AGI],
        n=32,
        method="sobol",
        execution=Execution(workers=1),
        store=tmp_path,
        resume=True,
    )
    assert again.to_data() == result.to_data()


def test_sobol_rounds_n_up_to_a_power_of_two(bilateral: Path) -> None:
    pytest.importorskip("SALib")
    result = sensitivity(
        str(bilateral), [BUYER], n=5, method="sobol", execution=Execution(workers=1)
    )
    assert result.n == 8 and result.runs == 8 * 3


def test_sobol_without_salib_names_the_extra(
    bilateral: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "SALib", None)
    monkeypatch.setitem(sys.modules, "SALib.sample", None)
    monkeypatch.setitem(sys.modules, "SALib.analyze", None)
    with pytest.raises(InputError, match=r"pip install '\.\[sensitivity\]'"):
        sensitivity(str(bilateral), [BUYER], method="sobol")


# --- errors, results, CLI -------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "needle"),
    [
        (["regulators.cma.strictness"], "params regulators.cma.strictness: no range declared"),
        (["agi.at", "agi.at"], "given twice"),
    ],
)
def test_a_parameter_without_a_range_is_refused(params: list[str], needle: str) -> None:
    with pytest.raises(InputError) as caught:
        sensitivity("msft-openai", params)
    assert needle in str(caught.value)
    assert "\n" not in str(caught.value)


def test_bad_method_and_sizes() -> None:
    with pytest.raises(InputError, match=r"^method: expected one of oat, sobol"):
        sensitivity("msft-openai", method="morris")
    with pytest.raises(InputError, match=r"^n: expected an integer >= 2, got 1"):
        sensitivity("msft-openai", n=1)
    with pytest.raises(InputError, match=r"^levels: expected an integer >= 2, got True"):
        sensitivity("msft-openai", levels=True)
    with pytest.raises(InputError, match="no parameter with a range"):
        sensitivity("bilateral-demo")


def test_result_round_trip_and_tornado(bilateral_oat: SensitivityResult, tmp_path: Path) -> None:
    pytest.importorskip("matplotlib")
    data = bilateral_oat.to_data()
    assert SensitivityResult.from_data(orjson.loads(orjson.dumps(data))) == bilateral_oat
    figure = tornado_figure(bilateral_oat)
    assert figure.axes[0].get_title().endswith("one at a time (12 runs a level)")
    labels = [tick.get_text() for tick in figure.axes[0].get_yticklabels()]
    assert labels == [SELLER, BUYER]  # most important on top
    with pytest.raises(KeyError):
        tornado_figure(bilateral_oat, "no_such_outcome")


def test_tornado_of_sobol_indices(bilateral_sobol: SensitivityResult) -> None:
    pytest.importorskip("matplotlib")
    figure = tornado_figure(bilateral_sobol, "utility_buyer")
    assert "Sobol" in figure.axes[0].get_title()


def test_cli_table_json_out_and_plot(
    capsys: pytest.CaptureFixture[str], bilateral: Path, tmp_path: Path
) -> None:
    pytest.importorskip("matplotlib")
    out, plot = tmp_path / "sens.json", tmp_path / "tornado.png"
    args = ["sensitivity", str(bilateral), "--params", f"{BUYER},{SELLER}", "-n", "4"]
    result = run_cli(capsys, [*args, "--workers", "1", "--out", str(out), "--plot", str(plot)])
    assert result.code == 0, result.err
    assert BUYER in result.out and "agreement" in result.out
    lines = result.out.splitlines()
    assert max(len(line) for line in lines) <= 80  # piped output: no cell wraps
    saved = load_result(out)
    first = saved.ranked(saved.measured()[0])[0]  # the first table's top row
    row = next(line.split() for line in lines if line.split()[:1] == ["1"])
    assert row[1] == first.param
    assert row[2] == ("0" if first.swing == 0 else f"{first.swing:.3g}")
    levels = next(line.split() for line in lines if line.strip().startswith("levels: "))
    assert len(levels) == 1 + len(first.levels)
    assert plot.read_bytes().startswith(b"\x89PNG")
    loaded = load_result(out)
    assert loaded.ranked("agreement")[0].param == BUYER
    shown = run_cli(capsys, [*args, "--workers", "1", "--levels", "2", "--json"])
    data = orjson.loads(shown.out)
    assert data["kind"] == "negsim-sensitivity" and data["levels"] == 2
    assert data["outcomes"]["agreement"][0]["param"] == BUYER


def test_cli_errors(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    result = run_cli(capsys, ["sensitivity", "--params", "rofr.window"])
    assert_one_line_error(result, 2, "--params rofr.window", "no range declared")
    result = run_cli(capsys, ["sensitivity", "--resume"])
    assert_one_line_error(result, 2, "--resume needs --store")
    result = run_cli(capsys, ["sensitivity", "--outcome", "x", "--plot", str(tmp_path / "a.gif")])
    assert_one_line_error(result, 2, "a.gif")


def test_sobol_resumes_a_store_cut_short(bilateral: Path, tmp_path: Path) -> None:
    """A batch killed half way keeps its stored runs; --resume runs only the rest and
    gives the result an uninterrupted analysis gives."""
    pytest.importorskip("SALib")
    import sqlite3

    whole = sensitivity(
        str(bilateral), [BUYER, SELLER], n=8, method="sobol", execution=Execution(workers=1)
    )
    store = tmp_path / "cut"
    sensitivity(
        str(bilateral),
        [BUYER, SELLER],
        n=8,
        method="sobol",
        execution=Execution(workers=1),
        store=store,
    )
    with sqlite3.connect(store / "sobol.sqlite") as db:
        db.execute("DELETE FROM runs WHERE run % 3 = 0")
    resumed = sensitivity(
        str(bilateral),
        [BUYER, SELLER],
        n=8,
        method="sobol",
        execution=Execution(workers=1),
        store=store,
        resume=True,
    )
    assert resumed.effects == whole.effects
    with pytest.raises(InputError, match="another design"):
        sensitivity(
            str(bilateral),
            [BUYER],
            n=8,
            method="sobol",
            execution=Execution(workers=1),
            store=store,
            resume=True,
        )


def test_negsim_plot_draws_a_saved_result_as_a_tornado(
    capsys: pytest.CaptureFixture[str], bilateral_oat: SensitivityResult, tmp_path: Path
) -> None:
    pytest.importorskip("matplotlib")
    saved = tmp_path / "sens.json"
    saved.write_bytes(orjson.dumps(bilateral_oat.to_data()))
    png = tmp_path / "tornado.png"
    result = run_cli(capsys, ["plot", str(saved), "--out", str(png), "--json"])
    assert result.code == 0, result.err
    assert orjson.loads(result.out)["plot"] == "sensitivity"
    assert png.read_bytes().startswith(b"\x89PNG")
    bad = run_cli(capsys, ["plot", str(saved), "--outcome", "nonsense", "--out", str(png)])
    assert_one_line_error(bad, 2, "--outcome nonsense")
