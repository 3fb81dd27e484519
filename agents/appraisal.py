"""A party that reads the world before every turn: its valuation and its walk-away value.

The engine gives a negotiator an ``Appraiser`` when the scenario's valuation is
``"world"``. Before each turn it reads what the log implies now (the AGI times, the
contract in force) and

- swaps in the party's utilities of the moment (``WorldValuation``: rights weighed
  by how long they are expected to hold) whenever the quarter or the AGI news changed;
- sets the party's reservation value to the best of its alternatives: its own floor
  (``base``), the contract in force if nobody signs anything (the *status quo*,
  valued as any bundle is, so that it loses value as its rights near their lapse),
  and its outside options (``outside``, if the world gives it any).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

import attrs

from agents.strategies.base import NegotiationView
from agents.valuation import WorldValuation


@attrs.frozen(slots=True)
class WorldFacts:
    """What a party reads of the world before a turn: when AGI was declared and
    verified (None: not yet), and the bundle the contract in force amounts to (an
    outcome index; None when no contract is in force, or it is none of the bundles)."""

    declared_at: float | None
    verified_at: float | None
    status_quo: int | None


@attrs.define(slots=True)
class Appraiser:
    """One party's reader of the world (module doc); a fork may move its floor."""

    SETTINGS: ClassVar[frozenset[str]] = frozenset(("base",))

    valuation: WorldValuation
    base: float
    read: Callable[[], WorldFacts]
    outside: Callable[[float], float] | None = None
    _epoch: tuple[float, float, float] | None = None

    def update(self, view: NegotiationView, now: float) -> None:
        """Bring ``view``'s utilities and reservation up to the world at ``now``."""
        facts = self.read()
        valuation = self.valuation
        epoch = valuation.epoch(now, facts.declared_at, facts.verified_at)
        if epoch != self._epoch:
            utilities, ranking = valuation.ranked(now, facts.declared_at, facts.verified_at)
            view.revalue(utilities, ranking)
            self._epoch = epoch
        reservation = self.base
        if facts.status_quo is not None:
            reservation = max(reservation, view.utility_list[facts.status_quo])
        if self.outside is not None:
            reservation = max(reservation, self.outside(now))
        view.reservation = min(1.0, reservation)


__all__ = ["Appraiser", "WorldFacts"]
