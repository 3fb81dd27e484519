"""A progress bar on stderr (runs done, runs/s, ETA), or nothing.

The caller decides whether to show it (the CLI: stderr is a terminal, no ``--json``,
``CI`` unset); this module reads no environment.
"""

from __future__ import annotations

from typing import Any, Protocol

from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    Task,
    TextColumn,
    TimeRemainingColumn,
)
from rich.text import Text


class Tracker(Protocol):
    def __enter__(self) -> Tracker: ...

    def __exit__(self, *exc: object) -> None: ...

    def advance(self, runs: int) -> None: ...


class NoProgress:
    def __enter__(self) -> NoProgress:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def advance(self, runs: int) -> None:
        return None


class _RateColumn(ProgressColumn):
    def render(self, task: Task) -> Text:
        speed = task.speed
        return Text("   - runs/s" if speed is None else f"{speed:6.1f} runs/s", style="cyan")


class BarProgress:
    """A rich progress bar on stderr, starting at the runs already stored."""

    def __init__(self, total: int, done: int, description: str = "runs") -> None:
        from rich.console import Console

        self._progress = Progress(
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            _RateColumn(),
            TextColumn("ETA"),
            TimeRemainingColumn(),
            console=Console(stderr=True),
            transient=False,
        )
        self._task: Any = None
        self._total = total
        self._done = done
        self._description = description

    def __enter__(self) -> BarProgress:
        self._progress.__enter__()
        self._task = self._progress.add_task(
            self._description, total=self._total, completed=self._done
        )
        return self

    def __exit__(self, *exc: object) -> None:
        self._progress.__exit__(None, None, None)

    def advance(self, runs: int) -> None:
        self._progress.advance(self._task, runs)


def tracker(show: bool, total: int, done: int, description: str = "runs") -> Tracker:
    return BarProgress(total, done, description) if show else NoProgress()
