"""A negotiating party (Microsoft, OpenAI, a buyer, a seller) as a SimPy process.

It waits for talks to open, makes the opening offer if it moves first, then answers
every offer that reaches its inbox after ``clock.round`` (the time a counter-offer
takes): accept, walk away, or reject and counter. Outside offers that reach it raise
its reservation value by the competitor's ``boost``. All choices are its strategy's.
"""

from __future__ import annotations

from collections.abc import Callable, Generator
from typing import Any, ClassVar

import attrs

from agents.appraisal import Appraiser
from agents.inbox import Inbox
from agents.messages import NegotiatorMessage, OfferDelivered, OutsideOfferDelivered
from agents.strategies.base import NegotiationView, Response, Strategy
from agents.strategies.time_based import relative_time as sao_relative_time
from agents.world import World
from events.model import (
    NegotiationEnded,
    OfferAccepted,
    OfferMade,
    OfferRejected,
)
from events.terms import Offer

# The turn's events, made without re-checking values the scenario and the domain
# already checked (the party keys, an outcome, the step, a recorded seq).
_made = OfferMade.checked_by_caller
_rejected = OfferRejected.checked_by_caller


@attrs.frozen
class NegotiationClock:
    """When talks run and how time maps to the strategies' relative time.

    ``round`` is the time between an offer and the answer to it. Dated talks
    (alternating offers) count one step per round and measure relative time as the
    elapsed share of ``[opens, deadline]``. Step-limited talks (NegMAS SAO mode,
    ``n_steps``) follow NegMAS's default ``one_offer_per_step=False``: a step is one
    time unit in which *each* negotiator acts once (``round`` = 0.5), and relative
    time is NegMAS's ``(step + 1) / (n_steps + 1)``.
    """

    opens: float
    deadline: float
    round: float
    n_steps: int | None = None
    step_length: float | None = None  # time units per step; default: one round

    # NegMAS's relative time of every step of step-limited talks, made once per clock:
    # the same floats as ``relative_time``, without its checks on every turn.
    _times: tuple[float, ...] = attrs.field(init=False, eq=False, repr=False)

    def __attrs_post_init__(self) -> None:
        n = self.n_steps
        times: tuple[float, ...] = ()
        if isinstance(n, int) and not isinstance(n, bool) and n >= 1:
            times = tuple(sao_relative_time(k, n) for k in range(n + 1))
        object.__setattr__(self, "_times", times)

    def tick(self, now: float) -> tuple[int, float]:
        """``(step(now), relative_time(now))``, the step-limited ones from the table."""
        step = self.step(now)
        times = self._times
        if 0 <= step < len(times):
            return step, times[step]
        return step, self.relative_time(now)

    def step(self, now: float) -> int:
        length = self.step_length if self.step_length is not None else self.round
        return int((now - self.opens) / length + 1e-9)

    def relative_time(self, now: float) -> float:
        if self.n_steps is not None:
            return sao_relative_time(self.step(now), self.n_steps)
        span = self.deadline - self.opens
        return min(1.0, max(0.0, (now - self.opens) / span)) if span > 0 else 1.0


@attrs.define(kw_only=True)
class Negotiator:
    """One party's side of the talks.

    The hot path (one call of ``_respond`` and one of ``_propose`` per turn, hundreds of
    turns a run) binds what it reads once per turn. A fork may swap its strategy, its
    view (new preferences before talks open), its clock (a moved deadline) and its
    appraiser (``agents.settings.reconfigure``).
    """

    SETTINGS: ClassVar[frozenset[str]] = frozenset(("strategy", "view", "clock", "appraiser"))

    key: str
    opponent: str
    strategy: Strategy
    view: NegotiationView
    clock: NegotiationClock
    offer_of: Callable[[int], Offer]
    inbox: Inbox[NegotiatorMessage]
    first: bool
    appraiser: Appraiser | None = None  # world-dependent valuation (agents.appraisal)

    def process(self, world: World) -> Generator[Any, Any, None]:
        env = world.env
        clock = self.clock
        if env.now < clock.opens:
            yield env.timeout(clock.opens - env.now)
        if self.first and world.talks_open() and not self._propose(world, None):
            return
        get = self.inbox.get
        timeout = env.timeout
        talks_open = world.talks_open
        respond = self._respond
        wait = clock.round
        while True:
            message = yield get()
            kind = type(message)
            if kind is OfferDelivered:
                seq, offer, outcome = message
                yield timeout(wait)
                if not talks_open() or not respond(world, seq, offer, outcome):
                    return
            elif kind is OutsideOfferDelivered:
                if self.appraiser is None:  # a world-reading party sees it in its options
                    self.view.reservation = min(1.0, self.view.reservation + message[2])
            else:  # TalksEnded
                return

    def _tick(self, now: float) -> None:
        view = self.view
        view.step, view.relative_time = self.clock.tick(now)
        if self.appraiser is not None:
            self.appraiser.update(view, now)

    def _respond(self, world: World, seq: int, offer: OfferMade, index: int) -> bool:
        """Answer the offer at ``seq``; False once this party's talks are over."""
        view = self.view
        self._tick(world.env.now)
        view.opponent_offers.append(index)
        answer = self.strategy.respond(view, index)
        if answer is Response.ACCEPT:
            world.post(self.key, OfferAccepted(self.key, offer.sender, seq, offer.terms))
            return False
        if answer is Response.WALK_AWAY:
            world.post(self.key, NegotiationEnded("walk_away", self._parties(), self.key))
            return False
        world.post(self.key, _rejected(self.key, offer.sender, seq))
        return self._propose(world, seq, ticked=True)

    def _propose(self, world: World, reply_to: int | None, *, ticked: bool = False) -> bool:
        view = self.view
        if not ticked:  # a counter-offer is made at the same moment as the rejection
            self._tick(world.env.now)
        index = self.strategy.propose(view)
        if index is None:
            world.post(self.key, NegotiationEnded("walk_away", self._parties(), self.key))
            return False
        view.own_offers.append(index)
        key = self.key
        world.post(key, _made(key, self.opponent, self.offer_of(index), reply_to, view.step), index)
        return True

    def _parties(self) -> tuple[str, str]:
        return (self.key, self.opponent) if self.first else (self.opponent, self.key)
