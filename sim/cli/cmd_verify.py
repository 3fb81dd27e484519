"""``negsim verify``: check a log's hash chain and structure, or every log of a batch store.

Exit codes: 0 the log verifies (and matches the trusted digest, if one is given); 1 it
does not (one line naming the file, the first bad line and why), or its digest is not
the trusted one; 2 the file cannot be read, or was written by a newer negsim.
``--repair`` drops a torn last line (a crash mid-write) and nothing else, says so on
stderr, then verifies as usual.

A hash chain only proves that no line was changed on its own: a forger who edits a
value and recomputes every hash after it, or cuts the log and appends a resealed
``RunEnded``, gets a log that verifies. Only a digest kept apart from the log catches
that, so ``--expect DIGEST`` and ``--store B.sqlite --run I`` compare with one.
"""

from __future__ import annotations

import contextlib
import os
import re
import stat
import sys
from pathlib import Path
from typing import Any

import click
import orjson

from events.errors import IntegrityError, NegsimError
from events.verify import (
    DigestMismatchError,
    LogFaultError,
    read_log_bytes,
    repair_torn_tail,
    verify_bytes,
)
from sim.diagnostics import get_logger

_DIGEST = re.compile(r"[0-9a-fA-F]{64}")
_SQLITE_MAGIC = b"SQLite format 3\x00"


def _print_json(payload: dict[str, object]) -> None:
    sys.stdout.write(orjson.dumps(payload).decode() + "\n")
    sys.stdout.flush()


def _repair(path: str) -> None:
    """Drop a torn tail if that is the log's first fault; any other fault propagates."""
    try:
        size = os.path.getsize(path)
    except OSError:
        size = None  # read_log_bytes inside repair_torn_tail reports it as exit 2
    fault = repair_torn_tail(path)
    if fault is not None and size is not None:
        sys.stderr.write(
            f"negsim: repaired {path}: dropped torn line {fault.line} "
            f"({size - fault.offset} bytes)\n"
        )
        sys.stderr.flush()


def _digest_option(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    if value is None:
        return None
    if not _DIGEST.fullmatch(value.strip()):
        raise click.BadParameter(f"expected a SHA-256 digest of 64 hex digits, got {value!r}")
    return value.strip().lower()


def is_batch_store(path: str) -> bool:
    """Whether ``path`` is an SQLite file (a batch store), by its first 16 bytes.

    Only a regular file is sniffed: reading from a pipe would eat the log's first bytes.
    """
    try:
        if not stat.S_ISREG(os.stat(path).st_mode):
            return False
        with open(path, "rb") as handle:
            return handle.read(len(_SQLITE_MAGIC)) == _SQLITE_MAGIC
    except OSError:
        return False  # reading it as a log reports why, with exit 2


@click.command(name="verify")
@click.argument("log", metavar="LOG|B.sqlite")
@click.option(
    "--repair",
    is_flag=True,
    help="Drop a torn last line (a crash mid-write), and only that, then verify.",
)
@click.option(
    "--expect",
    metavar="DIGEST",
    callback=_digest_option,
    help="A trusted digest the log must have (exit 1 if it differs).",
)
@click.option(
    "--store",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="A batch store holding the trusted digest of the log (with --run).",
)
@click.option("--run", "run", type=click.IntRange(min=0), default=None, help="The run index I.")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON on stdout.")
def command(
    log: str,
    repair: bool,
    expect: str | None,
    store: Path | None,
    run: int | None,
    as_json: bool,
) -> None:
    """Check a log's hash chain and structure; or, given a batch store, every run in it.

    Prints 'ok: N events, digest HEX'. Exit 0 if LOG verifies, 1 if it does not
    (the first bad line and why, on stderr), 2 if LOG cannot be read or was written
    by a newer negsim. With --json: {"ok": true, "events": N, "digest": HEX} or
    {"ok": false, "line": N, "error": WHY}, with the same exit codes.

    Only a trusted digest catches a log rewritten and resealed whole: --expect DIGEST,
    or --store B.sqlite --run I (the digest the batch stored when it ran). Given
    B.sqlite as LOG, every stored log is decompressed, verified and compared with its
    stored digest.
    """
    if (store is None) != (run is None):
        raise click.UsageError("--store and --run go together: the digest of run I of B.sqlite")
    if store is not None and expect is not None:
        raise click.UsageError("give one trusted digest: --expect, or --store with --run")
    if is_batch_store(log):
        if repair or expect is not None or store is not None:
            raise click.UsageError(
                f"{log} is a batch store: --repair, --expect and --store apply to a log file"
            )
        _verify_store(log, as_json)
        return
    if store is not None:
        from sim.batch.store import BatchStore

        assert run is not None
        with BatchStore.open(store) as batch:
            expect = batch.row(run)["digest"]
    if repair:
        # Any fault but a torn tail is never repaired; it is reported below exactly as
        # without --repair.
        with contextlib.suppress(LogFaultError):
            _repair(log)
    logger = get_logger("negsim.verify")
    try:
        verified = verify_bytes(read_log_bytes(log), name=log, expect=expect)
    except LogFaultError as exc:
        logger.info("log_rejected", log=log, line=exc.fault.line, fault=exc.fault.message)
        if as_json:
            _print_json({"ok": False, "line": exc.fault.line, "error": exc.fault.message})
        raise
    except DigestMismatchError as exc:
        logger.info("log_rejected", log=log, fault=exc.message)
        if as_json:
            _print_json({"ok": False, "line": None, "error": exc.message})
        raise
    logger.info("log_verified", log=log, events=len(verified), digest=verified.digest)
    if as_json:
        payload: dict[str, object] = {"ok": True, "events": len(verified)}
        payload["digest"] = verified.digest
        if expect is not None:
            payload["expected"] = True
        _print_json(payload)
    else:
        matched = ", as expected" if expect is not None else ""
        click.echo(f"ok: {len(verified)} events, digest {verified.digest}{matched}")


def _verify_store(path: str, as_json: bool) -> None:
    """Every run of a batch store: its log decompressed, verified, and its digest compared."""
    from sim.batch.store import BatchStore

    bad: list[dict[str, Any]] = []
    events = 0
    with BatchStore.open(path) as batch:
        runs = batch.run_ids()
        for run in runs:
            try:
                row = batch.row(run)
                data = batch.log(run)  # decompresses, and checks the stored digest
                verified = verify_bytes(data, name=f"run {run}", expect=row["digest"])
            except (IntegrityError, NegsimError) as exc:
                message = exc.message.removeprefix(f"{path}: ")
                bad.append({"run": run, "error": message.removeprefix(f"run {run}: ")})
                continue
            events += len(verified)
    get_logger("negsim.verify").info("store_checked", store=path, runs=len(runs), bad=len(bad))
    if as_json:
        _print_json({"ok": not bad, "runs": len(runs), "events": events, "bad": bad})
    if bad:
        first = bad[0]
        more = f" ({len(bad)} of {len(runs)} runs fail)" if len(bad) > 1 else ""
        raise IntegrityError(f"{path}: run {first['run']}: {first['error']}{more}")
    if not as_json:
        click.echo(
            f"ok: {len(runs)} runs, {events} events; every log verifies and matches "
            "its stored digest"
        )
