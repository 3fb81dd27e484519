from __future__ import annotations

import pickle

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from agents.outcome_space import Issue, OutcomeSpace
from agents.utility import LinearAdditiveUtility, RampError, value_table
from events.terms import Outcome

PRICE = Issue("price", (100, 200, 300))
SPEED = Issue("speed", ("slow", "fast"))
SPACE = OutcomeSpace([PRICE, SPEED])


@pytest.fixture
def seller() -> LinearAdditiveUtility:
    return LinearAdditiveUtility(
        weights={"price": 0.6, "speed": 0.4},
        value_tables={
            "price": {100: 0.0, 200: 0.5, 300: 1.0},
            "speed": {"slow": 0.2, "fast": 1.0},
        },
        reservation=0.25,
        discount=0.9,
    )


def test_evaluate_matches_hand_computation(seller: LinearAdditiveUtility) -> None:
    # outcomes: (100,slow) (100,fast) (200,slow) (200,fast) (300,slow) (300,fast)
    hand = [0.6 * 0 + 0.4 * 0.2, 0.4, 0.3 + 0.08, 0.3 + 0.4, 0.6 + 0.08, 1.0]
    u = seller.evaluate(SPACE)
    assert u.dtype == np.float64
    assert u.shape == (6,)
    np.testing.assert_allclose(u, hand, rtol=0, atol=1e-12)


def test_of_single_outcome_dict_and_terms(seller: LinearAdditiveUtility) -> None:
    assert seller.of({"price": 200, "speed": "fast"}) == pytest.approx(0.7)
    space = OutcomeSpace(
        [
            Issue("term_end", (2030, 2032)),
            Issue("post_agi_access", (False, True)),
            Issue("ip_scope", ("none", "models", "models_and_infra")),
            Issue("revenue_share", (0.1, 0.2)),
            Issue("cloud", ("exclusive", "rofr", "open")),
            Issue("equity", (0.27, 0.49)),
            Issue("investment_bn", (0.0, 10.0)),
        ]
    )
    microsoft = LinearAdditiveUtility.build(
        space,
        {
            "term_end": 0.2,
            "post_agi_access": 0.3,
            "ip_scope": 0.1,
            "revenue_share": 0.1,
            "cloud": 0.1,
            "equity": 0.1,
            "investment_bn": 0.1,
        },
        {
            "term_end": "increasing",
            "post_agi_access": "increasing-by-rank",
            "ip_scope": "increasing-by-rank",
            "revenue_share": "increasing",
            "cloud": "decreasing-by-rank",
            "equity": "increasing",
            "investment_bn": "decreasing",
        },
    )
    terms = Outcome(
        (
            ("term_end", 2032),
            ("post_agi_access", True),
            ("ip_scope", "models"),
            ("revenue_share", 0.2),
            ("cloud", "rofr"),
            ("equity", 0.27),
            ("investment_bn", 0.0),
        )
    )
    # equity 0.27 of at most 0.49 scores 0.27 / 0.49 (value / largest value).
    expected = 0.2 * 1 + 0.3 * 1 + 0.1 * 0.5 + 0.1 * 1 + 0.1 * 0.5 + 0.1 * (0.27 / 0.49) + 0.1 * 1
    assert microsoft.of(terms) == pytest.approx(expected)
    index = space.index(tuple(terms.get(name) for name in space.issue_names))
    assert microsoft.evaluate(space)[index] == pytest.approx(expected)


def test_discounted(seller: LinearAdditiveUtility) -> None:
    assert seller.discounted(0.5, 0) == 0.5
    assert seller.discounted(0.5, 2) == pytest.approx(0.5 * 0.81)
    np.testing.assert_allclose(seller.discounted(np.array([1.0, 0.5]), 1), [0.9, 0.45])
    with pytest.raises(ValueError, match="elapsed"):
        seller.discounted(0.5, -1)


def test_value_table_shapes() -> None:
    # NegMAS-style ramps: value / largest value, and one minus that.
    assert value_table(PRICE, "increasing") == {100: 1 / 3, 200: 2 / 3, 300: 1.0}
    assert value_table(PRICE, "decreasing") == {100: 1 - 1 / 3, 200: 1 - 2 / 3, 300: 0.0}
    assert value_table(Issue("q", (0, 5, 10)), "increasing") == {0: 0.0, 5: 0.5, 10: 1.0}
    assert value_table(Issue("q", (10, 0, 5)), "decreasing") == {10: 0.0, 0: 1.0, 5: 0.5}
    assert value_table(Issue("q", (0.0, 0.25)), "increasing") == {0.0: 0.0, 0.25: 1.0}
    # Ramps by rank: equal steps along the listed order, whatever the values.
    assert value_table(PRICE, "increasing-by-rank") == {100: 0.0, 200: 0.5, 300: 1.0}
    assert value_table(PRICE, "decreasing-by-rank") == {100: 1.0, 200: 0.5, 300: 0.0}
    assert value_table(SPEED, "decreasing-by-rank") == {"slow": 1.0, "fast": 0.0}
    single = Issue("only", ("x",))
    assert value_table(single, "increasing-by-rank") == {"x": 1.0}
    assert value_table(single, "decreasing-by-rank") == {"x": 1.0}
    assert value_table(Issue("one", (4,)), "increasing") == {4: 1.0}
    assert value_table(Issue("one", (4,)), "decreasing") == {4: 0.0}
    assert value_table(SPEED, {"fast": 1, "slow": 0.25}) == {"slow": 0.25, "fast": 1.0}


@pytest.mark.parametrize(
    ("values", "shown"),
    [
        (("slow", "fast"), "'slow' (a string)"),
        ((False, True), "False (a boolean)"),
        ((-1, 0, 1), "-1 (below 0)"),
        ((0,), "0 as its largest value"),
        ((0.0, float("inf")), "inf (not a finite number)"),
    ],
)
@pytest.mark.parametrize("direction", ["increasing", "decreasing"])
def test_proportional_ramps_need_numbers_at_least_zero_with_a_positive_largest(
    values: tuple[object, ...], shown: str, direction: str
) -> None:
    with pytest.raises(RampError) as info:
        value_table(Issue("x", values), direction)  # type: ignore[arg-type]
    assert str(info.value) == (
        f"issue 'x': '{direction}' scores value / largest value, so it needs numbers >= 0 "
        f"with a largest > 0 (or use '{direction}-by-rank' or a table); the issue has {shown}"
    )


@given(
    values=st.lists(
        st.one_of(st.integers(0, 10**6), st.floats(0, 1e9, allow_nan=False)),
        min_size=1,
        max_size=12,
        unique_by=float,
    ).filter(lambda vs: max(vs) > 0)
)
def test_proportional_ramps_are_in_unit_interval_and_follow_the_values(
    values: list[float],
) -> None:
    issue = Issue("x", tuple(values))
    up = value_table(issue, "increasing")
    down = value_table(issue, "decreasing")
    largest = max(values)
    for v in values:
        assert 0.0 <= up[v] <= 1.0 and 0.0 <= down[v] <= 1.0
        assert up[v] == v / largest
        assert down[v] == 1 - v / largest
    assert up[largest] == 1.0 and down[largest] == 0.0
    for a in values:
        for b in values:
            if a < b:
                assert up[a] <= up[b] and down[a] >= down[b]


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        (
            "upward",
            "'speed': value table must be one of increasing, decreasing, "
            "increasing-by-rank, decreasing-by-rank",
        ),
        ({"slow": 0.1}, "'speed': value table has no utility for 'fast'"),
        ({"slow": 0.1, "fast": 1, "warp": 1}, "'speed': .*does not have: 'warp'"),
        ({"slow": 1.5, "fast": 1}, r"'speed': utility of value 'slow' must be in \[0, 1\]"),
        ({"slow": "high", "fast": 1}, "'speed': utility of value 'slow' must be a number"),
        (3, "'speed': value table must be"),
    ],
)
def test_value_table_errors_name_the_issue(spec: object, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        value_table(SPEED, spec)  # type: ignore[arg-type]


TABLES = {"price": {100: 0.0, 200: 0.5, 300: 1.0}, "speed": {"slow": 0.0, "fast": 1.0}}


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"weights": {"price": 0.6, "speed": 0.5}}, "weights must sum to 1"),
        ({"weights": {"price": 1.2, "speed": -0.2}}, "weight of issue 'speed' must be finite"),
        ({"weights": {"price": "a", "speed": 0.5}}, "weight of issue 'price' must be a number"),
        ({"weights": {}}, "non-empty"),
        ({"weights": {"price": 0.5, "speed": 0.25, "colour": 0.25}}, "'colour' has a weight"),
        (
            {"value_tables": {"price": TABLES["price"], "speed": {"slow": 0.0, "fast": 1.1}}},
            r"issue 'speed': utility of value 'fast' must be in \[0, 1\]",
        ),
        ({"value_tables": {"price": TABLES["price"]}}, "'speed' has a weight but no value table"),
        ({"reservation": 1.5}, r"reservation must be in \[0, 1\]"),
        ({"discount": 0.0}, r"discount must be in \(0, 1\]"),
        ({"discount": 1.01}, "discount"),
    ],
)
def test_validation_errors(kwargs: dict[str, object], message: str) -> None:
    base: dict[str, object] = {"weights": {"price": 0.5, "speed": 0.5}, "value_tables": TABLES}
    base.update(kwargs)
    with pytest.raises(ValueError, match=message):
        LinearAdditiveUtility(**base)  # type: ignore[arg-type]


def test_weights_sum_within_tolerance_is_accepted() -> None:
    u = LinearAdditiveUtility(weights={"price": 0.5 + 5e-7, "speed": 0.5}, value_tables=TABLES)
    assert u.evaluate(SPACE).max() <= 1.0 + 1e-6


def test_evaluate_and_of_report_mismatches(seller: LinearAdditiveUtility) -> None:
    other = OutcomeSpace([PRICE, Issue("colour", ("red",))])
    with pytest.raises(ValueError, match="do not match the outcome space"):
        seller.evaluate(other)
    wider = OutcomeSpace([Issue("price", (100, 200, 300, 400)), SPEED])
    with pytest.raises(ValueError, match="'price': value table has no utility for 400"):
        seller.evaluate(wider)
    with pytest.raises(ValueError, match="issue 'speed'"):
        seller.of({"price": 100})
    with pytest.raises(ValueError, match="issue 'price'"):
        seller.of({"price": 150, "speed": "slow"})


def test_build_checks_issue_names() -> None:
    with pytest.raises(ValueError, match="'colour' is not in the outcome space"):
        LinearAdditiveUtility.build(
            SPACE, {"price": 1.0, "speed": 0.0}, {"price": "increasing", "colour": "increasing"}
        )
    with pytest.raises(ValueError, match="'speed' has no value table"):
        LinearAdditiveUtility.build(SPACE, {"price": 1.0, "speed": 0.0}, {"price": "increasing"})


def test_pickle_and_equality(seller: LinearAdditiveUtility) -> None:
    clone = pickle.loads(pickle.dumps(seller))
    assert clone == seller
    np.testing.assert_array_equal(clone.evaluate(SPACE), seller.evaluate(SPACE))


@given(
    st.lists(st.floats(0.01, 1.0), min_size=2, max_size=2),
    st.lists(st.floats(0.0, 1.0), min_size=5, max_size=5),
)
def test_evaluate_agrees_with_of(raw_weights: list[float], table_values: list[float]) -> None:
    total = sum(raw_weights)
    weights = {"price": raw_weights[0] / total, "speed": 1.0 - raw_weights[0] / total}
    utility = LinearAdditiveUtility(
        weights=weights,
        value_tables={
            "price": dict(zip(PRICE.values, table_values[:3], strict=True)),
            "speed": dict(zip(SPEED.values, table_values[3:], strict=True)),
        },
    )
    u = utility.evaluate(SPACE)
    for i in range(SPACE.size):
        assert u[i] == pytest.approx(utility.of(SPACE.as_dict(i)), abs=1e-12)
        assert -1e-12 <= u[i] <= 1 + 1e-9
