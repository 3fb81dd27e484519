"""``negsim export``: write one run's full JSONL log from a batch store."""

from __future__ import annotations

from pathlib import Path

import click

from sim.cli.options import file_path, json_option


@click.command(
    "export",
    help=(
        "Write run I's JSONL log from a batch store (checked against its stored digest). "
        "'negsim verify' accepts it, and 'negsim run SCENARIO --seed S:I' with the batch's "
        "--set (and, in a sweep, the cell's values) reproduces its bytes."
    ),
)
@click.option(
    "--store",
    type=file_path(),
    required=True,
    help="The batch store (BATCH.sqlite).",
)
@click.option("--run", "run", type=click.IntRange(min=0), required=True, help="The run index I.")
@click.option("--out", type=file_path(), required=True, help="LOG.jsonl")
@json_option
def command(store: Path, run: int, out: Path, as_json: bool) -> None:
    from events.errors import OutputError
    from events.writer import write_log
    from sim.batch.store import BatchStore, log_digest

    with BatchStore.open(store) as batch:
        data = batch.log(run)
        seed = batch.row(run)["seed"]
    if out.parent != Path(""):
        try:
            out.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise OutputError(f"{out.parent}: cannot create directory: {exc.strerror}") from None
    write_log(out, data)
    digest = log_digest(data)
    events = data.count(b"\n")
    if as_json:
        import orjson

        report = {"store": str(store), "run": run, "seed": seed, "out": str(out)}
        report |= {"digest": digest, "events": events}
        click.echo(orjson.dumps(report).decode())
    else:
        click.echo(f"run {run} (seed {seed}, {events} events, digest {digest}) -> {out}")
