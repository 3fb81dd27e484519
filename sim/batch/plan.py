"""What a batch runs: run indices, their seeds, the sweep grid, and the store's columns.

Run ``i`` of a batch with master seed ``S`` has seed ``S:i`` (``RunSeed(S, (i,))``,
which is ``SeedSequence(S).spawn(N)[i]``), so its result depends neither on ``N``, nor
on the worker count, nor on the executor, nor on the order runs finish in.

Sweeps use common random numbers: the grid (the cartesian product of the ``--sweep``
axes, in the order given, the last axis varying fastest) has cells ``0..C-1``, and
the run with index ``cell * N + i`` has seed ``S:i``, the same seeds in every cell.
Two cells then differ only by their swept values, not by their luck, which makes
comparisons between them sharper (their difference has a smaller variance than with
independent seeds). A cell's runs are therefore *not* independent of another cell's.
"""

from __future__ import annotations

import hashlib
import itertools
import math
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Any, Final

import attrs
import orjson

from events import __version__
from events.convert import check_int
from events.errors import InputError
from sim.batch.store import BatchStore
from sim.run.summary import sql_type, summary_columns
from sim.scenario import Scenario, ScenarioError, load_scenario, parse_value
from sim.seeding import RunSeed

FIXED: Final = ("run", "seed", "digest", "events")
META_KIND: Final = "negsim-mc"


@attrs.frozen
class SweepAxis:
    """One ``--sweep KEY=V1,V2,...``: a dotted scenario key and its values, in order.

    ``texts`` are the values as written (what ``--set KEY=TEXT`` takes to reproduce
    one cell); ``values`` are them parsed as ``--set`` parses them.
    """

    key: str
    texts: tuple[str, ...]
    values: tuple[Any, ...]

    @property
    def column(self) -> str:
        return f"sweep_{self.key}"

    def spec(self) -> str:
        return f"{self.key}={','.join(self.texts)}"


def parse_sweep(text: str) -> SweepAxis:
    """``"KEY=V1,V2,..."`` -> :class:`SweepAxis` (commas inside ``[]``/``{}``/quotes kept)."""
    key, sep, rest = text.partition("=")
    key = key.strip()
    if not sep or not key:
        raise InputError(f"sweep {text}: expected KEY=V1,V2,... (e.g. agi.at=90,120,150)")
    texts = tuple(part.strip() for part in _split_top_level(rest))
    if not texts or any(not part for part in texts):
        raise InputError(f"sweep {text}: expected KEY=V1,V2,... with no empty value")
    if len(set(texts)) != len(texts):
        raise InputError(f"sweep {text}: a value is given twice")
    return SweepAxis(key, texts, tuple(parse_value(part) for part in texts))


def _split_top_level(text: str) -> list[str]:
    parts: list[str] = []
    depth = 0
    quote = ""
    start = 0
    for index, char in enumerate(text):
        if quote:
            if char == quote:
                quote = ""
        elif char in "\"'":
            quote = char
        elif char in "[{":
            depth += 1
        elif char in "]}":
            depth -= 1
        elif char == "," and depth == 0:
            parts.append(text[start:index])
            start = index + 1
    parts.append(text[start:])
    return parts


def as_axes(sweep: Iterable[str | SweepAxis | tuple[str, Sequence[Any]]]) -> tuple[SweepAxis, ...]:
    """Sweep specs (strings, axes, or ``(key, values)`` pairs) -> axes; one axis per key."""
    axes: list[SweepAxis] = []
    items = sweep.items() if isinstance(sweep, Mapping) else sweep
    for item in items:
        if isinstance(item, SweepAxis):
            axis = item
        elif isinstance(item, str):
            axis = parse_sweep(item)
        else:
            key, values = item
            values = tuple(values)
            if not values:
                raise InputError(f"sweep {key}: expected at least one value")
            axis = SweepAxis(str(key), tuple(_text_of(v) for v in values), values)
        if any(axis.key == seen.key for seen in axes):
            raise InputError(f"sweep {axis.key}: the key is swept twice")
        axes.append(axis)
    return tuple(axes)


def _text_of(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value
    if hasattr(value, "isoformat"):
        return str(value.isoformat())
    return orjson.dumps(value).decode()


@attrs.frozen
class Cell:
    """One grid point: its index, its ``{key: value}`` and the scenario it runs."""

    index: int
    values: tuple[tuple[str, Any], ...]
    assignments: tuple[str, ...]  # "KEY=TEXT" for `negsim run --set` to reproduce it
    scenario: Scenario


def scenario_digest(scenario: Scenario) -> str:
    """SHA-256 of the canonical scenario data (sorted-key JSON of ``to_data()``)."""
    return hashlib.sha256(orjson.dumps(scenario.to_data(), option=orjson.OPT_SORT_KEYS)).hexdigest()


def column_value(kind: str, value: Any) -> Any:
    """A value as the store keeps it: ints for INTEGER, floats for REAL, text for TEXT."""
    if value is None:
        return None
    if not isinstance(value, bool | int | float | str) and hasattr(value, "item"):
        value = value.item()  # a numpy scalar
    if kind == "INTEGER":
        return int(value)
    if kind == "REAL":
        return float(value)
    if isinstance(value, str):
        return value
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if isinstance(value, bool):
        return "true" if value else "false"
    return orjson.dumps(value, option=orjson.OPT_SORT_KEYS).decode()


@attrs.frozen
class BatchPlan:
    """Everything a batch is, before any run: what the store's meta records."""

    source: str  # the scenario as named by the user (built-in name or path)
    scenario: Scenario  # after --set overrides, before the sweep
    overrides: tuple[str, ...]
    n: int
    seed: int
    axes: tuple[SweepAxis, ...]
    cells: tuple[Cell, ...]
    param_keys: tuple[str, ...]  # drawn keys, sorted (union over cells)
    columns: tuple[tuple[str, str], ...]  # param_*, sweep_*, summary: the store's columns

    @property
    def total(self) -> int:
        return self.n * len(self.cells)

    @property
    def digest(self) -> str:
        return scenario_digest(self.scenario)

    def run_seed(self, run: int) -> RunSeed:
        return RunSeed(self.seed, (run % self.n,))

    def cell_of(self, run: int) -> Cell:
        return self.cells[run // self.n]

    def sweep_json(self) -> str:
        return orjson.dumps([[axis.key, list(axis.values)] for axis in self.axes]).decode()

    def meta(self) -> dict[str, str]:
        """The store's meta: what ``--resume`` checks, and what reproduces a run."""
        return {
            "kind": META_KIND,
            "scenario": self.scenario.name,
            "scenario_source": self.source,
            "scenario_sha256": self.digest,
            "scenario_data": orjson.dumps(
                self.scenario.to_data(), option=orjson.OPT_SORT_KEYS
            ).decode(),
            "overrides": orjson.dumps(list(self.overrides)).decode(),
            "seed": str(self.seed),
            "n": str(self.n),
            "sweep": self.sweep_json(),
            "sweep_specs": orjson.dumps([axis.spec() for axis in self.axes]).decode(),
            "version": __version__,
        }

    def variant_digest(self) -> str:
        """SHA-256 of what sets this batch apart from the plain scenario at its seed:
        the ``--set`` overrides and the sweep (for a default store name)."""
        text = orjson.dumps([list(self.overrides), [a.spec() for a in self.axes]])
        return hashlib.sha256(text).hexdigest()

    def check_resume(self, path: object, meta: Mapping[str, str], columns: Sequence[Any]) -> int:
        """Refuse to resume a store made for another batch; the error names what differs.

        Returns the store's ``n``: this batch's ``n``, or a smaller one, which this batch
        extends (run ``i``'s seed does not depend on ``n``, so runs ``0..n_old-1`` are
        exactly this batch's first runs). A store with a larger ``n`` is refused.
        """
        if meta.get("kind") != META_KIND:
            raise InputError(f"{path}: not a negsim mc batch store (meta kind is missing)")
        differs = []
        mine = self.meta()
        for key, what in (("scenario_sha256", "scenario"), ("seed", "seed"), ("sweep", "sweep")):
            if meta.get(key) != mine[key]:
                if key == "scenario_sha256":
                    differs.append(
                        f"scenario (the store's is {meta.get('scenario')!r} with digest "
                        f"{str(meta.get(key))[:12]}..., this one {self.scenario.name!r} with "
                        f"{mine[key][:12]}...; check the scenario and --set)"
                    )
                elif key == "sweep":
                    specs = " ".join(orjson.loads(meta.get("sweep_specs", "[]"))) or "none"
                    here = " ".join(axis.spec() for axis in self.axes) or "none"
                    differs.append(f"sweep (the store's is {specs}, this one {here})")
                else:
                    differs.append(f"{what} (the store's is {meta.get(key)}, this one {mine[key]})")
        stored_n = meta.get("n", "")
        if not stored_n.isdigit() or int(stored_n) < 1:
            differs.append(f"n (the store's is {stored_n!r}, not a number of runs)")
        elif int(stored_n) > self.n:
            differs.append(
                f"n (the store holds a batch of {stored_n} runs per cell, this one asks for "
                f"{self.n}: pass -n {stored_n} to continue it, or choose another --store)"
            )
        if differs:
            raise InputError(
                f"{path}: cannot resume: the store was made for another batch: "
                + "; ".join(differs)
            )
        if tuple(tuple(c) for c in columns) != self.columns:
            raise InputError(f"{path}: cannot resume: the store's columns differ from this batch's")
        return int(stored_n)

    def adopt(self, store: BatchStore) -> None:
        """Resume ``store``: check it holds this batch (:meth:`check_resume`); if it was
        made with a smaller ``n``, extend it: record this ``n`` and move cell ``c``'s run
        ``i`` from index ``c * n_old + i`` to ``c * n + i``, in one transaction."""
        old = self.check_resume(store.path, store.meta, store.columns)
        if old == self.n:
            return
        new = self.n

        def renumber(run: int) -> int:
            cell, i = divmod(run, old)
            return cell * new + i

        store.update_meta(
            {"n": str(new), "version": __version__},
            renumber if len(self.cells) > 1 else None,
        )

    def chunks(
        self, runs: Sequence[int], size: int | Callable[[int], int]
    ) -> Iterator[tuple[Cell, tuple[int, ...]]]:
        """Pending runs in order, grouped into chunks within one cell.

        ``size`` is a fixed chunk size, or a function of the runs not yet chunked
        (see :func:`guided_chunk_size`).
        """
        chunk: list[int] = []
        cell = -1
        limit = 0
        for position, run in enumerate(runs):
            here = run // self.n
            if chunk and (here != cell or len(chunk) >= limit):
                yield self.cells[cell], tuple(chunk)
                chunk = []
            if not chunk:
                limit = size(len(runs) - position) if callable(size) else size
            cell = here
            chunk.append(run)
        if chunk:
            yield self.cells[cell], tuple(chunk)


def make_plan(
    scenario: Scenario | str,
    n: int,
    *,
    seed: int = 0,
    overrides: Sequence[str] = (),
    sweep: Iterable[Any] = (),
) -> BatchPlan:
    """Validate a batch's inputs and build its grid (every cell's scenario is loaded here)."""
    check_int(n, "n", 1)
    check_int(seed, "seed", 0)
    overrides = tuple(overrides)
    axes = as_axes(sweep)
    if isinstance(scenario, Scenario):
        source = scenario.name
        base = scenario.with_overrides(assignments=overrides) if overrides else scenario

        def load(extra: Sequence[str]) -> Scenario:
            return base.with_overrides(assignments=extra)
    else:
        source = str(scenario)
        base = load_scenario(source, overrides)

        def load(extra: Sequence[str]) -> Scenario:
            # The same path as `negsim run SCENARIO --set ... --set K=V`, so a run of a
            # cell re-run alone reproduces its bytes.
            return load_scenario(source, [*overrides, *extra])

    cells = []
    grid = itertools.product(*(range(len(axis.values)) for axis in axes))
    for index, picks in enumerate(grid):
        values = tuple((axis.key, axis.values[p]) for axis, p in zip(axes, picks, strict=True))
        assignments = tuple(
            f"{axis.key}={axis.texts[p]}" for axis, p in zip(axes, picks, strict=True)
        )
        if not axes:
            cell_scenario = base
        else:
            try:
                cell_scenario = load(assignments)
            except ScenarioError as exc:
                raise _sweep_error(exc, values) from None
        cells.append(Cell(index, values, assignments, cell_scenario))
    summary = summary_columns(base)
    for cell in cells:
        if summary_columns(cell.scenario) != summary:
            raise InputError(
                f"sweep {' '.join(a.spec() for a in axes)}: cell "
                f"{dict(cell.values)} changes the summary columns; sweep a value, not the issues"
            )
    param_keys = tuple(sorted({key for cell in cells for key, _ in cell.scenario.distributions()}))
    columns = (
        *((f"param_{key}", "REAL") for key in param_keys),
        *((axis.column, sql_type(axis.values)) for axis in axes),
        *((name, kind) for name, kind in summary),
    )
    names = [name for name, _ in columns]
    if len(set(names)) != len(names):  # pragma: no cover - prefixes keep them apart
        raise InputError("batch columns clash")
    return BatchPlan(source, base, overrides, n, seed, axes, tuple(cells), param_keys, columns)


def _sweep_error(exc: ScenarioError, values: tuple[tuple[str, Any], ...]) -> InputError:
    message = exc.message
    if message.startswith("--set "):
        return InputError("sweep " + message[len("--set ") :])
    shown = ", ".join(f"{key}={_text_of(value)}" for key, value in values)
    return InputError(f"sweep {shown}: {message}")


MAX_CHUNK: Final = 32
MIN_CHUNK: Final = 8


def guided_chunk_size(workers: int) -> Callable[[int], int]:
    """Guided self-scheduling: a chunk is a quarter of a worker's share of what is left.

    Chunks start large (at most 32 runs) and shrink towards the end (down to 8), so
    the workers finish together instead of one waiting for another's last big chunk.
    Measured on msft-openai (~3 ms a run, 2 workers on 2 cores): a process pool's
    per-task overhead is ~0.2 ms, so it stays under 1% even at 8 runs a task; what
    bounds the chunks below is the parent's commit per chunk (~1.5 ms of
    ``synchronous=FULL`` fsync and inserts), and above, the runs lost to a SIGKILL
    (those in flight) and the imbalance at the end.
    """
    share = max(1, workers) * 4

    def size(remaining: int) -> int:
        return max(MIN_CHUNK, min(MAX_CHUNK, math.ceil(remaining / share)))

    return size
