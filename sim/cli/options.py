"""Options shared by several subcommands."""

from __future__ import annotations

import functools
import os
import re
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Final, TypeVar

import click

from events.errors import NegsimError

F = TypeVar("F", bound=Callable[..., Any])
Opts = TypeVar("Opts")


def flags_as(options: type[Opts]) -> Callable[[Callable[[Opts], None]], Callable[..., None]]:
    """Hand a command its flags as one frozen value, ``options(**flags)``.

    Click calls a command with one keyword argument per flag; a command with fifteen
    flags would otherwise thread fifteen parameters through every helper. Put this
    innermost, under the ``click`` decorators, which declare the flags (names, help,
    defaults) exactly as before; the options class has one field per flag, named as
    click names its parameter.
    """

    def decorate(fn: Callable[[Opts], None]) -> Callable[..., None]:
        @functools.wraps(fn)
        def callback(**flags: Any) -> None:
            fn(options(**flags))

        return callback

    return decorate


def scenario_argument(fn: F) -> F:
    return click.argument(
        "scenario", required=False, default="msft-openai", metavar="[SCENARIO|PATH]"
    )(fn)


def set_option(fn: F) -> F:
    return click.option(
        "--set",
        "assignments",
        multiple=True,
        metavar="K=V",
        help="Override a scenario parameter, e.g. regulators.cma.strictness=0.8 (repeatable).",
    )(fn)


def json_option(fn: F) -> F:
    return click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")(fn)


def seed_type(text: str) -> str:
    """A run seed as the CLI takes it: ``N`` or ``S:I`` in ASCII digits, nothing deeper."""
    from sim.seeding import RunSeed

    try:
        seed = RunSeed.parse(text)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None
    if len(seed.spawn_key) > 1:
        raise click.BadParameter(
            f"expected a seed N, or S:I for run I of a batch with master seed S, got {text!r}"
        )
    return str(seed)


SEED_MAX = 2**128 - 1  # RunSeed's bound: 39 decimal digits


class AsciiIntRange(click.IntRange):
    """``click.IntRange`` that reads ASCII digits only: ``int("١")`` is 1 in Python, and
    a seed typed in another script should be refused, not silently read."""

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, str) and not value.strip().isascii():
            self.fail(f"expected an integer in ASCII digits, got {value!r}", param, ctx)
        return super().convert(value, param, ctx)


def master_seed_option(fn: F) -> F:
    """``--seed S``: a batch's master seed (run i has seed S:i)."""
    return click.option(
        "--seed",
        type=AsciiIntRange(min=0, max=SEED_MAX),
        default=0,
        show_default=True,
        help="Master seed S.",
    )(fn)


class FilePath(click.Path):
    """A file to write or read, given by the user: any path (their choice), but not ''.

    An empty ``--out ''`` would otherwise become ``.``, the current directory, and fail
    much later with a baffling "Device or resource busy".
    """

    def __init__(self) -> None:
        super().__init__(dir_okay=False, path_type=Path)

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, str | os.PathLike) and not os.fspath(value):
            self.fail("expected a file name, got an empty string", param, ctx)
        return super().convert(value, param, ctx)


def file_path() -> FilePath:
    return FilePath()


def workers_option(fn: F) -> F:
    return click.option(
        "--workers",
        type=click.IntRange(min=1),
        default=None,
        help="Worker processes [default: the CPU count].",
    )(fn)


def executor_options(fn: F) -> F:
    """``--executor process|dask`` and ``--address`` (a running Dask scheduler)."""
    fn = click.option(
        "--address",
        default=None,
        metavar="tcp://HOST:PORT",
        help="A running Dask scheduler (with --executor dask) [default: a LocalCluster].",
    )(fn)
    return click.option(
        "--executor",
        type=click.Choice(["process", "dask"]),
        default="process",
        show_default=True,
        help="A local process pool, or Dask (needs pip install '.[dask]').",
    )(fn)


# Library functions name their parameters in errors ("workers: expected ..."); a command
# says which of its flags each parameter is.
COMMON_FLAGS: Final = {
    "n": "-n",
    "seed": "--seed",
    "workers": "--workers",
    "executor": "--executor",
    "address": "--address",
    "store": "--store",
    "resume": "--resume",
    "sweep": "--sweep",
}


@contextmanager
def flag_errors(**flags: str) -> Iterator[None]:
    """Re-word a library error that starts with a parameter name (``"method: ..."``,
    ``"params x=1: ..."``) with the command's flag for it (``"--method: ..."``).

    ``flags`` adds to (or overrides) :data:`COMMON_FLAGS`: ``flag_errors(params="--param")``.
    """
    table = {**COMMON_FLAGS, **flags}
    try:
        yield
    except NegsimError as exc:
        head = re.match(r"[A-Za-z_]+(?=[: ])", exc.message)
        if head is not None and head.group() in table:
            exc.message = table[head.group()] + exc.message[head.end() :]
            exc.args = (exc.message,)
        raise


def execution_of(
    workers: int | None,
    executor: str = "process",
    address: str | None = None,
    *,
    as_json: bool = False,
) -> Any:
    """The :class:`~sim.batch.execution.Execution` a command's flags ask for; a progress
    bar when stderr is a terminal, without ``--json`` and outside CI."""
    from sim.batch.execution import Execution

    if address is not None and executor != "dask":
        raise click.UsageError("--address needs --executor dask")
    progress = not as_json and sys.stderr.isatty() and "CI" not in os.environ
    with flag_errors():
        return Execution(workers=workers, executor=executor, address=address, progress=progress)
