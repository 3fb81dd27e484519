"""Fixtures for the agents tests: domains, scripted views and a tiny negotiation loop.

``scripted_view`` builds the view a strategy would see at a given moment (scripted
opponent offers, relative time, reservation), so behaviour tests read like
specifications: "given this, the strategy offers exactly that".
``negotiate`` is a minimal alternating-offers loop (not the engine) used by the
generic tests to play strategies against each other.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pytest

from agents.outcome_space import Issue, OutcomeSpace
from agents.strategies import NegotiationView, Response, relative_time
from agents.strategies.base import Strategy
from agents.utility import LinearAdditiveUtility


def levels(n: int = 11) -> np.ndarray:
    """Utilities 0, 1/(n-1), ..., 1 for outcomes 0 .. n-1 (outcome k is worth k/(n-1))."""
    return np.array([k / (n - 1) for k in range(n)])


def make_view(
    utilities: Sequence[float] | np.ndarray,
    *,
    t: float = 0.0,
    step: int = 0,
    opponent_offers: Sequence[int] = (),
    own_offers: Sequence[int] = (),
    reservation: float = 0.0,
    seed: int = 0,
    discount: float = 1.0,
    opponent_discount: float = 1.0,
) -> NegotiationView:
    view = NegotiationView.create(
        np.asarray(utilities, dtype=float),
        reservation,
        np.random.default_rng(seed),
        discount=discount,
        opponent_discount=opponent_discount,
    )
    view.relative_time = t
    view.step = step
    view.opponent_offers.extend(opponent_offers)
    view.own_offers.extend(own_offers)
    return view


@pytest.fixture
def scripted_view() -> Callable[..., NegotiationView]:
    return make_view


@pytest.fixture
def eleven_levels() -> np.ndarray:
    return levels(11)


@pytest.fixture
def bilateral_domain() -> tuple[OutcomeSpace, np.ndarray, np.ndarray]:
    """A 50-outcome two-issue domain with opposed (not mirror-image) preferences."""
    space = OutcomeSpace(
        [Issue("price", tuple(range(100, 200, 10))), Issue("delivery", (1, 2, 3, 4, 5))]
    )
    seller = LinearAdditiveUtility.build(
        space, {"price": 0.7, "delivery": 0.3}, {"price": "increasing", "delivery": "increasing"}
    )
    buyer = LinearAdditiveUtility.build(
        space, {"price": 0.6, "delivery": 0.4}, {"price": "decreasing", "delivery": "decreasing"}
    )
    return space, seller.evaluate(space), buyer.evaluate(space)


Transcript = list[tuple[int, int | None, Response | None]]


def negotiate(
    first: Strategy,
    second: Strategy,
    u_first: np.ndarray,
    u_second: np.ndarray,
    *,
    n_steps: int = 30,
    seed: int = 0,
    reservations: tuple[float, float] = (0.0, 0.0),
    discounts: tuple[float, float] = (1.0, 1.0),
) -> tuple[Transcript, int | None]:
    """Alternating offers, one offer and one answer per step, NegMAS relative time.

    Returns the transcript ``[(proposer, offer, answer), ...]`` (offer None = walked
    away while proposing) and the agreement (None if none).
    """
    rngs = [np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(2)]
    views = [
        NegotiationView.create(
            u_first, reservations[0], rngs[0], discounts[0], discounts[1], is_first_mover=True
        ),
        NegotiationView.create(
            u_second, reservations[1], rngs[1], discounts[1], discounts[0], is_first_mover=False
        ),
    ]
    strategies = (first, second)
    transcript: Transcript = []
    proposer = 0
    for step in range(n_steps):
        t = relative_time(step, n_steps)
        for view in views:
            view.step, view.relative_time = step, t
        responder = 1 - proposer
        offer = strategies[proposer].propose(views[proposer])
        if offer is None:
            transcript.append((proposer, None, None))
            return transcript, None
        views[proposer].own_offers.append(offer)
        views[responder].opponent_offers.append(offer)
        answer = strategies[responder].respond(views[responder], offer)
        transcript.append((proposer, offer, answer))
        if answer is Response.ACCEPT:
            return transcript, offer
        if answer is Response.WALK_AWAY:
            return transcript, None
        proposer = responder
    return transcript, None


@pytest.fixture
def play() -> Callable[..., Any]:
    return negotiate
