"""Input checks shared by tournaments and tuning: one-line errors that list the valid
choices (the strategy registry's own messages, raised as ``InputError``)."""

from __future__ import annotations

from collections.abc import Iterable

from agents.strategies import parameter_names
from events.errors import InputError
from sim.run.summary import summary_columns
from sim.scenario import Scenario


def check_strategy(name: str, where: str = "") -> str:
    """``name`` if it is a registered strategy, else an InputError listing them all."""
    try:
        parameter_names(name)
    except ValueError as exc:
        raise InputError(f"{where}{exc}") from None
    return name


def strategy_list(names: Iterable[str] | str, where: str = "strategies: ") -> tuple[str, ...]:
    """A comma-separated string or a list of names -> checked, without duplicates."""
    if isinstance(names, str):
        names = names.split(",")
    out: list[str] = []
    for raw in names:
        name = raw.strip()
        if not name:
            continue
        check_strategy(name, where)
        if name in out:
            raise InputError(f"{where}strategy {name!r} is given twice")
        out.append(name)
    if not out:
        raise InputError(f"{where}expected at least one strategy name")
    return tuple(out)


def check_party(scenario: Scenario, party: str) -> tuple[str, str]:
    """``(party, opponent)`` for one of the scenario's two negotiating parties."""
    parties = scenario.negotiation.parties
    if party not in parties:
        raise InputError(
            f"party: scenario {scenario.name!r} has no negotiating party {party!r}; "
            f"valid: {', '.join(parties)}"
        )
    return party, parties[1] if party == parties[0] else parties[0]


def numeric_columns(scenario: Scenario) -> tuple[str, ...]:
    """Summary and derived columns an objective may name (numbers and booleans)."""
    from sim.lab.derived import DERIVED_COLUMNS

    numeric = tuple(name for name, kind in summary_columns(scenario) if kind in ("INTEGER", "REAL"))
    return (*numeric, *DERIVED_COLUMNS)


def check_objective(scenario: Scenario, objective: str) -> str:
    valid = numeric_columns(scenario)
    if objective not in valid:
        raise InputError(
            f"objective: {objective!r} is not a numeric summary column of "
            f"{scenario.name!r}; valid: {', '.join(valid)}"
        )
    return objective


__all__ = ["check_objective", "check_party", "check_strategy", "numeric_columns", "strategy_list"]
