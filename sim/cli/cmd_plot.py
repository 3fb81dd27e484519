"""``negsim plot``: draw a run's timeline, a batch's distributions, or a run's outcome space.

The input kind comes from its suffix: ``.jsonl`` is a run log (verified first), ``.parquet``
and ``.csv`` are batch results, ``.sqlite`` and ``.db`` are batch stores, ``.json`` is a
``negsim sensitivity --out`` result (drawn as a tornado chart) or ``negsim backtest
--json`` output (its PIT chart); a ``negsim calibrate --out`` table draws the posterior
marginals and a ``negsim backtest --out`` table the PIT chart. The image
format comes from ``--out``'s suffix (``.png``, ``.svg``, ``.pdf``); without ``--out``
the image is ``<input stem>.png`` (``<input stem>-pareto.png`` with ``--pareto``) next
to the input. The same input always gives the same image bytes.
"""

from __future__ import annotations

from pathlib import Path

import click

from sim.cli.options import file_path, json_option


@click.command(
    "plot",
    help=(
        "Draw a run's timeline (LOG.jsonl), a batch at a glance (RESULTS.parquet|.csv, "
        "BATCH.sqlite|.db), a sensitivity result as a tornado chart (RESULT.json), a "
        "calibration's posterior marginals (its --out table), a backtest's PIT chart "
        "(its --json output or --out table) or, "
        "with --pareto, a run's outcome space. "
        "Writes PNG, SVG or PDF by --out's suffix "
        "[default: <input stem>.png next to the input]."
    ),
)
@click.argument("source", metavar="INPUT", type=click.Path(path_type=Path, dir_okay=True))
@click.option(
    "--out",
    type=file_path(),
    default=None,
    help="Image to write: .png, .svg or .pdf [default: <input stem>.png next to the input].",
)
@click.option(
    "--pareto",
    is_flag=True,
    help="Plot the run's outcome space: Pareto frontier, Nash and Kalai points, offers.",
)
@click.option(
    "--outcome",
    default=None,
    help="Tornado charts: the outcome to draw [default: agreement].",
)
@json_option
def command(
    source: Path, out: Path | None, pareto: bool, outcome: str | None, as_json: bool
) -> None:
    from events.errors import InputError
    from sim.plots.loaders import input_kind, json_kind, table_kind
    from sim.plots.style import format_of, require_matplotlib

    kind = json_kind(source) if source.suffix.lower() == ".json" else input_kind(source)
    if kind == "batch" and source.exists():
        kind = table_kind(source)
    if pareto and kind != "log":
        raise InputError(f"{source}: --pareto draws one run: give a run log (.jsonl)")
    if not source.exists():
        raise InputError(f"{source}: no such file")
    if out is None:
        suffix = "-pareto.png" if pareto else ".png"
        out = source.with_name(source.stem + suffix)
    fmt = format_of(out)  # refuse a bad --out before any drawing
    require_matplotlib()
    from sim import plots

    if kind == "log":
        figure = plots.pareto(source) if pareto else plots.timeline(source)
    elif kind == "sensitivity":
        from sim.whatif.sensitivity import load_result, tornado_figure

        result = load_result(source)
        try:
            figure = tornado_figure(result, outcome)
        except KeyError as exc:
            raise InputError(f"--outcome {outcome}: {exc.args[0]}") from None
    elif kind == "posterior":
        from sim.plots.posterior import posterior

        figure = posterior(source)
    elif kind == "backtest":
        from sim.plots.pit import pit

        figure = pit(source)
    else:
        figure = plots.batch(source)
    written = plots.save(figure, out, fmt)
    if as_json:
        import orjson

        what = "pareto" if pareto else {"log": "timeline"}.get(kind, kind)
        report = {"input": str(source), "plot": what, "out": str(written), "format": fmt}
        click.echo(orjson.dumps(report).decode())
    else:
        click.echo(f"wrote {written}")
