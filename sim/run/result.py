"""What one simulation gives back: the log, its records, and derived views of them."""

from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING, Any

import attrs

from events.codec import Recorded
from events.replay import AroundAgi, around_agi, fold
from events.state import ContractState

if TYPE_CHECKING:
    from sim.scenario import Scenario


@attrs.define
class RunResult:
    """A finished run. Every state here is derived from ``records`` by the shared fold."""

    scenario: Scenario
    seed: str
    drawn: dict[str, Any]
    records: list[Recorded]
    log: Any  # the sink the log was written to (MemoryLog by default)
    digest: str
    live_final: ContractState | None = None  # the engine's running fold at the end

    @cached_property
    def final(self) -> ContractState:
        return fold(self.records)

    @cached_property
    def around_agi(self) -> AroundAgi | None:
        """Before AGI, and once it took effect (after verification where a clause waits)."""
        return around_agi(self.records)

    @property
    def before_agi(self) -> ContractState | None:
        return self.around_agi.before if self.around_agi else None

    @property
    def after_agi(self) -> ContractState | None:
        return self.around_agi.after if self.around_agi else None

    def log_bytes(self) -> bytes:
        """The JSONL bytes (only for in-memory logs)."""
        return self.log.to_bytes()  # type: ignore[no-any-return]

    @cached_property
    def summary(self) -> dict[str, Any]:
        from sim.run.summary import summarize

        return summarize(self.records, self.scenario)
