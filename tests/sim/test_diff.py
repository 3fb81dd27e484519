"""``sim.whatif.diff``: first differing seq, fork relation, behaviour, contract states."""

from __future__ import annotations

from functools import lru_cache

import pytest

from events.errors import IntegrityError
from events.model import Forked, RunStarted
from sim.engine import simulate
from sim.scenario import load_scenario
from sim.whatif import fork
from sim.whatif.diff import describe, diff_logs


@lru_cache(maxsize=8)
def log(seed: int, name: str = "msft-openai") -> bytes:
    return simulate(load_scenario(name), seed).log_bytes()


def test_identical_logs() -> None:
    diff = diff_logs(log(1), log(1))
    assert diff.identical and diff.first_seq is None and diff.fork is None
    assert all(not d for d in diff.differences.values()) and diff.summary == {}
    assert diff.to_data()["identical"] is True


def test_a_fork_without_changes_differs_only_by_its_fork_record() -> None:
    child = fork(log(2), at=70)
    diff = diff_logs(log(2), child.log_bytes())
    assert diff.first_seq == 71
    assert type(diff.at_first.b.event) is Forked
    assert diff.behaviour is None
    assert all(not d for d in diff.differences.values())
    assert diff.summary == {}


def _first_offer(data: bytes) -> int:
    from events.model import OfferMade
    from events.verify import verify_bytes

    return next(r.seq for r in verify_bytes(data).records if type(r.event) is OfferMade)


def test_the_fork_relation_either_way_round() -> None:
    at = _first_offer(log(2)) + 2  # inside the talks, where a reservation matters
    child = fork(log(2), at=at, set=["parties.openai.reservation=0.7"]).log_bytes()
    forward, backward = diff_logs(log(2), child), diff_logs(child, log(2))
    assert forward.fork["child"] == "b" and backward.fork["child"] == "a"
    assert forward.fork["changes"] == {"parties.openai.reservation": 0.7}
    assert forward.first_seq == backward.first_seq == at + 1
    assert forward.behaviour is not None
    assert forward.behaviour.a.seq > at and forward.behaviour.b.seq > at + 1
    data = forward.to_data()
    assert data["first_behaviour_difference"]["a"]["seq"] == forward.behaviour.a.seq


def test_a_fork_of_a_fork_descends_from_both() -> None:
    first = fork(log(4), at=40, set=["regulators.cma.strictness=1.0"])
    at = len(first.records) - 5  # a later point of the first fork
    assert at > 41
    second = fork(first.log_bytes(), at=at, set=["regulators.eu.strictness=1.0"])
    diff = diff_logs(first.log_bytes(), second.log_bytes())
    assert diff.fork["at_seq"] == at and diff.first_seq == at + 1
    # Its first Forked record names the grandparent: it descends from it after seq 40.
    grand = diff_logs(log(4), second.log_bytes())
    assert grand.fork["at_seq"] == 40 and grand.first_seq == 41


def test_states_compare_each_runs_own_agi_moment() -> None:
    child = fork(log(5), at=3, set=["agi.at=2027-01-01"]).log_bytes()
    diff = diff_logs(log(5), child)
    before = diff.differences["before_agi"]
    assert "agi_time" not in before  # just before AGI it is not declared in either run
    assert "t" in before  # but "just before" is at another time
    after = diff.differences["after_agi"]
    assert after["agi_time"][1] == pytest.approx(96.0)
    assert diff.summary["agi_time"][1] == pytest.approx(96.0)


def test_step_counted_runs_diff_without_a_calendar() -> None:
    a = log(0, "bilateral-demo")
    b = fork(a, at=5, set=["parties.buyer.strategy=hardliner"]).log_bytes()
    diff = diff_logs(a, b)
    assert diff.start is None
    assert diff.states["before_agi"] == (None, None)
    assert diff.first_seq == 6


def test_unverifiable_logs_are_refused() -> None:
    bad = log(1).replace(b'"seq":3,', b'"seq":4,', 1)
    with pytest.raises(IntegrityError, match=r"^cannot diff: <b>: line 4"):
        diff_logs(log(1), bad)


def test_describe_shortens_long_events() -> None:
    first = diff_logs(log(1), log(2)).at_first
    assert type(first.a.event) is RunStarted
    text = describe(first.a, width=60)
    assert text.startswith("RunStarted {") and len(text) == 60
    assert describe(None).startswith("(no event")
