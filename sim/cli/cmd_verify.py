"""``negsim verify``: check a log's hash chain and structure.

Exit codes: 0 the log verifies; 1 it does not (one line naming the file, the first
bad line and why); 2 the file cannot be read. ``--repair`` drops a torn last line
(a crash mid-write) and nothing else, says so on stderr, then verifies as usual.
"""

from __future__ import annotations

import contextlib
import os
import sys

import click
import orjson

from events.verify import LogFaultError, read_log_bytes, repair_torn_tail, verify_bytes
from sim.diagnostics import get_logger


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


@click.command(name="verify")
@click.argument("log", metavar="LOG")
@click.option(
    "--repair",
    is_flag=True,
    help="Drop a torn last line (a crash mid-write), and only that, then verify.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON on stdout.")
def command(log: str, repair: bool, as_json: bool) -> None:
    """Check a log's hash chain and structure.

    Prints 'ok: N events, digest HEX'. Exit 0 if LOG verifies, 1 if it does not
    (the first bad line and why, on stderr), 2 if LOG cannot be read.
    With --json: {"ok": true, "events": N, "digest": HEX} or
    {"ok": false, "line": N, "error": WHY}, with the same exit codes.
    """
    if repair:
        # Any fault but a torn tail is never repaired; it is reported below exactly as
        # without --repair.
        with contextlib.suppress(LogFaultError):
            _repair(log)
    logger = get_logger("negsim.verify")
    try:
        verified = verify_bytes(read_log_bytes(log), name=log)
    except LogFaultError as exc:
        logger.info("log_rejected", log=log, line=exc.fault.line, fault=exc.fault.message)
        if as_json:
            _print_json({"ok": False, "line": exc.fault.line, "error": exc.fault.message})
        raise
    logger.info("log_verified", log=log, events=len(verified), digest=verified.digest)
    if as_json:
        _print_json({"ok": True, "events": len(verified), "digest": verified.digest})
    else:
        click.echo(f"ok: {len(verified)} events, digest {verified.digest}")
