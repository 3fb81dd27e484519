"""Reconfiguring a running actor: the one public way to change what it was built with.

An actor (a regulator, a competitor, the AGI milestone...) is built from the
scenario once per run, keyword by keyword (``sim.engine.actors``). A fork (``sim.whatif``)
changes scenario keys in the middle of a run; it rebuilds the changed actor's
keywords from the changed scenario with the same builder and hands them to
:func:`reconfigure`. Each actor class lists in ``SETTINGS`` which of its fields
that may change: what the scenario sets, and its random streams (a fork under
another seed draws afresh). Its running state (reviews in progress, contracts
already referred, offers still open) is never among them, so no caller can reach
into it by this door.
"""

from __future__ import annotations

from typing import Any, ClassVar, Protocol


class Reconfigurable(Protocol):
    SETTINGS: ClassVar[frozenset[str]]


def reconfigure(actor: Reconfigurable, **changes: Any) -> None:
    """Set ``actor``'s settings to ``changes``; TypeError for a name not a setting.

    Takes effect from the actor's next step: a wait already under way keeps its
    length (restart the actor's process to change that, ``sim.engine``)."""
    unknown = sorted(set(changes) - actor.SETTINGS)
    if unknown:
        raise TypeError(
            f"{type(actor).__name__} cannot reconfigure {', '.join(unknown)}: "
            f"its settings are {', '.join(sorted(actor.SETTINGS))}"
        )
    for name in sorted(changes):
        setattr(actor, name, changes[name])


__all__ = ["Reconfigurable", "reconfigure"]
