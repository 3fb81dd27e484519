"""The ``negsim`` command group and its global options (the subcommands: sim.cli.commands)."""

from __future__ import annotations

import errno

import click

from events._version import __version__
from sim.diagnostics import configure_logging


class ClosedPipeError(Exception):
    """Stdout's reader went away (``negsim ... | head``): the CLI exits 141, quietly."""


class _Group(click.Group):
    """Lets a closed stdout pipe through as :class:`ClosedPipeError`.

    Click turns an ``EPIPE`` into exit status 1 even with ``standalone_mode=False``,
    and so does rich (``SystemExit(1)`` raised while handling the ``BrokenPipeError``);
    1 means "the log is bad" here, and a pipe closed early is no such verdict.
    """

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except OSError as exc:
            if isinstance(exc, BrokenPipeError) or exc.errno == errno.EPIPE:
                raise ClosedPipeError() from exc
            raise
        except SystemExit as exc:
            if isinstance(exc.__context__, BrokenPipeError):
                raise ClosedPipeError() from exc
            raise


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", prog_name="negsim", message="%(prog)s %(version)s")
@click.option(
    "--log-format",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="Operator log format on stderr (never the event log).",
)
@click.option("-v", "--verbose", count=True, help="More operator logging (repeatable).")
@click.option("-q", "--quiet", count=True, help="Less operator logging (repeatable).")
@click.option("--debug", is_flag=True, help="Show tracebacks instead of one-line errors.")
def cli(log_format: str, verbose: int, quiet: int, debug: bool) -> None:
    """negsim: event-sourced simulator of the Microsoft-OpenAI negotiation.

    Exit codes: 0 ok, 1 the thing checked is bad (e.g. a tampered log),
    2 usage or input error, 3 writing failed (e.g. disk full) or a batch worker
    was lost, 70 internal error (a bug in negsim: please report it with the
    --debug traceback), 130 interrupted, 141 output pipe closed early.
    """
    configure_logging(log_format, verbose - quiet)


def _register() -> None:
    from sim.cli import commands

    for command in commands.all_commands():
        cli.add_command(command)


_register()
