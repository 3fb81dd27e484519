"""A party's mailbox: one plain SimPy event per hand-off instead of a ``simpy.Store``.

A Store hands a message over in two hops (the put event, then, when the put is
processed, the get event), through generic put/get queues. A negotiating party has
one reader and an unbounded box, so ``Inbox`` keeps a deque and at most one waiting
event: ``put`` succeeds the waiting event at once, or queues the message; ``get``
returns an event that is already succeeded when a message is queued (the reader
still resumes through the event queue, as with a Store), or else the one a later
``put`` will succeed.

The one hop fewer moves no recorded event: a reader that resumes on a message only
waits (an offer starts its ``round`` timeout), adjusts its own view (an outside
offer) or ends (talks over), and nothing else runs at that simulated time between
the put and the Store's second hop that the reader's wake-up could overtake. The
pinned log digests (tests/data/log_digests.json) hold the engine to that.
"""

from __future__ import annotations

from collections import deque
from typing import Generic, TypeVar

import simpy

Message = TypeVar("Message")


class Inbox(Generic[Message]):
    """Unbounded single-reader mailbox on the discrete-event clock, for messages of
    one type (a negotiator's: ``agents.messages.NegotiatorMessage``)."""

    __slots__ = ("_env", "_items", "_waiter")

    def __init__(self, env: simpy.Environment) -> None:
        self._env = env
        self._items: deque[Message] = deque()
        self._waiter: simpy.Event | None = None

    def put(self, item: Message) -> None:
        """Deliver ``item`` now: wake the waiting reader, or queue it."""
        waiter = self._waiter
        if waiter is None:
            self._items.append(item)
        else:
            self._waiter = None
            waiter.succeed(item)

    def get(self) -> simpy.Event:
        """An event whose value is the next item (already succeeded if one is queued)."""
        event = simpy.Event(self._env)
        if self._items:
            event.succeed(self._items.popleft())
        else:
            self._waiter = event
        return event

    def __len__(self) -> int:
        return len(self._items)
