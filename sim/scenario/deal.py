"""The deal a negotiation can reach: clauses whose parameters are bound to issues.

A scenario's ``[negotiation.deal]`` lists clause templates. Any parameter may be a
literal or ``{ issue = "name" }`` (the agreed value of that issue); a template may
carry ``include = { issue = "name" }`` (a boolean issue) or ``include = { issue =
"name", in = [values] }``, and is then part of the deal only when the agreed value
says so. ``term_end`` may be bound the same way.

An agreement amends the contract in force: the deal *governs* every right any of its
templates could grant, so those are removed first and the bound clauses added; the
rest (and money already paid) carries forward. A generic scenario has no deal: its
agreements are plain issue values.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs

from events.clauses import Amendment, Clause, carried_forward, clause_from_data, is_year
from events.terms import IssueValue


@attrs.frozen(slots=True)
class IssueRef:
    """A parameter bound to the agreed value of ``issue``."""

    issue: str

    def to_data(self) -> dict[str, Any]:
        return {"issue": self.issue}


@attrs.frozen(slots=True)
class Include:
    """A clause is in the deal when ``issue``'s value is in ``values`` (None: the
    issue is boolean and must be true)."""

    issue: str
    values: tuple[IssueValue, ...] | None = None

    def admits(self, value: IssueValue) -> bool:
        if self.values is None:
            return value is True
        return any(
            value == v and isinstance(value, bool) == isinstance(v, bool) for v in self.values
        )

    def to_data(self) -> dict[str, Any]:
        data: dict[str, Any] = {"issue": self.issue}
        if self.values is not None:
            data["in"] = list(self.values)
        return dict(sorted(data.items()))


Param = IssueValue | list[Any] | None | IssueRef


@attrs.frozen(slots=True)
class ClauseTemplate:
    """One clause of the deal: its kind, parameters (literals or issue references),
    and an optional inclusion rule."""

    kind: str
    params: tuple[tuple[str, Param], ...]
    include: Include | None = None

    def issues(self) -> tuple[str, ...]:
        used = [value.issue for _, value in self.params if isinstance(value, IssueRef)]
        if self.include is not None:
            used.append(self.include.issue)
        return tuple(used)

    def bind(self, values: Mapping[str, IssueValue]) -> Clause | None:
        """The clause for agreed ``values``, or None if the deal leaves it out."""
        if self.include is not None and not self.include.admits(values[self.include.issue]):
            return None
        data: dict[str, Any] = {"kind": self.kind}
        for name, value in self.params:
            data[name] = values[value.issue] if isinstance(value, IssueRef) else value
        return clause_from_data(data, f"deal clause {self.kind}")

    def to_data(self) -> dict[str, Any]:
        data: dict[str, Any] = {"kind": self.kind}
        for name, value in self.params:
            data[name] = value.to_data() if isinstance(value, IssueRef) else value
        if self.include is not None:
            data["include"] = self.include.to_data()
        return dict(sorted(data.items()))


@attrs.frozen(slots=True)
class DealTemplate:
    """The clauses (and contract end) an agreement puts in force."""

    clauses: tuple[ClauseTemplate, ...]
    term_end: int | IssueRef | None = None
    # Every right any template may grant: what an agreement replaces. Computed by the
    # loader, which knows every issue's values.
    governs: tuple[str, ...] = ()

    def bind(self, values: Mapping[str, IssueValue]) -> tuple[tuple[Clause, ...], int | None]:
        """The deal's clauses and term end for agreed issue ``values``."""
        clauses = tuple(
            clause for template in self.clauses if (clause := template.bind(values)) is not None
        )
        term_end = self.term_end
        if isinstance(term_end, IssueRef):
            bound = values[term_end.issue]
            if not is_year(bound):
                raise ValueError(
                    f"term_end: issue {term_end.issue} must give a year, got {bound!r}"
                )
            term_end = bound  # type: ignore[assignment]
        return clauses, term_end  # type: ignore[return-value]

    def amend(
        self,
        in_force: tuple[Clause, ...],
        term_end_in_force: int | None,
        values: Mapping[str, IssueValue],
    ) -> tuple[tuple[Clause, ...], int | None]:
        """The contract an agreement on ``values`` makes of the one in force."""
        clauses, term_end = self.bind(values)
        amended = Amendment(self.governs, clauses).apply(carried_forward(in_force))
        return amended, term_end if term_end is not None else term_end_in_force

    def to_data(self) -> dict[str, Any]:
        data: dict[str, Any] = {"clauses": [clause.to_data() for clause in self.clauses]}
        if self.term_end is not None:
            data["term_end"] = (
                self.term_end.to_data() if isinstance(self.term_end, IssueRef) else self.term_end
            )
        return data


__all__ = ["ClauseTemplate", "DealTemplate", "Include", "IssueRef"]
