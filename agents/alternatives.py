"""Each side's best alternative to a new deal (its walk-away value), read from the state.

``Alternatives.value(party, state, t)`` is a pure function of the contract state and
the time, in utility units in [0, 1]: what the party gets if the talks fail, on the
scale of its utility for a deal. Negotiators compare offers with it (their
reservation). Every constant is an assumption given in the scenario's
``[alternatives.<party>]`` table (ranges there and in docs/money.md), so Monte
Carlo batches can vary it.

OpenAI (FACTS.md: its cards were its outside compute and its funding)::

    value = floor
          + compute_weight * min(1, secured_bn / need_bn(t))
          + funding_weight * min(1, funding_bn / funding_scale_bn)

``secured_bn`` is the outside compute it has taken (``state.outside_compute_bn``: the
CoreWeave history, Stargate, Google, ...), ``need_bn(t)`` its compute need at ``t``
(``agents.compute_need``); ``funding_bn`` the USD it can raise (FACTS.md: SoftBank's
USD 40 bn round, cut to USD 20 bn without the conversion).

Microsoft (FACTS.md: its fallback was the contract in force to 2030; its hedges its
own models, MAI, and other labs' models in GitHub Copilot)::

    value = floor
          + contract_weight * [it holds license.models]
          + options_weight * (1 - prod_o (1 - option_o))

``option_o`` is the latest value of each of its outside options
(``state.outside_options["microsoft.<option>"]``, raised by ``OutsideOptionImproved``
events over time); the product treats them as substitutes (either may replace
OpenAI's models for a product). When its licence lapses (AGI declared, or the
contract ends) the contract term drops out and its alternative falls.

``floor`` plus the weights must not exceed 1, so a value always lies in [0, 1].

The state read is a ``Standing``: the three fields of the contract state an
alternative depends on. A ``ContractState`` is one; so is the engine's running fold
(``events.replay.Folder``), which answers them without taking a whole snapshot, the
cost that matters when a negotiator reads its alternative before every turn.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol

import attrs

from agents.compute_need import ComputeNeed


class Standing(Protocol):
    """What an alternative reads of the contract state (``ContractState``'s fields)."""

    @property
    def outside_compute_bn(self) -> float: ...

    @property
    def outside_options(self) -> Mapping[str, float]: ...

    def holds(self, right: str) -> bool: ...


_fraction = [attrs.validators.ge(0.0), attrs.validators.le(1.0)]


def _at_most_one(*parts: float) -> None:
    if sum(parts) > 1.0 + 1e-9:
        raise ValueError(f"floor + weights must be <= 1, got {sum(parts):g}")


@attrs.frozen(slots=True, kw_only=True)
class OpenAIAlternative:
    """OpenAI's walk-away value: outside compute against its need, and its funding."""

    floor: float = attrs.field(validator=_fraction)
    compute_weight: float = attrs.field(validator=_fraction)
    funding_weight: float = attrs.field(validator=_fraction)
    funding_bn: float = attrs.field(validator=attrs.validators.ge(0.0))
    funding_scale_bn: float = attrs.field(validator=attrs.validators.gt(0.0))

    def __attrs_post_init__(self) -> None:
        _at_most_one(self.floor, self.compute_weight, self.funding_weight)

    def value(self, need: ComputeNeed | None, state: Standing, t: float) -> float:
        secured = state.outside_compute_bn
        share = 1.0 if need is None else min(1.0, secured / need.need_bn(t))
        funding = min(1.0, self.funding_bn / self.funding_scale_bn)
        return self.floor + self.compute_weight * share + self.funding_weight * funding


@attrs.frozen(slots=True, kw_only=True)
class MicrosoftAlternative:
    """Microsoft's walk-away value: the contract in force, and its outside options."""

    floor: float = attrs.field(validator=_fraction)
    contract_weight: float = attrs.field(validator=_fraction)
    options_weight: float = attrs.field(validator=_fraction)
    party: str = "microsoft"

    def __attrs_post_init__(self) -> None:
        _at_most_one(self.floor, self.contract_weight, self.options_weight)

    def value(self, state: Standing) -> float:
        prefix = f"{self.party}."
        missing = 1.0
        for name, option in state.outside_options.items():
            if name.startswith(prefix):
                missing *= 1.0 - option
        contract = 1.0 if state.holds("license.models") else 0.0
        return self.floor + self.contract_weight * contract + self.options_weight * (1.0 - missing)


@attrs.frozen(slots=True, kw_only=True)
class Alternatives:
    """Both sides' alternatives to a new deal, built from the scenario (``sim.engine``)."""

    need: ComputeNeed | None = None
    openai: OpenAIAlternative | None = None
    microsoft: MicrosoftAlternative | None = None

    def parties(self) -> tuple[str, ...]:
        """The parties this object can value."""
        return tuple(
            key
            for key, spec in (("microsoft", self.microsoft), ("openai", self.openai))
            if spec is not None
        )

    def value(self, party: str, state: Standing, t: float) -> float:
        """``party``'s best alternative to a new deal at time ``t`` given ``state``, in
        [0, 1]. Pure and cheap (no allocation beyond a few floats)."""
        if party == "openai" and self.openai is not None:
            value = self.openai.value(self.need, state, t)
        elif party == "microsoft" and self.microsoft is not None:
            value = self.microsoft.value(state)
        else:
            raise KeyError(f"no alternative for party {party!r} (have: {self.parties()})")
        return min(1.0, max(0.0, value))
