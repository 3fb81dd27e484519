"""The restructuring actor, against scripted talks: a world that records what the actor
posts and lets a test post the deals and walk-aways the negotiators would."""

from __future__ import annotations

from collections.abc import Callable, Generator
from typing import Any

import numpy as np
import pytest
import simpy
from hypothesis import given, settings
from hypothesis import strategies as st

from agents.restructuring import FundingCondition, Restructuring, Reviewer
from events.codec import Recorded
from events.model import (
    ConsentGiven,
    ConsentRefused,
    ContractSigned,
    Event,
    FundingConditionMissed,
    NegotiationEnded,
    RestructuringEnded,
    RestructuringProposed,
    RestructuringReviewed,
)
from events.replay import fold
from events.state import ContractState
from events.terms import EMPTY_OUTCOME, Outcome

MS, OAI = "microsoft", "openai"
ACTOR_EVENTS = (
    RestructuringProposed,
    ConsentGiven,
    ConsentRefused,
    RestructuringReviewed,
    FundingConditionMissed,
    RestructuringEnded,
)


class ScriptedWorld:
    """``agents.world.World`` for one actor: records every post, calls subscribers."""

    def __init__(self) -> None:
        self.env = simpy.Environment()
        self.records: list[Recorded] = []
        self._watchers: dict[type, list[Callable[[int, Event], None]]] = {}

    def post(self, sender: str, event: Event, index: int | None = None) -> int:
        seq = len(self.records)
        self.records.append(Recorded(seq, self.env.now, event))
        for callback in self._watchers.get(type(event), []):
            callback(seq, event)
        return seq

    def subscribe(self, kinds: tuple[type, ...], callback: Callable[[int, Event], None]) -> None:
        for kind in kinds:
            self._watchers.setdefault(kind, []).append(callback)

    def state(self) -> ContractState:
        return fold(self.records)

    def talks_open(self) -> bool:
        return True

    def at(self, t: float, event: Event) -> None:
        """Post ``event`` at time ``t`` (as the talks would)."""

        def later() -> Generator[Any, Any, None]:
            yield self.env.timeout(t - self.env.now)
            self.post("talks", event)

        self.env.process(later())

    def actor_events(self) -> list[tuple[float, Event]]:
        return [(r.t, r.event) for r in self.records if type(r.event) in ACTOR_EVENTS]


def deal(contract_id: str = "extension-1", review: bool = True) -> ContractSigned:
    terms = Outcome((("equity", 0.27),)) if review else EMPTY_OUTCOME
    return ContractSigned(contract_id, (MS, OAI), (), review, terms)


def walk_away(by: str = MS) -> NegotiationEnded:
    return NegotiationEnded("walk_away", (MS, OAI), by)


APPROVES = 1.0  # u < 1.0 always: approves
BLOCKS = 0.0  # u < 0.0 never: blocks


def actor(
    *reviewers: tuple[str, float, float],
    long_stop: float | None = None,
    funding: FundingCondition | None = None,
    proposed: float = 1.0,
) -> Restructuring:
    return Restructuring(
        by=OAI,
        form="public_benefit_corporation",
        proposed=proposed,
        consent_from=MS,
        reviewers=tuple(Reviewer(key, months, p) for key, months, p in reviewers),
        rng=np.random.default_rng(0),
        long_stop=long_stop,
        funding=funding,
    )


def run(world: ScriptedWorld, restructuring: Restructuring, until: float = 40.0) -> ContractState:
    world.env.process(restructuring.process(world))
    world.env.run(until=until)
    return world.state()


def test_consent_then_every_approval_completes_at_the_last_ruling() -> None:
    world = ScriptedWorld()
    world.at(2.0, deal())
    state = run(world, actor(("de", 3.0, APPROVES), ("ca", 5.0, APPROVES)))
    assert world.actor_events() == [
        (1.0, RestructuringProposed(OAI, "public_benefit_corporation", MS, ("de", "ca"))),
        (2.0, ConsentGiven(MS, "extension-1")),
        (4.0, RestructuringReviewed("de", "approved")),
        (6.0, RestructuringReviewed("ca", "approved")),
        (6.0, RestructuringEnded("completed", "consent_and_approvals")),
    ]
    assert state.restructuring == "completed" and state.restructuring_time == 6.0
    assert state.restructuring_consent == "given"
    assert state.restructuring_reviews == (("ca", "approved"), ("de", "approved"))


def test_approvals_then_a_refusal_then_a_deal_completes_at_the_deal() -> None:
    world = ScriptedWorld()
    world.at(5.0, walk_away())
    world.at(9.0, deal("extension-2"))
    seen: list[tuple[float, str, str]] = []
    restructuring = actor(("de", 2.0, APPROVES))
    world.env.process(restructuring.process(world))
    for t in (4.0, 6.0, 10.0):
        world.env.run(until=t)
        state = world.state()
        seen.append((t, state.restructuring, state.restructuring_consent))
    assert seen == [
        (4.0, "approved", "none"),
        (6.0, "approved", "refused"),  # not final
        (10.0, "completed", "given"),
    ]
    assert world.actor_events()[-2:] == [
        (9.0, ConsentGiven(MS, "extension-2")),
        (9.0, RestructuringEnded("completed", "consent_and_approvals")),
    ]


def test_a_block_fails_it_at_once_and_nothing_follows_but_the_funding_miss() -> None:
    world = ScriptedWorld()
    world.at(2.0, deal())
    world.at(8.0, deal("extension-2"))
    funding = FundingCondition("softbank", 20.0, 10.0)
    state = run(world, actor(("de", 3.0, BLOCKS), ("ca", 5.0, APPROVES), funding=funding))
    kinds = [(t, type(e).__name__) for t, e in world.actor_events()]
    assert kinds == [
        (1.0, "RestructuringProposed"),
        (2.0, "ConsentGiven"),
        (4.0, "RestructuringReviewed"),
        (4.0, "RestructuringEnded"),
        (10.0, "FundingConditionMissed"),  # failed, so not converted by the deadline
    ]
    assert world.actor_events()[3][1] == RestructuringEnded("failed", "blocked")
    assert state.restructuring == "failed" and state.restructuring_time == 4.0
    assert dict(state.restructuring_reviews) == {"de": "blocked", "ca": "open"}
    assert state.funding_lost_bn == 20.0


def test_the_long_stop_fails_a_conversion_still_waiting_for_consent() -> None:
    world = ScriptedWorld()
    world.at(7.0, walk_away())
    world.at(20.0, deal())  # too late: the conversion failed at the long stop
    state = run(world, actor(("de", 3.0, APPROVES), long_stop=12.0))
    assert world.actor_events()[-2:] == [
        (7.0, ConsentRefused(MS)),
        (12.0, RestructuringEnded("failed", "long_stop")),
    ]
    assert state.restructuring == "failed" and state.restructuring_time == 12.0
    assert state.restructuring_consent == "refused"


def test_a_long_stop_after_completion_changes_nothing() -> None:
    world = ScriptedWorld()
    world.at(2.0, deal())
    state = run(world, actor(("de", 3.0, APPROVES), long_stop=12.0))
    ends = [e for _, e in world.actor_events() if type(e) is RestructuringEnded]
    assert ends == [RestructuringEnded("completed", "consent_and_approvals")]
    assert state.restructuring_time == 4.0


@pytest.mark.parametrize(
    ("deal_at", "deadline", "misses"),
    [
        (2.0, 10.0, 0),  # completed at 4, before the deadline: no miss
        (2.0, 3.5, 1),  # consent at 2, approval at 4: half a month late
        (12.0, 10.0, 1),  # completed at 12, after the deadline: one miss, at 10
        (None, 10.0, 1),  # never completed: one miss
    ],
)
def test_the_funding_deadline_records_one_miss_only_without_completion(
    deal_at: float | None, deadline: float, misses: int
) -> None:
    world = ScriptedWorld()
    if deal_at is not None:
        world.at(deal_at, deal())
    funding = FundingCondition("softbank", 20.0, deadline)
    state = run(world, actor(("de", 3.0, APPROVES), funding=funding))
    missed = [(t, e) for t, e in world.actor_events() if type(e) is FundingConditionMissed]
    ended = [t for t, e in world.actor_events() if type(e) is RestructuringEnded]
    assert missed == [(deadline, FundingConditionMissed("softbank", 20.0))] * misses
    assert state.funding_lost_bn == 20.0 * misses
    if deal_at is not None:
        assert ended == [max(deal_at, 4.0)]


def test_history_and_other_parties_do_not_consent_or_refuse() -> None:
    world = ScriptedWorld()
    world.at(2.0, deal("2019-initial", review=False))  # history: no negotiated terms
    world.at(3.0, ContractSigned("other", (OAI, "oracle"), (), True, EMPTY_OUTCOME))
    world.at(4.0, walk_away(OAI))  # OpenAI walking away refuses nothing
    world.at(5.0, NegotiationEnded("deadline", (MS, OAI), None))
    state = run(world, actor(("de", 3.0, APPROVES)))
    kinds = [type(e) for _, e in world.actor_events()]
    assert ConsentGiven not in kinds and ConsentRefused not in kinds
    assert state.restructuring == "approved" and state.restructuring_time is None


def test_a_deal_before_the_proposal_is_not_a_consent() -> None:
    world = ScriptedWorld()
    world.at(0.5, deal())
    state = run(world, actor(("de", 3.0, APPROVES), proposed=1.0))
    assert state.restructuring == "approved" and state.restructuring_consent == "none"


def test_a_consent_once_given_stands_after_a_later_walk_away() -> None:
    world = ScriptedWorld()
    world.at(2.0, deal())
    world.at(3.0, walk_away())
    state = run(world, actor(("de", 6.0, APPROVES)))
    assert ConsentRefused not in [type(e) for _, e in world.actor_events()]
    assert state.restructuring == "completed" and state.restructuring_time == 7.0


def test_the_ruling_is_a_pure_function_of_two_draws() -> None:
    reviewer = Reviewer("de", 6.0, 0.8, 0.5)
    assert reviewer.ruling(0.79, 0.49) == "approved_with_conditions"
    assert reviewer.ruling(0.79, 0.5) == "approved"
    assert reviewer.ruling(0.8, 0.0) == "blocked"
    assert Reviewer("x", 1.0, 1.0).ruling(0.999, 0.0) == "approved"  # no conditions by default


def test_rulings_draw_from_the_actors_stream_only() -> None:
    """Same stream, same rulings; another stream, other rulings at some seed."""

    def rulings(seed: int) -> list[str]:
        world = ScriptedWorld()
        restructuring = actor(("de", 3.0, 0.5), ("ca", 5.0, 0.5))
        restructuring.rng = np.random.default_rng(seed)
        restructuring.reviewers = tuple(
            Reviewer(r.key, r.review_months, r.approval_probability, 0.5)
            for r in restructuring.reviewers
        )
        run(world, restructuring)
        return [e.outcome for _, e in world.actor_events() if type(e) is RestructuringReviewed]

    assert all(rulings(seed) == rulings(seed) for seed in range(5))
    assert len({tuple(rulings(seed)) for seed in range(20)}) > 1


def test_without_reviewers_the_consent_alone_completes_it() -> None:
    world = ScriptedWorld()
    world.at(3.0, deal())
    state = run(world, actor())
    assert state.restructuring == "completed" and state.restructuring_time == 3.0


@settings(max_examples=150, deadline=None)
@given(
    deals=st.lists(st.floats(0.0, 30.0), max_size=3),
    walk_aways=st.lists(st.floats(0.0, 30.0), max_size=3),
    reviews=st.lists(st.tuples(st.floats(0.1, 25.0), st.sampled_from((0.0, 0.5, 1.0))), max_size=3),
    long_stop=st.none() | st.floats(1.5, 35.0),
    deadline=st.floats(0.0, 35.0),
    seed=st.integers(0, 2**32 - 1),
)
def test_every_script_ends_at_most_once_and_misses_funding_exactly_when_late(
    deals: list[float],
    walk_aways: list[float],
    reviews: list[tuple[float, float]],
    long_stop: float | None,
    deadline: float,
    seed: int,
) -> None:
    world = ScriptedWorld()
    for index, t in enumerate(deals):
        world.at(t, deal(f"extension-{index + 1}"))
    for t in walk_aways:
        world.at(t, walk_away())
    restructuring = actor(
        *((f"r{i}", months, p) for i, (months, p) in enumerate(reviews)),
        long_stop=long_stop,
        funding=FundingCondition("softbank", 20.0, deadline),
    )
    restructuring.rng = np.random.default_rng(seed)
    state = run(world, restructuring, until=40.0)
    events = world.actor_events()
    ends = [(t, e) for t, e in events if type(e) is RestructuringEnded]
    missed = [t for t, e in events if type(e) is FundingConditionMissed]
    assert len(ends) <= 1
    in_time = bool(ends) and ends[0][1].outcome == "completed" and ends[0][0] < deadline
    if not (ends and ends[0][0] == deadline):  # at a tie, SimPy's (fixed) order decides
        assert missed == ([] if in_time else [deadline])
    assert missed in ([], [deadline])
    if ends:
        end_t, end = ends[0]
        after = [e for t, e in events if t >= end_t and type(e) not in (FundingConditionMissed,)]
        assert after[-1] == end  # nothing of the restructuring after its end
        assert state.restructuring == end.outcome and state.restructuring_time == end_t
        if end.outcome == "completed":
            assert state.restructuring_consent == "given"
            assert all(o != "open" and o != "blocked" for _, o in state.restructuring_reviews)
        if end.reason == "long_stop":
            assert end_t == long_stop
    else:
        assert state.restructuring in ("proposed", "consented", "approved")
    # The actor's own bookkeeping and the fold of its log agree.
    pending = state.restructuring in ("proposed", "consented", "approved")
    assert restructuring.status == ("pending" if pending else state.restructuring)
    assert restructuring.consent == (state.restructuring_consent == "given")
    assert len([e for _, e in events if type(e) is ConsentGiven]) <= 1
