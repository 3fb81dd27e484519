"""What a party may do and see of the world it lives in.

The engine (in ``sim/``) implements this protocol; parties only use it, so ``agents/``
never imports ``sim/``. A party never edits contract state: it posts events, and reads
the state the engine derives from the log with the shared fold.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

import simpy

from agents.alternatives import Alternatives
from events.model import Event
from events.replay import Folder
from events.state import ContractState


class World(Protocol):
    env: simpy.Environment

    @property
    def alternatives(self) -> Alternatives | None:
        """Both sides' walk-away values from the state (None: the scenario has no
        [alternatives] tables); a negotiator's reservation may read it."""
        ...

    @property
    def folder(self) -> Folder:
        """The shared fold itself, read-only: for reads of a few fields where a whole
        ``state()`` would cost too much (``Folder.holds``, ``Folder.rights()``, ...)."""
        ...

    def post(self, sender: str, event: Event, index: int | None = None) -> int:
        """Record ``event`` now and deliver it to whoever it concerns; returns its seq.

        ``index`` is the outcome index of an offer's terms, passed along so the
        receiver need not look the terms up again.
        """
        ...

    def state(self) -> ContractState:
        """The contract state the log implies right now (the shared fold)."""
        ...

    def subscribe(self, kinds: tuple[type, ...], callback: Callable[[int, Event], None]) -> None:
        """Call ``callback(seq, event)`` right after every recorded event of ``kinds``."""
        ...

    def talks_open(self) -> bool:
        """Whether the negotiation is still running."""
        ...
