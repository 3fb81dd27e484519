"""The frequency opponent model: issue weights from how rarely an issue's value
changes, value preferences from how often a value is offered.

Sources: the HardHeaded frequency model (van Krimpen, Hendrikx & Hajizadeh,
"HardHeaded", in *Complex Automated Negotiations*, Springer 2013; Genius
``negotiator.boaframework.opponentmodel.HardHeadedFrequencyModel``, NegMAS
``GHardHeadedFrequencyModel``), the family Baarslag, Hendrikx, Hindriks & Jonker
found among the most accurate and cheapest ("Learning about the opponent in
automated bilateral negotiation: a comprehensive survey of opponent modeling
techniques", Autonomous Agents and Multi-Agent Systems 30, 2016; "Predicting the
performance of opponent models in automated negotiation", IAT 2013).

The rules, for an outcome space with ``k`` issues:

- issue weights start equal (``1 / k``). After each opponent offer but the first,
  every issue whose value did not change since its previous offer gains
  ``learning_rate / k``, and the weights are renormalised to sum to 1 (an opponent
  keeps what matters to it and moves on what does not);
- every value starts with a count of 1; each offer adds ``value_addition`` to the
  count of each value it contains;
- the estimated utility of an outcome is ``sum_i w_i * c_i(v_i) / max_v c_i(v)``: a
  weighted sum of each value's count relative to that issue's most offered value.

Before any offer every outcome is worth the same (1.0). Counts are floats; the
estimate is exact for the same offers in any process (no randomness).
"""

from __future__ import annotations

from typing import ClassVar

import attrs
import numpy as np

from agents.boa.opponent_model import issue_table, table_columns, table_facts
from agents.strategies._params import check_real
from agents.strategies.base import NegotiationView

# Up to this many outcomes, ``utilities_of`` scores in Python floats rather than arrays.
_FEW_OUTCOMES = 32


def _learning_rate(value: object) -> float:
    return check_real(value, "learning_rate", low=0.0)


def _value_addition(value: object) -> float:
    return check_real(value, "value_addition", low=0.0, low_open=True)


@attrs.frozen(kw_only=True)
class FrequencyModel:
    """HardHeaded-style frequency model (see module docs)."""

    name: ClassVar[str] = "frequency"

    learning_rate: float = attrs.field(default=0.2, converter=_learning_rate)
    value_addition: float = attrs.field(default=1.0, converter=_value_addition)

    def start(self, view: NegotiationView) -> FrequencyEstimate:
        return FrequencyEstimate(self, issue_table(view))


class FrequencyEstimate:
    """What a ``FrequencyModel`` has learned in one negotiation."""

    __slots__ = (
        "_cache",
        "_last",
        "_lists",
        "_table",
        "_values",
        "counts",
        "memo",
        "model",
        "seen",
        "weights",
    )

    def __init__(self, model: FrequencyModel, table: np.ndarray) -> None:
        self.model = model
        self._table = table
        n_issues = table.shape[1]
        sizes = table_facts(table).sizes  # made once per table, not per negotiation
        self.weights = np.full(n_issues, 1.0 / n_issues)
        # Per issue, the count of each value as Python floats: a turn adds to one
        # count per issue, and float arithmetic on a handful of values is cheaper
        # in Python than through numpy (the same IEEE additions and divisions).
        self.counts = [[1.0] * size for size in sizes]
        self.seen = 0
        self._last: list[int] | None = None
        self._cache: np.ndarray | None = None
        self._values: list[np.ndarray | None] = [None] * n_issues
        self._lists: list[list[float] | None] = [None] * n_issues
        self.memo: object = None

    def update(self, offers: list[int]) -> None:
        if self.seen >= len(offers):
            return
        model = self.model
        gain = model.learning_rate / self.weights.shape[0]
        addition = model.value_addition
        table = self._table
        counts = self.counts
        for index in offers[self.seen :]:
            row = table[index].tolist()
            for issue, position in enumerate(row):
                counts[issue][position] += addition
            last = self._last
            if last is not None and gain > 0.0:
                unchanged = [a == b for a, b in zip(row, last, strict=True)]
                if any(unchanged):
                    self.weights = self.weights + gain * np.array(unchanged)
                    self.weights /= self.weights.sum()
            self._last = row
        self.seen = len(offers)
        self._cache = None
        self._values = [None] * len(counts)
        self._lists = [None] * len(counts)

    def issue_weights(self) -> np.ndarray:
        return self.weights

    def value_utilities(self, issue: int) -> np.ndarray:
        """Estimated utility of each value of ``issue`` (its count over the largest);
        made when first asked for after an update."""
        values = self._values[issue]
        if values is None:
            values = np.array(self.value_utility_list(issue))
            values.flags.writeable = False
            self._values[issue] = values
        return values

    def value_utility_list(self, issue: int) -> list[float]:
        """``value_utilities(issue)`` as Python floats (the same IEEE divisions)."""
        values = self._lists[issue]
        if values is None:
            counts = self.counts[issue]
            top = max(counts)
            values = self._lists[issue] = [count / top for count in counts]
        return values

    def utilities(self) -> np.ndarray:
        if self._cache is None:
            columns = table_columns(self._table)  # contiguous: a faster gather
            total = np.zeros(self._table.shape[0])
            for issue, weight in enumerate(self.weights.tolist()):
                total += weight * self.value_utilities(issue)[columns[issue]]
            total.flags.writeable = False
            self._cache = total
        return self._cache

    def utilities_of(self, outcomes: np.ndarray) -> np.ndarray:
        """``utilities()[outcomes]``, computed for those outcomes only when the whole
        array is not made yet: bidding scores a few hundred candidates of thousands of
        bundles, and a turn's estimate is new after every opponent offer. Each value
        is the same sum of the same products in the same order, so equal bit for bit."""
        n = outcomes.shape[0]
        if self._cache is not None or 4 * n >= self._table.shape[0]:
            whole: np.ndarray = self.utilities()[outcomes]
            return whole
        weights = self.weights.tolist()
        if n <= _FEW_OUTCOMES:
            # A handful (the usual case once concessions are kept): Python floats,
            # the same products added in the same order as the arrays below.
            lists = [self.value_utility_list(issue) for issue in range(len(weights))]
            scores = []
            for row in self._table[outcomes].tolist():
                score = 0.0
                for weight, values, position in zip(weights, lists, row, strict=True):
                    score += weight * values[position]
                scores.append(score)
            return np.array(scores, dtype=np.float64)
        columns = table_columns(self._table)
        total = np.zeros(outcomes.shape[0])
        for issue, weight in enumerate(weights):
            total += weight * self.value_utilities(issue)[columns[issue][outcomes]]
        return total
