"""The negotiators' inbox: FIFO delivery through the event queue, one reader."""

from __future__ import annotations

from collections.abc import Generator
from typing import Any

import simpy
from hypothesis import given
from hypothesis import strategies as st

from agents.inbox import Inbox


def _reader(env: simpy.Environment, inbox: Inbox, n: int, got: list[Any]) -> Generator:
    for _ in range(n):
        item = yield inbox.get()
        got.append((env.now, item))


def test_a_waiting_reader_wakes_at_the_time_of_the_put() -> None:
    env = simpy.Environment()
    inbox = Inbox(env)
    got: list[Any] = []
    env.process(_reader(env, inbox, 1, got))

    def writer() -> Generator:
        yield env.timeout(2.5)
        inbox.put("offer")

    env.process(writer())
    env.run()
    assert got == [(2.5, "offer")]
    assert len(inbox) == 0


def test_queued_items_still_resume_the_reader_through_the_event_queue() -> None:
    """An item already queued does not let the reader run ahead of events already
    scheduled for now (as with a simpy.Store)."""
    env = simpy.Environment()
    inbox = Inbox(env)
    order: list[str] = []
    inbox.put("queued")

    def reader() -> Generator:
        event = inbox.get()
        assert event.triggered
        order.append("reader asks")
        item = yield event
        order.append(f"reader got {item}")

    def other() -> Generator:
        order.append("other runs")
        yield env.timeout(0)

    env.process(reader())
    env.process(other())
    env.run()
    assert order == ["reader asks", "other runs", "reader got queued"]


@given(st.lists(st.tuples(st.integers(0, 3), st.integers()), max_size=30))
def test_items_arrive_in_put_order_whenever_they_are_put(puts: list[tuple[int, int]]) -> None:
    env = simpy.Environment()
    inbox = Inbox(env)
    got: list[Any] = []
    env.process(_reader(env, inbox, len(puts), got))

    def writer() -> Generator:
        for delay, item in puts:
            if delay:
                yield env.timeout(delay)
            inbox.put(item)

    env.process(writer())
    env.run()
    assert [item for _, item in got] == [item for _, item in puts]
    assert [t for t, _ in got] == sorted(t for t, _ in got)
