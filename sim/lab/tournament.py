"""Round-robin tournaments between negotiation strategies.

Every ordered pair of strategies ``(A, B)`` (A as the scenario's first negotiating
party, B as the second, self-play included) plays ``repetitions`` seeded runs: one
Monte Carlo batch sweeping ``parties.<first>.strategy`` x ``parties.<second>.strategy``,
so every pairing sees the same seeds ``S:0 .. S:R-1`` (common random numbers) and the
result depends on the seed only, never on the worker count.

Strategies play at their default parameters (each seat's ``params`` is cleared before
the user's ``--set`` overrides apply).

A strategy's score pools every seat it took: in a run of ``A vs B``, A scores the first
party's utility and B the second's (in self-play the strategy scores both). Each
strategy sits in each seat against each opponent equally often, so the different
utility scales of the two seats weigh alike on every strategy. Agreement rates count
each seat; time to agreement and Pareto distance are over the runs that agreed.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import attrs

from agents.strategies import STRATEGY_NAMES
from events.convert import check_int
from sim.batch.execution import Execution
from sim.lab.derived import add_derived
from sim.lab.inputs import strategy_list
from sim.lab.runs import load, run_rows, sweep_value
from sim.scenario import Scenario
from sim.stats import Estimate, mean_ci, proportion_ci
from sim.table_file import to_arrow, write_rows


@attrs.frozen(slots=True)
class StrategyScore:
    """One strategy's tournament record (every figure with its 95% interval)."""

    strategy: str
    utility: Estimate
    agreement_rate: Estimate
    time_to_agreement: Estimate
    pareto_distance: Estimate

    def as_dict(self) -> dict[str, Any]:
        return {
            "strategy": self.strategy,
            "utility": self.utility.as_dict(),
            "agreement_rate": self.agreement_rate.as_dict(),
            "time_to_agreement": self.time_to_agreement.as_dict(),
            "pareto_distance": self.pareto_distance.as_dict(),
        }


@attrs.frozen(slots=True, eq=False)
class TournamentResult:
    """A finished tournament: its ranking and the runs behind it.

    ``rows`` has one dict per run, ordered by run: ``run``, ``seed``, ``digest``,
    ``events``, ``first_strategy``, ``second_strategy``, ``pairing`` ("A vs B"), the
    run's summary columns, and the derived ``time_to_agreement``, ``pareto_distance``,
    ``nash_distance``, ``ks_distance`` and ``welfare_loss``. ``ranking`` is best first
    (by mean utility, then agreement rate, then name).
    """

    scenario: str
    parties: tuple[str, str]
    strategies: tuple[str, ...]
    repetitions: int
    seed: int
    rows: list[dict[str, Any]] = attrs.field(repr=False)
    ranking: tuple[StrategyScore, ...]

    def score(self, strategy: str) -> StrategyScore:
        for entry in self.ranking:
            if entry.strategy == strategy:
                return entry
        raise KeyError(f"no strategy {strategy!r} in this tournament")

    def pairing_means(self) -> dict[tuple[str, str], tuple[float, float]]:
        """``{(A, B): (mean utility of the first party, of the second)}``."""
        out: dict[tuple[str, str], tuple[float, float]] = {}
        first, second = self.parties
        for a in self.strategies:
            for b in self.strategies:
                runs = [
                    r for r in self.rows if r["first_strategy"] == a and r["second_strategy"] == b
                ]
                out[(a, b)] = (
                    mean_ci(r[f"utility_{first}"] for r in runs).mean,
                    mean_ci(r[f"utility_{second}"] for r in runs).mean,
                )
        return out

    def table(self) -> Any:
        """The ranking as a ``rich.table.Table``."""
        from rich import box
        from rich.table import Table

        table = Table(
            title=(
                f"{self.scenario}: {len(self.strategies)} strategies, "
                f"{len(self.strategies) ** 2} pairings x {self.repetitions} runs (seed {self.seed})"
            ),
            caption="mean ± 95% CI; agreement rate [Wilson 95% CI]; time to agreement "
            "(time units after the talks open) and distance to the Pareto frontier over "
            "the runs that agreed",
            box=box.SIMPLE_HEAD,
        )
        table.add_column("#", justify="right", min_width=1)
        table.add_column("strategy", no_wrap=True)
        for header in ("utility", "agreement", "time", "Pareto"):
            table.add_column(header, justify="right", no_wrap=True)
        for rank, entry in enumerate(self.ranking, 1):
            rate = entry.agreement_rate
            table.add_row(
                str(rank),
                entry.strategy,
                entry.utility.format(3, " ± "),
                f"{rate.mean:.0%} [{rate.low:.0%}-{rate.high:.0%}]" if rate.n else "-",
                entry.time_to_agreement.format(1, " ± "),
                entry.pareto_distance.format(3, " ± "),
            )
        return table

    def pairing_table(self) -> Any:
        """Mean utilities per pairing, one matrix per party, as a rich renderable.

        Rows are the first party's strategy, columns the second's, numbered as the rows
        are, so that eight strategies fit in 80 columns.
        """
        from rich import box
        from rich.console import Group
        from rich.table import Table

        first, second = self.parties
        means = self.pairing_means()
        tables = []
        for side, party in enumerate(self.parties):
            table = Table(
                title=f"mean utility of {party} by pairing",
                caption=f"rows: {first}'s strategy; columns: {second}'s, numbered as the rows",
                box=box.SIMPLE_HEAD,
            )
            table.add_column(f"{first} \\ {second}", no_wrap=True)
            for number in range(1, len(self.strategies) + 1):
                table.add_column(str(number), justify="right", no_wrap=True)
            for number, a in enumerate(self.strategies, 1):
                table.add_row(
                    f"{number} {a}", *(f"{means[a, b][side]:.2f}" for b in self.strategies)
                )
            tables.append(table)
        return Group(*tables)

    def to_arrow(self) -> Any:
        return to_arrow(self.rows)

    def write(self, path: str | Path) -> Path:
        """One row per run: Parquet (``.parquet``/``.pq``) or CSV (``.csv``)."""
        return write_rows(self.rows, path)

    def as_dict(self) -> dict[str, Any]:
        return {
            "scenario": self.scenario,
            "parties": list(self.parties),
            "strategies": list(self.strategies),
            "repetitions": self.repetitions,
            "seed": self.seed,
            "runs": len(self.rows),
            "ranking": [entry.as_dict() for entry in self.ranking],
        }


def tournament(
    scenario: Scenario | str = "msft-openai",
    strategies: Sequence[str] | str = STRATEGY_NAMES,
    *,
    repetitions: int = 10,
    seed: int = 0,
    overrides: Sequence[str] = (),
    execution: Execution | None = None,
) -> TournamentResult:
    """Play every ordered pair of ``strategies`` for ``repetitions`` seeded runs each.

    ``scenario`` is a built-in name, a TOML path or a :class:`Scenario`; ``overrides``
    are ``"KEY=VALUE"`` strings applied after each seat's parameters are cleared.
    ``execution`` says where the runs go (default: one worker, this process); the
    result does not depend on it.
    """
    names = strategy_list(strategies)
    check_int(repetitions, "repetitions", 1)
    base = load(scenario)
    first, second = base.negotiation.parties
    clear = [f"parties.{first}.params={{}}", f"parties.{second}.params={{}}"]
    resolved = load(base, [*clear, *overrides])
    first_key, second_key = f"parties.{first}.strategy", f"parties.{second}.strategy"
    rows = run_rows(
        resolved,
        repetitions,
        seed=seed,
        sweep=((first_key, names), (second_key, names)),
        execution=execution,
    )
    add_derived(rows, resolved)
    out = []
    for row in rows:
        a, b = sweep_value(row, first_key), sweep_value(row, second_key)
        labelled = {
            "run": row["run"],
            "seed": row["seed"],
            "digest": row["digest"],
            "events": row["events"],
            "first_strategy": a,
            "second_strategy": b,
            "pairing": f"{a} vs {b}",
        }
        labelled.update(
            (k, v) for k, v in row.items() if k not in labelled and not k.startswith("sweep_")
        )
        out.append(labelled)
    return TournamentResult(
        scenario=resolved.name,
        parties=(first, second),
        strategies=names,
        repetitions=repetitions,
        seed=seed,
        rows=out,
        ranking=_rank(out, names, (first, second)),
    )


def _rank(
    rows: Sequence[dict[str, Any]], names: tuple[str, ...], parties: tuple[str, str]
) -> tuple[StrategyScore, ...]:
    seats: dict[str, list[tuple[dict[str, Any], str]]] = {name: [] for name in names}
    for row in rows:
        seats[row["first_strategy"]].append((row, parties[0]))
        seats[row["second_strategy"]].append((row, parties[1]))
    scores = []
    for name in names:
        taken = seats[name]
        agreed = [row for row, _ in taken if row["agreement"]]
        scores.append(
            StrategyScore(
                strategy=name,
                utility=mean_ci(row[f"utility_{party}"] for row, party in taken),
                agreement_rate=proportion_ci(bool(row["agreement"]) for row, _ in taken),
                time_to_agreement=mean_ci(row["time_to_agreement"] for row in agreed),
                pareto_distance=mean_ci(row["pareto_distance"] for row in agreed),
            )
        )
    scores.sort(key=lambda s: (-s.utility.mean, -s.agreement_rate.mean, s.strategy))
    return tuple(scores)


__all__ = ["StrategyScore", "TournamentResult", "tournament"]
