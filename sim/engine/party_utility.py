"""A party's utility function, built from its scenario spec (one place for both the
engine, which hands it to the party, and the summaries, which score outcomes)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from agents.utility import LinearAdditiveUtility

if TYPE_CHECKING:
    from sim.scenario.schema import PartySpec


def utility_for(spec: PartySpec) -> LinearAdditiveUtility:
    """The resolved party's linear additive utility (reservation and discount included)."""
    return LinearAdditiveUtility(
        weights=dict(spec.weights),
        value_tables={name: dict(table) for name, table in spec.value_tables},
        reservation=float(spec.reservation),  # type: ignore[arg-type]
        discount=float(spec.discount),  # type: ignore[arg-type]
    )
