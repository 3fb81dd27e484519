from __future__ import annotations

import itertools
import pickle

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from agents.outcome_space import Issue, OutcomeSpace


@pytest.fixture
def space() -> OutcomeSpace:
    return OutcomeSpace(
        [
            Issue("term_end", (2030, 2032, 2035)),
            Issue("cloud", ("exclusive", "rofr", "open")),
            Issue("post_agi_access", (True, False)),
        ]
    )


def test_enumerates_in_product_order_first_issue_slowest(space: OutcomeSpace) -> None:
    expected = list(itertools.product(*(issue.values for issue in space.issues)))
    assert space.size == 18
    assert [space.outcome(i) for i in range(space.size)] == expected
    assert space.outcome(0) == (2030, "exclusive", True)
    assert space.outcome(1) == (2030, "exclusive", False)
    assert space.outcome(17) == (2035, "open", False)


def test_index_inverts_outcome(space: OutcomeSpace) -> None:
    assert space.index((2032, "rofr", False)) == 1 * 6 + 1 * 2 + 1
    assert all(space.index(space.outcome(i)) == i for i in range(space.size))


def test_as_dict_names_issues_in_order(space: OutcomeSpace) -> None:
    assert space.as_dict(3) == {"term_end": 2030, "cloud": "rofr", "post_agi_access": False}
    assert list(space.as_dict(3)) == ["term_end", "cloud", "post_agi_access"]


def test_value_indices_are_positions_in_issue_values(space: OutcomeSpace) -> None:
    vi = space.value_indices
    assert vi.shape == (18, 3)
    assert np.issubdtype(vi.dtype, np.integer)
    for i in range(space.size):
        outcome = space.outcome(i)
        assert [issue.values[j] for issue, j in zip(space.issues, vi[i], strict=True)] == list(
            outcome
        )
    with pytest.raises(ValueError):
        vi[0, 0] = 1  # read-only


def test_out_of_range_index_and_unknown_values_are_errors(space: OutcomeSpace) -> None:
    with pytest.raises(IndexError, match="out of range"):
        space.outcome(18)
    with pytest.raises(IndexError):
        space.as_dict(-1)
    with pytest.raises(ValueError, match="'cloud' has no value 'azure'"):
        space.index((2030, "azure", True))
    with pytest.raises(ValueError, match="one per issue"):
        space.index((2030, "open"))


def test_picklable_and_equal_by_issues(space: OutcomeSpace) -> None:
    clone = pickle.loads(pickle.dumps(space))
    assert clone == space
    assert hash(clone) == hash(space)
    assert np.array_equal(clone.value_indices, space.value_indices)
    assert clone.index((2035, "open", False)) == 17


def test_five_thousand_outcomes_build_quickly() -> None:
    big = OutcomeSpace([Issue(f"i{k}", tuple(range(n))) for k, n in enumerate((10, 10, 10, 5))])
    assert big.size == 5000
    assert big.value_indices.shape == (5000, 4)
    assert big.outcome(4999) == (9, 9, 9, 4)


@pytest.mark.parametrize(
    ("issue_args", "message"),
    [
        (("", (1, 2)), "non-empty string"),
        (("x", ()), "'x' must have at least one value"),
        (("x", (1, 2, 1)), "'x': duplicate value 1"),
        (("x", (1, None)), "'x': values must be bool, int, float or str"),
        (("x", (1, True)), "duplicate value True"),
    ],
)
def test_issue_validation(issue_args: tuple[str, tuple[object, ...]], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        Issue(*issue_args)  # type: ignore[arg-type]


def test_space_validation() -> None:
    with pytest.raises(ValueError, match="at least one issue"):
        OutcomeSpace([])
    with pytest.raises(ValueError, match="duplicate issue name 'a'"):
        OutcomeSpace([Issue("a", (1,)), Issue("a", (2,))])


issue_values = st.one_of(
    st.lists(st.integers(-50, 50), min_size=1, max_size=4, unique=True),
    st.lists(st.text("abc", min_size=1, max_size=3), min_size=1, max_size=4, unique=True),
)


@given(st.lists(issue_values, min_size=1, max_size=4))
def test_round_trip_index_outcome(values: list[list[object]]) -> None:
    space = OutcomeSpace([Issue(f"i{k}", tuple(v)) for k, v in enumerate(values)])  # type: ignore[arg-type]
    expected = list(itertools.product(*values))
    assert space.size == len(expected)
    for i, outcome in enumerate(expected):
        assert space.outcome(i) == outcome
        assert space.index(outcome) == i
