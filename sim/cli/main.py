"""Entry point and the CLI-wide error contract.

Every user error ends as one line ``negsim: error: ...`` on stderr and a documented
exit code (1 = the thing checked is bad, 2 = usage or input error, 3 = writing
failed, 70 = a bug in negsim, 130 = interrupted, 141 = stdout was closed early, as
``negsim verify LOG | head`` does). Tracebacks only with ``--debug``.
"""

from __future__ import annotations

import errno
import os
import sys
from collections.abc import Sequence

import click

from events.errors import NegsimError
from sim.cli.app import ClosedPipeError, cli

EXIT_INTERNAL = 70
EXIT_INTERRUPTED = 130
EXIT_BROKEN_PIPE = 128 + 13  # as if killed by SIGPIPE, the shell convention


def _closed_pipe() -> int:
    """Stdout's reader went away: stop quietly with 141, as ``cat`` killed by SIGPIPE would.

    Stdout is pointed at /dev/null first, so the interpreter's final flush of what is
    still buffered cannot fail again (it would print a warning and exit 120).
    """
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError):  # pragma: no cover - stdout without a file descriptor
        pass
    return EXIT_BROKEN_PIPE


def _is_closed_pipe(exc: BaseException) -> bool:
    return isinstance(exc, BrokenPipeError) or (
        isinstance(exc, OSError) and exc.errno == errno.EPIPE
    )


def _error(message: str) -> None:
    text = " ".join(str(message).split())  # always exactly one line
    try:
        sys.stderr.write(f"negsim: error: {text}\n")
        sys.stderr.flush()
    except (BrokenPipeError, OSError):
        pass


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI and return its exit code (the console script exits with it)."""
    args = list(sys.argv[1:] if argv is None else argv)
    debug = "--debug" in args
    for index, arg in enumerate(args, 1):
        if "\x00" in arg:  # no file name, and no value worth reading, holds one
            _error(f"argument {index} holds a NUL byte (\\x00): {arg!r}")
            return 2
    try:
        result = cli.main(args=args, prog_name="negsim", standalone_mode=False)
        sys.stdout.flush()  # a closed pipe shows here, not in the interpreter's exit
    except ClosedPipeError:
        return _closed_pipe()
    except click.exceptions.Exit as exc:
        return int(exc.exit_code)
    except click.exceptions.NoArgsIsHelpError as exc:  # pragma: no cover - click >= 8.2
        click.echo(exc.ctx.get_help() if exc.ctx else str(exc))
        return 0
    except click.UsageError as exc:
        if debug:
            raise
        hint = (
            f" (see 'negsim {exc.ctx.command_path.partition(' ')[2]} --help')".replace(
                "negsim  --help", "negsim --help"
            )
            if exc.ctx
            else ""
        )
        _error(f"{exc.format_message()}{hint}")
        return 2
    except click.ClickException as exc:
        if debug:
            raise
        _error(exc.format_message())
        return exc.exit_code if exc.exit_code else 2
    except NegsimError as exc:
        if debug:
            raise
        _error(exc.message)
        return exc.exit_code
    except (KeyboardInterrupt, click.Abort):
        _error("interrupted")
        return EXIT_INTERRUPTED
    except OSError as exc:
        if _is_closed_pipe(exc):
            return _closed_pipe()
        if debug:
            raise
        where = f" {exc.filename}" if exc.filename else ""
        reason = exc.strerror or str(exc)
        _error(f"cannot access{where}: {reason}")
        return 3 if exc.errno in (errno.ENOSPC, errno.EDQUOT, errno.EROFS) else 2
    except Exception as exc:  # the last line of defence for users
        if debug:
            raise
        _error(f"internal error: {type(exc).__name__}: {exc} (rerun with --debug for details)")
        return EXIT_INTERNAL
    return int(result or 0)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
