"""The negotiators' fast constructors make exactly the event the checked one makes,
for the values they are given (checked values: party keys, outcomes, counts)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from events import codec
from events.model import OfferMade, OfferRejected
from events.terms import Outcome
from tests.strategies import outcomes

keys = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"),
    min_size=1,
    max_size=12,
)
counts = st.integers(min_value=0, max_value=2**40)


@given(keys, keys, outcomes(), st.none() | counts, counts)
def test_an_offer_made_fast_equals_the_checked_one_and_encodes_alike(
    sender: str, receiver: str, terms: Outcome, reply_to: int | None, step: int
) -> None:
    fast = OfferMade.checked_by_caller(sender, receiver, terms, reply_to, step)
    checked = OfferMade(sender, receiver, terms, reply_to, step)
    assert fast == checked
    assert codec.encode_line(7, 1.5, fast, "0" * 64) == codec.encode_line(7, 1.5, checked, "0" * 64)


@given(keys, keys, counts)
def test_a_rejection_made_fast_equals_the_checked_one(
    sender: str, receiver: str, offer_seq: int
) -> None:
    fast = OfferRejected.checked_by_caller(sender, receiver, offer_seq)
    checked = OfferRejected(sender, receiver, offer_seq)
    assert fast == checked
    assert codec.encode_line(7, 1.5, fast, "0" * 64) == codec.encode_line(7, 1.5, checked, "0" * 64)
