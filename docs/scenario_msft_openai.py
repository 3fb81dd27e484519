"""Regenerate the predictions of docs/scenario-msft-openai.md: its tables and figures.

    python docs/scenario_msft_openai.py            # rewrite the page's tables and figures
    python docs/scenario_msft_openai.py --check    # exit 1 if they differ from what is committed

Runs the built-in ``msft-openai`` scenario for ``RUNS`` seeds (``0`` to ``RUNS - 1``, one
process, no store), derives every prediction from the runs' logs with the shared fold,
writes the tables between the page's ``<!-- predictions -->`` markers and the figures
to ``docs/img/msft-openai-*.png`` (reproducible bytes: ``sim.plots.render``). Same
code, same bytes: ``tests/sim/test_scenario_doc.py`` regenerates them and compares.
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import sys
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

DOCS = Path(__file__).resolve().parent
PAGE = DOCS / "scenario-msft-openai.md"
IMG = DOCS / "img"
RUNS = 400
YEARS = tuple(range(2025, 2037))
BEGIN = "<!-- predictions: begin (docs/scenario_msft_openai.py) -->"
END = "<!-- predictions: end -->"
SOURCES_BEGIN = "<!-- sources: begin (docs/scenario_msft_openai.py) -->"
SOURCES_END = "<!-- sources: end -->"
SCENARIO = DOCS.parent / "sim" / "scenarios" / "msft-openai.toml"


def runs(n: int = RUNS) -> list[dict[str, Any]]:
    """Each run's summary row, its rights by year, its rulings and its money."""
    from events.model import OutsideDealAccepted, RulingIssued
    from events.replay import Folder
    from sim.engine import simulate
    from sim.run.summary import summarize
    from sim.scenario import load_scenario

    scenario = load_scenario("msft-openai")
    checkpoints = [(year, scenario.time_of(dt.date(year, 1, 1))) for year in YEARS]
    opens = scenario.negotiation.opens
    out = []
    for seed in range(n):
        result = simulate(scenario, seed)
        folder = Folder()
        by_year: dict[int, dict[str, bool]] = {}
        pending = list(checkpoints)
        rulings: list[tuple[str, str]] = []
        outside_bn = 0.0
        for record in result.records:
            while pending and record.t > pending[0][1]:
                year, t = pending.pop(0)
                by_year[year] = folder.state(max(t, folder.t)).rights
            folder.apply(record)
            event = record.event
            if type(event) is RulingIssued and record.t >= opens:  # not the history's
                # A review of the contract in force (a party asked) is its own row.
                who = f"{event.regulator}, contract in force" if event.in_force else event.regulator
                rulings.append((who, event.outcome))
            elif type(event) is OutsideDealAccepted:
                outside_bn += event.value_bn
        final = folder.state()
        for year, t in pending:
            by_year[year] = folder.state(max(t, folder.t)).rights
        out.append(
            {
                "row": summarize(result.records, result.scenario),
                "rights": by_year,
                "rulings": rulings,
                "outside_bn": outside_bn,
                "final": final,
            }
        )
    return out


# --- tables -------------------------------------------------------------------------


def _pct(x: float) -> str:
    return f"{100 * x:.0f}%"


def _quantiles(values: Sequence[float]) -> list[float]:
    if len(values) < 2:
        return list(values) * 5
    q = statistics.quantiles(values, n=20, method="inclusive")
    return [q[1], q[4], q[9], q[14], q[17]]  # 10, 25, 50, 75, 90 %


def tables(data: list[dict[str, Any]]) -> str:
    from sim.scenario import load_scenario

    scenario = load_scenario("msft-openai")
    rows = [d["row"] for d in data]
    n = len(rows)
    deals = [r for r in rows if r["agreement"]]
    lines = [f"From {n} runs (seeds 0 to {n - 1}) of the built-in scenario.", ""]

    lines += ["### When a deal is signed", ""]
    lines += [
        f"A deal is agreed in {_pct(len(deals) / n)} of runs; "
        f"{_pct(sum(bool(r['agreement_after_agi']) for r in deals) / max(len(deals), 1))} of "
        "deals come after AGI was declared.",
        "",
        "| quantile | 10% | 25% | 50% | 75% | 90% |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    times = sorted(r["agreement_time"] for r in deals)
    dates = [scenario.date_of(t).isoformat() for t in _quantiles(times)] if times else ["-"] * 5
    lines.append("| agreement date | " + " | ".join(dates) + " |")
    rounds = [r.get("talk_rounds") for r in rows if r.get("talk_rounds") is not None]
    walks = [r.get("walk_aways") for r in rows if r.get("walk_aways") is not None]
    if rounds:
        lines += [
            "",
            f"Rounds of talks per run: mean {statistics.mean(rounds):.2f}; walk-aways per run: "
            f"mean {statistics.mean(walks):.2f}; offers in the round that agreed: mean "
            f"{statistics.mean(r['agreement_offers'] for r in deals):.1f}.",
        ]

    lines += ["", "### Each clause of the deal", "", "Share of deals agreeing each value:", ""]
    lines += ["| issue | values |", "| --- | --- |"]
    for issue in scenario.negotiation.issues:
        counts = Counter(r[f"terms_{issue.name}"] for r in deals)
        cells = ", ".join(
            f"{value}: {_pct(counts[value] / max(len(deals), 1))}"
            for value in issue.values
            if counts[value]
        )
        lines.append(f"| {issue.name} | {cells or '-'} |")

    lines += ["", "### Each right, year by year", ""]
    rights = sorted({right for d in data for year in d["rights"].values() for right in year})
    shown = [year for year in YEARS if year % 2 == 1 or year in (2026, 2030)]
    lines += ["| right (active on 1 January) | " + " | ".join(map(str, shown)) + " |"]
    lines += ["| --- |" + " --- |" * len(shown)]
    for right in rights:
        cells = [
            _pct(sum(bool(d["rights"][year].get(right)) for d in data) / n) for year in shown
        ]
        lines.append(f"| {right} | " + " | ".join(cells) + " |")

    if any("restructuring" in r for r in rows):
        lines += ["", "### The restructuring", ""]
        counts = Counter(r["restructuring"] for r in rows)
        lines += ["| outcome | share of runs |", "| --- | --- |"]
        lines += [f"| {k} | {_pct(v / n)} |" for k, v in sorted(counts.items())]
        ended = sorted(r["restructuring_time"] for r in rows if r.get("restructuring_time"))
        if ended:
            median = scenario.date_of(statistics.median(ended)).isoformat()
            lines += ["", f"Median date it ends (completed or failed): {median}."]

    lines += ["", "### The regulators", ""]
    per: dict[str, Counter[str]] = {}
    for d in data:
        for regulator, outcome in d["rulings"]:
            per.setdefault(regulator, Counter())[outcome] += 1
    outcomes = sorted({o for c in per.values() for o in c})
    lines += ["| regulator | " + " | ".join(outcomes) + " |"]
    lines += ["| --- |" + " --- |" * len(outcomes)]
    for regulator in sorted(per):
        lines.append(
            f"| {regulator} | " + " | ".join(str(per[regulator][o]) for o in outcomes) + " |"
        )
    lines += ["", "Counts of rulings over all runs (an inquiry is followed by a second ruling)."]
    asked = [r["complaints"] for r in rows if r.get("complaints") is not None]
    if asked:
        share = _pct(sum(1 for c in asked if c) / len(asked))
        lines += [
            "",
            f"OpenAI asked the FTC to look at the contract in force in {share} of runs "
            "(after talks broke down; summary column `complaints`); the rows \"contract "
            "in force\" are the FTC's rulings on it. The CMA's 2023-25 inquiry (no "
            "jurisdiction, 5 March 2025) is history, the same in every run, and not "
            "counted here.",
        ]

    lines += ["", "### Money committed (USD bn, over all runs)", ""]
    lines += ["| amount | 10% | 25% | 50% | 75% | 90% | mean |", "| --- |" + " --- |" * 6]
    money = {
        "Microsoft's investment, in total": [d["final"].investment_total_bn for d in data],
        "compute committed to Microsoft (ROFR matches, deals)": [
            d["final"].compute_commitments_bn.get("openai_to_microsoft", 0.0) for d in data
        ],
        "outside compute taken by OpenAI": [d["outside_bn"] for d in data],
    }
    if any(hasattr(d["final"], "funding_lost_bn") for d in data):
        money["funding withheld from OpenAI"] = [
            getattr(d["final"], "funding_lost_bn", 0.0) for d in data
        ]
    for name, values in money.items():
        q = _quantiles(sorted(values))
        cells = " | ".join(f"{x:.1f}" for x in q)
        lines.append(f"| {name} | {cells} | {statistics.mean(values):.1f} |")
    return "\n".join(lines) + "\n"


# --- figures ------------------------------------------------------------------------


def figures(data: list[dict[str, Any]]) -> dict[str, bytes]:
    from sim.plots.style import fixed_style, new_figure, render
    from sim.scenario import load_scenario

    scenario = load_scenario("msft-openai")
    n = len(data)
    out: dict[str, bytes] = {}
    with fixed_style():
        fig = new_figure(8, 3.2)
        ax = fig.add_subplot()
        quarters: Counter[tuple[int, int]] = Counter()
        for d in data:
            t = d["row"]["agreement_time"]
            if t is not None:
                date = scenario.date_of(t)
                quarters[(date.year, (date.month - 1) // 3 + 1)] += 1
        keys = sorted(quarters)
        ax.bar(range(len(keys)), [quarters[k] / n for k in keys], color="#4c72b0")
        ax.set_xticks(range(len(keys)), [f"{y} Q{q}" for y, q in keys], rotation=60, fontsize=7)
        ax.set_ylabel("share of runs")
        ax.set_title(f"When the deal is agreed ({n} runs)")
        out["msft-openai-deal-dates.png"] = render(fig)

        fig = new_figure(8, 3.6)
        ax = fig.add_subplot()
        rights = sorted({r for d in data for year in d["rights"].values() for r in year})
        for right in rights:
            shares = [sum(bool(d["rights"][y].get(right)) for d in data) / n for y in YEARS]
            ax.plot(YEARS, shares, marker="o", markersize=3, label=right)
        ax.set_ylabel("share of runs, right active on 1 January")
        ax.set_ylim(-0.02, 1.02)
        ax.set_title("Each right, year by year")
        ax.legend(fontsize=6, loc="center left", bbox_to_anchor=(1.0, 0.5))
        out["msft-openai-rights.png"] = render(fig)
    return out


# --- every number and its source -----------------------------------------------------


def settings(text: str) -> list[tuple[str, str, str, str, str]]:
    """Every numeric setting of the scenario file: ``(section, key, value, source,
    note)``, the note being the line's own comment or, without one, the comment lines
    just above it; ``source`` is ``FACTS.md`` when the note cites it, else
    ``assumption`` when it says so, else ``""`` (unsourced)."""
    import re

    found = []
    section = issue_note = ""
    above: list[str] = []
    for raw in text.splitlines():
        line = raw.strip()
        if line.startswith("#"):
            above.append(line.lstrip("# ").strip())
            continue
        header = re.match(r"^\[\[?([^\]]+)\]\]?", line)
        if header:
            section, above = header.group(1), []
            continue
        match = re.match(r"^([A-Za-z_][\w.-]*)\s*=\s*(.+?)\s*(?:#\s*(.*))?$", line)
        if not match:
            above = []
            continue
        key, value, comment = match.groups()
        note = comment or " ".join(above)
        above = []
        if key == "name" and section == "negotiation.issues":
            issue_note = note  # an issue's values are sourced where it is named
            continue
        if key == "values" and section == "negotiation.issues" and not comment:
            note = issue_note
        if not re.search(r"\d", value) or key in ("name", "description", "kind", "id", "note"):
            continue
        source = "FACTS.md" if "FACTS.md" in note else "assumption" if "assumption" in note else ""
        found.append((section, key, value, source, note))
    return found


def sources(text: str) -> str:
    """The page's table of every number in the scenario and its source."""
    lines = ["| section | key | value | source | note |", "| --- | --- | --- | --- | --- |"]
    for section, key, value, source, note in settings(text):
        value, note = value.replace("|", "\\|"), note.replace("|", "\\|")
        lines.append(f"| {section} | {key} | `{value}` | {source or '-'} | {note} |")
    return "\n".join(lines) + "\n"


# --- the page -------------------------------------------------------------------------


def _between(page: str, begin: str, end: str, body: str) -> str:
    head, rest = page.split(begin, 1)
    _, tail = rest.split(end, 1)
    return f"{head}{begin}\n{body}{end}{tail}"


def page_with(tables_md: str, page: str) -> str:
    page = _between(page, SOURCES_BEGIN, SOURCES_END, sources(SCENARIO.read_text("utf-8")))
    return _between(page, BEGIN, END, tables_md)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="compare, do not write")
    parser.add_argument("--runs", type=int, default=RUNS)
    args = parser.parse_args(argv)
    data = runs(args.runs)
    page = page_with(tables(data), PAGE.read_text(encoding="utf-8"))
    images = figures(data)
    if args.check:
        stale = [PAGE.name] if PAGE.read_text(encoding="utf-8") != page else []
        stale += [name for name, png in images.items() if (IMG / name).read_bytes() != png]
        if stale:
            print("stale: " + ", ".join(stale) + "; run python docs/scenario_msft_openai.py")
            return 1
        return 0
    PAGE.write_text(page, encoding="utf-8")
    for name, png in images.items():
        (IMG / name).write_bytes(png)
    print(f"wrote {PAGE.relative_to(DOCS.parent)} and {len(images)} figures in docs/img/")
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(DOCS.parent))
    sys.exit(main())
