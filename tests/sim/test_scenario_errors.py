"""Every malformed scenario key gives exactly one line naming file, key, expectation."""

# ruff: noqa: E501  (the table of expected messages is clearer with one message per line)

from __future__ import annotations

import copy
import datetime
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from events.errors import InputError
from sim.scenario import ScenarioError, load_scenario, parse_toml, scenario_from_raw
from sim.scenario.builtins import builtin_text

D = datetime.date
DEL = object()  # delete the key
M = "msft-openai"
B = "bilateral-demo"
BASES = {name: parse_toml(builtin_text(name), name) for name in (M, B)}

def set_path(raw: dict[str, Any], path: str, value: object) -> None:
    """Set (or with DEL delete) a dotted key with ``[i]`` array indices, in place."""
    parts = re.sub(r"\[(\d+)\]", r".\1", path).split(".")
    node: Any = raw
    for part in parts[:-1]:
        node = node[int(part)] if isinstance(node, list) else node.setdefault(part, {})
    last: Any = int(parts[-1]) if isinstance(node, list) else parts[-1]
    if value is DEL:
        del node[last]
    else:
        node[last] = value


def drop_issue(index: int) -> Callable[[dict[str, Any]], None]:
    def drop(raw: dict[str, Any]) -> None:
        del raw["negotiation"]["issues"][index]

    return drop


def error_for(base: str, changes: list[tuple[str, object]]) -> str:
    raw = copy.deepcopy(BASES[base])
    for path, value in changes:
        if callable(value):
            value(raw)
        else:
            set_path(raw, path, value)
    with pytest.raises(ScenarioError) as info:
        scenario_from_raw(raw, source="s.toml")
    return str(info.value)


# (base scenario, changes to its raw TOML, expected message after "s.toml: ")
CASES: list[tuple[str, list[tuple[str, object]], str]] = [
    (
        M,
        [("bogus", 1)],
        "bogus: expected a known key (agi, alternatives, competitors, compute_need, "
        "negotiation, outside_options, parties, prelude, regulators, restructuring, rofr, "
        'scenario), got "bogus"',
    ),
    (M, [("scenario", DEL)], "scenario: expected a table, got nothing"),
    (
        M,
        [("scenario.nmae", "x")],
        'scenario.nmae: expected a known key (description, domain, horizon, max_events, name, start, time_unit), got "nmae"',
    ),
    (M, [("scenario.name", DEL)], "scenario.name: expected a non-empty string, got nothing"),
    (M, [("scenario.name", 3)], "scenario.name: expected a non-empty string, got 3"),
    (M, [("scenario.description", ["a"])], 'scenario.description: expected a string, got ["a"]'),
    (
        M,
        [("scenario.domain", "war")],
        'scenario.domain: expected one of (partnership, generic), got "war"',
    ),
    (
        M,
        [("scenario.time_unit", "week")],
        'scenario.time_unit: expected one of (month, step), got "week"',
    ),
    (M, [("scenario.start", DEL)], "scenario.start: expected a date (YYYY-MM-DD), got nothing"),
    (
        M,
        [("scenario.start", "2019-02-30")],
        'scenario.start: expected a valid date, got "2019-02-30"',
    ),
    (M, [("scenario.start", "soon")], 'scenario.start: expected a date (YYYY-MM-DD), got "soon"'),
    (
        M,
        [("scenario.start", datetime.datetime(2019, 1, 1))],
        "scenario.start: expected a date (YYYY-MM-DD), got 2019-01-01T00:00:00",
    ),
    (
        M,
        [("scenario.horizon", DEL)],
        "scenario.horizon: expected a date or a number of months since scenario.start, got nothing",
    ),
    (
        M,
        [("scenario.horizon", D(2018, 1, 1))],
        "scenario.horizon: expected a time after scenario.start (2019-01-01), got 2018-01-01",
    ),
    (
        M,
        [("scenario.horizon", D(2027, 1, 1))],
        # competitors come before agi in the loader's fixed order: Stargate's programme
        # end (FACTS.md: four years from January 2025) is the first time past it
        "competitors.stargate.until: expected a time before scenario.horizon (2027-01-01), "
        "got 2029-01-21",
    ),

    (
        M,
        [("scenario.horizon", True)],
        "scenario.horizon: expected a date or a number of months since scenario.start, got true",
    ),
    (M, [("negotiation", DEL)], "negotiation: expected a table, got nothing"),
    (
        M,
        [("negotiation.protocol", "auction")],
        'negotiation.protocol: expected one of (alternating, sao), got "auction"',
    ),
    (
        M,
        [("negotiation.parties", ["microsoft"])],
        'negotiation.parties: expected an array of two party keys, got ["microsoft"]',
    ),
    (
        M,
        [("negotiation.parties", ["microsoft", "microsoft"])],
        'negotiation.parties: expected two different party keys, got ["microsoft", "microsoft"]',
    ),
    (
        M,
        [("negotiation.parties", ["microsoft", "google"])],
        'negotiation.parties: expected "microsoft" and "openai" (domain is "partnership"), got ["microsoft", "google"]',
    ),
    (
        M,
        [("negotiation.parties", ["microsoft", "open ai"])],
        'negotiation.parties: expected party keys of letters, digits, "_" or "-", got ["microsoft", "open ai"]',
    ),
    (
        M,
        [("negotiation.opens", DEL)],
        "negotiation.opens: expected a date or a number of months since scenario.start, got nothing",
    ),
    (
        M,
        [("negotiation.opens", "2018-01-01")],
        'negotiation.opens: expected a time on or after scenario.start (2019-01-01), got "2018-01-01"',
    ),
    (
        M,
        [("negotiation.deadline", D(2025, 1, 1))],
        "negotiation.deadline: expected a time after negotiation.opens (2025-07-01), got 2025-01-01",
    ),
    (M, [("negotiation.round", 0)], "negotiation.round: expected a number in [0.001, 1200], got 0"),
    (
        M,
        [("negotiation.round", "fast")],
        'negotiation.round: expected a number in [0.001, 1200], got "fast"',
    ),
    (
        M,
        [("negotiation.n_steps", 0)],
        "negotiation.n_steps: expected an integer in [1, 1000000], got 0",
    ),
    (M, [("negotiation.review", "yes")], 'negotiation.review: expected true or false, got "yes"'),
    (
        M,
        [("negotiation.issues", [])],
        "negotiation.issues: expected a non-empty array of tables, got []",
    ),
    (
        M,
        [("negotiation.issues[0].name", "length")],
        'negotiation.deal.term_end.issue: expected one of (length, ip_expiry, ip_scope, revenue_share, cloud, equity, investment_bn), got "term_end"',
    ),
    (
        M,
        [("negotiation.issues[1].name", "term_end")],
        'negotiation.issues[1].name: expected a name no other issue has, got "term_end"',
    ),
    (
        M,
        [("negotiation.issues[0].values", [])],
        "negotiation.issues[0].values: expected a non-empty array, got []",
    ),
    (
        M,
        [("negotiation.issues[0].values", [2030, 2030])],
        "negotiation.issues[0].values[1]: expected a value not listed before, got 2030",
    ),
    (
        M,
        [("negotiation.issues[0].values", [2030, "2040"])],
        "negotiation.issues[0].values[1]: expected a number like the issue's first value, got \"2040\"",
    ),
    (
        M,
        [("negotiation.issues[3].values", [0.1, 1.5])],
        "negotiation.issues[3].values[1]: expected a value for rate of the deal's revenue_share clause (rate must be between 0 and 1), got 1.5",
    ),
    (
        M,
        [("negotiation.issues[4].values", ["exclusive", "shared"])],
        'negotiation.deal.clauses[3].include.in[0]: expected a value of issue cloud (exclusive, shared), got "rofr"',
    ),
    (
        M,
        [("negotiation.issues[1].values", [False, 1])],
        "negotiation.issues[1].values[1]: expected a boolean like the issue's first value, got 1",
    ),
    (
        M,
        [("negotiation.issues[0].extra", 1)],
        'negotiation.issues[0].extra: expected a known key (name, values), got "extra"',
    ),
    (
        M,
        [("negotiation.fixed", {"cloud": "open"})],
        'negotiation.fixed: expected a known key (deadline, deal, fallback, issues, n_steps, opens, parties, protocol, reopen, review, round, valuation), got "fixed"',
    ),
    (
        M,
        [("x", drop_issue(5))],
        'negotiation.deal.clauses[5].share.issue: expected one of (term_end, ip_expiry, ip_scope, revenue_share, cloud, investment_bn), got "equity"',
    ),
    (
        M,
        [("negotiation.deal", DEL)],
        "negotiation.deal: expected a table of the deal's clauses (domain is \"partnership\"), got nothing",
    ),
    (
        M,
        [("negotiation.deal.clauses", [])],
        "negotiation.deal.clauses: expected a non-empty array of clause tables, got []",
    ),
    (
        M,
        [("negotiation.deal.clauses[0].kind", "licence")],
        'negotiation.deal.clauses[0].kind: expected a clause kind (license, revenue_share, exclusivity, first_refusal, compute_commitment, investment, equity, agi_definition, non_compete), got "licence"',
    ),
    (
        M,
        [("negotiation.deal.clauses[2].workload", "everything")],
        "negotiation.deal.clauses[2]: expected a valid exclusivity clause, got workload must be one of api, all, new_capacity; got 'everything'",
    ),
    (
        M,
        [("negotiation.deal.clauses[3].include.in", ["shared"])],
        'negotiation.deal.clauses[3].include.in[0]: expected a value of issue cloud (exclusive, rofr, open), got "shared"',
    ),
    (
        M,
        [("negotiation.issues[1].values", ["agi_declared", "forever"])],
        "negotiation.issues[1].values[1]: expected a value for expiry of the deal's license clause (an expiry is a year (1000-9998), a date YYYY-MM-DD, agi_declared, agi_verified, term, or several joined by '|' (whichever comes first)), got \"forever\"",
    ),
    (
        M,
        [("negotiation.deal.term_end", "2030")],
        'negotiation.deal.term_end: expected a year or { issue = NAME }, got "2030"',
    ),
    (
        M,
        [("prelude[0].at", D(2026, 1, 1))],
        "prelude[0].at: expected a time before negotiation.opens (2025-07-01), got 2026-01-01",
    ),
    (
        M,
        [("prelude[2].at", D(2020, 1, 1))],
        "prelude[2].at: expected a time no earlier than prelude[1].at (2021-03-01), got 2020-01-01",
    ),
    (
        M,
        [("prelude[1].id", "2019-initial")],
        'prelude[1].id: expected an id no other prelude entry has, got "2019-initial"',
    ),
    (M, [("prelude[0].clauses", DEL)], "prelude[0].clauses: expected an array of clause tables, got nothing"),
    (
        M,
        [("prelude[0].clauses[6].share", 1.5)],
        "prelude[0].clauses[6]: share must be between 0 and 1, got 1.5",
    ),
    (
        M,
        [("prelude[0].clauses[0].licensee", DEL)],
        "prelude[0].clauses[0].licensee: missing (a license clause needs it)",
    ),
    (
        M,
        [("prelude[0].clauses[0].expiry", "at agi")],
        "prelude[0].clauses[0]: an expiry is a year (1000-9998), a date YYYY-MM-DD, agi_declared, agi_verified, term, or several joined by '|' (whichever comes first); got 'at agi'",
    ),
    (
        M,
        [("prelude[0].clauses[0].colour", "red")],
        "prelude[0].clauses[0].colour: not a parameter of a license clause (expiry, licensee, scope)",
    ),
    (
        M,
        [("prelude[1].clauses", []), ("prelude[1].amend.remove", ["license.models"])],
        'prelude[1].amend.remove: expected rights the contract grants (none), got "license.models"',
    ),
    (
        M,
        [("prelude[1].amend", DEL)],
        "prelude[1].amend: expected a table with remove/add (or clauses, a full list), got nothing",
    ),
    (
        M,
        [("prelude[1].amend.add[0].amount_bn", -2.0)],
        "prelude[1].amend.add[0]: amount_bn must be between 0 and 1e6, got -2.0",
    ),
    (
        M,
        [("prelude[4].amend.cloud", "shared")],
        'prelude[4].amend.cloud: expected a known key (add, remove, term_end), got "cloud"',
    ),
    (
        M,
        [("prelude[4].term_end", 2030.5)],
        "prelude[4].term_end: expected a year in [1000, 9998] (the contract runs through it), got 2030.5",
    ),
    (
        M,
        [("prelude[0].when", 1)],
        'prelude[0].when: expected a known key (amend, at, clauses, id, note, review, ruling, term_end), got "when"',
    ),
    (M, [("prelude", {"a": 1})], "prelude: expected an array of tables, got a table"),
    (
        M,
        [("prelude[0].at", "July 2019")],
        'prelude[0].at: expected a date or a number of months since scenario.start, got "July 2019"',
    ),
    (
        M,
        [("parties.openai", DEL)],
        "parties.openai: expected a table (negotiation.parties lists it), got nothing",
    ),
    (
        M,
        [("parties.google", {"strategy": "linear"})],
        'parties.google: expected only the parties in negotiation.parties (microsoft, openai), got "google"',
    ),
    (
        M,
        [("parties.microsoft.strategy", "greedy")],
        'parties.microsoft.strategy: expected one of (boulware, linear, conceder, aspiration, negmas-aspiration, tit-for-tat, hardliner, random, rubinstein, boa-boulware, boa-linear, boa-conceder, boa-tit-for-tat, tradeoff), got "greedy"',
    ),
    (
        M,
        [("parties.microsoft.strategy", DEL)],
        "parties.microsoft.strategy: expected one of (boulware, linear, conceder, aspiration, negmas-aspiration, tit-for-tat, hardliner, random, rubinstein, boa-boulware, boa-linear, boa-conceder, boa-tit-for-tat, tradeoff), got nothing",
    ),
    (
        M,
        [("parties.microsoft.reservation", 1.5)],
        "parties.microsoft.reservation: expected a number in [0, 1], got 1.5",
    ),
    (
        M,
        [("parties.microsoft.reservation", "high")],
        'parties.microsoft.reservation: expected a number in [0, 1] or a distribution table, got "high"',
    ),
    (
        M,
        [("parties.microsoft.discount", 0)],
        "parties.microsoft.discount: expected a number in (0, 1], got 0",
    ),
    (
        M,
        [("parties.microsoft.weights.cloud", DEL)],
        "parties.microsoft.weights.cloud: expected a weight >= 0, got nothing",
    ),
    (
        M,
        [("parties.microsoft.weights.cloud", -0.1)],
        "parties.microsoft.weights.cloud: expected a weight >= 0, got -0.1",
    ),
    (
        M,
        [("parties.microsoft.weights.cloud", 0.28)],
        "parties.microsoft.weights: expected weights summing to 1 (within 1e-06), got a sum of 1.1",
    ),
    (
        M,
        [("parties.microsoft.weights.colour", 0.0)],
        'parties.microsoft.weights.colour: expected an issue (term_end, ip_expiry, ip_scope, revenue_share, cloud, equity, investment_bn), got "colour"',
    ),
    (
        M,
        [("parties.microsoft.weights", DEL)],
        "parties.microsoft.weights: expected a table with one entry per issue, got nothing",
    ),
    (
        M,
        [("parties.microsoft.values.cloud", DEL)],
        'parties.microsoft.values.cloud: expected "increasing", "decreasing", "increasing-by-rank", "decreasing-by-rank" or a table of utilities, got nothing',
    ),
    (
        M,
        [("parties.microsoft.values.cloud", "up")],
        'parties.microsoft.values.cloud: expected "increasing", "decreasing", "increasing-by-rank", "decreasing-by-rank" or a table of utilities, got "up"',
    ),
    (
        M,
        [("parties.microsoft.values.cloud", {"exclusive": 1.0, "rofr": 0.5})],
        "parties.microsoft.values.cloud.open: expected a number in [0, 1], got nothing",
    ),
    (
        M,
        [("parties.microsoft.values.cloud", {"exclusive": 1.0, "rofr": 0.5, "open": 1.5})],
        "parties.microsoft.values.cloud.open: expected a number in [0, 1], got 1.5",
    ),
    (
        M,
        [
            (
                "parties.microsoft.values.cloud",
                {"exclusive": 1.0, "rofr": 0.5, "open": 0.0, "shared": 0.1},
            )
        ],
        'parties.microsoft.values.cloud.shared: expected a value of issue cloud (exclusive, rofr, open), got "shared"',
    ),
    (
        M,
        [
            (
                "parties.microsoft.values.investment_bn",
                {"0": 1, "5": 0.5, "5.0": 0.4, "10": 0.2, "20": 0},
            )
        ],
        "parties.microsoft.values.investment_bn.5.0: expected one utility per value, got a second one for 5",
    ),
    (
        M,
        [("parties.microsoft.values.colour", "increasing")],
        'parties.microsoft.values.colour: expected an issue (term_end, ip_expiry, ip_scope, revenue_share, cloud, equity, investment_bn), got "colour"',
    ),
    (
        M,
        [("parties.microsoft.params", {"exponent": [1, 2]})],
        "parties.microsoft.params.exponent: expected a boolean, number, string or distribution table, got [1, 2]",
    ),
    (
        M,
        [("parties.microsoft.params", {"bad key": 1})],
        'parties.microsoft.params.bad key: expected a name of letters, digits, "_" or "-", got "bad key"',
    ),
    (
        M,
        [("parties.microsoft.colour", "blue")],
        'parties.microsoft.colour: expected a known key (deadline, discount, name, params, patience, reservation, strategy, values, weights), got "colour"',
    ),
    (
        M,
        [("parties.microsoft.name", "")],
        'parties.microsoft.name: expected a non-empty string, got ""',
    ),
    (M, [("parties", DEL)], "parties: expected a table of named tables, got nothing"),
    (M, [("parties.microsoft", 3)], "parties.microsoft: expected a table, got 3"),
    (
        M,
        [("regulators.cma.strictness", 1.2)],
        "regulators.cma.strictness: expected a number in [0, 1], got 1.2",
    ),
    (
        M,
        [("regulators.cma.strictness", DEL)],
        "regulators.cma.strictness: expected a number in [0, 1] or a distribution table, got nothing",
    ),
    (
        M,
        [("regulators.cma.review_months", 0)],
        "regulators.cma.review_months: expected a number in (0, 1200], got 0",
    ),
    (
        M,
        [("regulators.cma.conditions", {"remove": "exclusivity.all"})],
        "regulators.cma.conditions.remove: expected a list of right names, got 'exclusivity.all'",
    ),
    (
        M,
        [("regulators.cma.conditions", {"colour": "x"})],
        'regulators.cma.conditions.colour: expected a known key (add, remove, term_end), got "colour"',
    ),
    (
        M,
        [("regulators.cma.speed", 1)],
        "regulators.cma.speed: expected a known key (complaint_delay, complaint_probability, "
        "complaints_from, conditions, control_threshold, name, powers, review_months, "
        'strictness), got "speed"',
    ),
    (
        M,
        [("regulators.uk cma", {})],
        'regulators.uk cma: expected a name of letters, digits, "_" or "-", got "uk cma"',
    ),
    (
        M,
        [("competitors.stargate.intensity", -1)],
        "competitors.stargate.intensity: expected a number in [0, 120], got -1",
    ),
    (
        M,
        [("competitors.stargate.value_bn", [60.0, 20.0])],
        "competitors.stargate.value_bn: expected [low, high] with 0 <= low <= high, got [60.0, 20.0]",
    ),
    (
        M,
        [("competitors.stargate.value_bn", [1.0])],
        "competitors.stargate.value_bn: expected an array [low, high] of numbers (USD bn), got [1.0]",
    ),
    (
        M,
        [("competitors.stargate.kind", "chips")],
        'competitors.stargate.kind: expected one of (cloud_capacity, investment), got "chips"',
    ),
    (
        M,
        [("competitors.stargate.boost", 2)],
        "competitors.stargate.boost: expected a number in [0, 1], got 2",
    ),
    (
        M,
        [("competitors.stargate.first", D(2037, 1, 1))],
        "competitors.stargate.first: expected a time before scenario.horizon (2036-01-01), got 2037-01-01",
    ),
    (M, [("rofr.window", 0)], "rofr.window: expected a number in (0, 1200], got 0"),
    (M, [("rofr.max_match_bn", -5)], "rofr.max_match_bn: expected a number in [0, 100000], got -5"),
    (
        M,
        [("rofr.max_match_bn", DEL)],
        "rofr.max_match_bn: expected a number in [0, 100000] or a distribution table, got nothing",
    ),
    (
        M,
        [("agi.at", DEL)],
        "agi.at: expected a date or a number of months since scenario.start, or a distribution table, got nothing",
    ),
    (
        M,
        [("agi.at", D(2040, 1, 1))],
        "agi.at: expected a time before scenario.horizon (2036-01-01), got 2040-01-01",
    ),
    (M, [("agi.at", 300)], "agi.at: expected a time before scenario.horizon (2036-01-01), got 300"),
    (M, [("agi.verification", "yes")], 'agi.verification: expected true or false, got "yes"'),
    (
        M,
        [("agi.verification_probability", 1.5)],
        "agi.verification_probability: expected a number in [0, 1], got 1.5",
    ),
    (
        M,
        [("agi.verification_delay", -1)],
        "agi.verification_delay: expected a number in [0, 1200], got -1",
    ),
    (
        M,
        [("agi.lapses", ["ip_access"])],
        'agi.lapses: expected a known key (at, belief, declared_by, verification, verification_delay, verification_probability), got "lapses"',
    ),
    (
        M,
        [("agi.at", {"dist": "beta", "low": 1, "high": 2})],
        'agi.at.dist: expected one of (choice, normal, triangular, uniform), got "beta"',
    ),
    (
        M,
        [("agi.at", {"low": 1, "high": 2})],
        "agi.at.dist: expected one of (choice, normal, triangular, uniform), got nothing",
    ),
    (
        M,
        [("agi.at", {"dist": "uniform", "low": D(2027, 1, 1)})],
        "agi.at.high: expected a date or a number of months since scenario.start, got nothing",
    ),
    (
        M,
        [("agi.at", {"dist": "uniform", "low": D(2030, 1, 1), "high": D(2027, 1, 1)})],
        "agi.at: expected low <= high, got low = 2030-01-01, high = 2027-01-01",
    ),
    (
        M,
        [
            (
                "agi.at",
                {
                    "dist": "triangular",
                    "low": D(2027, 1, 1),
                    "mode": D(2026, 1, 1),
                    "high": D(2030, 1, 1),
                },
            )
        ],
        "agi.at: expected low <= mode <= high, got low = 2027-01-01, mode = 2026-01-01, high = 2030-01-01",
    ),
    (
        M,
        [("agi.at", {"dist": "uniform", "low": D(2027, 1, 1), "high": D(2040, 1, 1)})],
        "agi.at.high: expected a time before scenario.horizon (2036-01-01), got 2040-01-01",
    ),
    (
        M,
        [("agi.at", {"dist": "normal", "mean": D(2029, 1, 1), "sd": 12})],
        "agi.at.low: expected a date or a number of months since scenario.start, got nothing",
    ),
    (
        M,
        [("regulators.cma.strictness", {"dist": "normal", "mean": 0.3, "sd": 0.1})],
        "regulators.cma.strictness.low: expected a number in [0, 1], got nothing",
    ),
    (
        M,
        [
            (
                "regulators.cma.strictness",
                {"dist": "normal", "mean": 0.3, "sd": -0.1, "low": 0, "high": 1},
            )
        ],
        "regulators.cma.strictness.sd: expected a number >= 0, got -0.1",
    ),
    (
        M,
        [
            (
                "regulators.cma.strictness",
                {"dist": "normal", "mean": 0.3, "sd": 0.1, "low": 0.9, "high": 0.1},
            )
        ],
        "regulators.cma.strictness: expected low <= high, got low = 0.9, high = 0.1",
    ),
    (
        M,
        [("regulators.cma.strictness", {"dist": "uniform", "low": 0.1, "high": 0.5, "mode": 0.2})],
        'regulators.cma.strictness.mode: expected a known key (dist, high, low), got "mode"',
    ),
    (
        M,
        [("regulators.cma.strictness", {"dist": "choice", "values": []})],
        "regulators.cma.strictness.values: expected a non-empty array of numbers, got []",
    ),
    (
        M,
        [("regulators.cma.strictness", {"dist": "choice", "values": [0.1, 1.5]})],
        "regulators.cma.strictness.values[1]: expected a number in [0, 1], got 1.5",
    ),
    (
        M,
        [("regulators.cma.strictness", {"dist": "choice", "values": [0.1, 0.5], "weights": [1]})],
        "regulators.cma.strictness.weights: expected an array of 2 numbers >= 0, got [1]",
    ),
    (
        M,
        [
            (
                "regulators.cma.strictness",
                {"dist": "choice", "values": [0.1, 0.5], "weights": [0, 0]},
            )
        ],
        "regulators.cma.strictness.weights: expected weights with a positive sum, got [0, 0]",
    ),
    (
        M,
        [("parties.microsoft.discount", {"dist": "uniform", "low": 0, "high": 1})],
        "parties.microsoft.discount.low: expected a number in (0, 1], got 0",
    ),
    (
        M,
        [("parties.microsoft.params", {"exponent": {"dist": "gamma"}})],
        'parties.microsoft.params.exponent.dist: expected one of (choice, normal, triangular, uniform), got "gamma"',
    ),
    (
        M,
        [("competitors.stargate.intensity", {"dist": "normal", "mean": 1, "sd": 0.5})],
        "competitors.stargate.intensity.low: expected a number in [0, 120], got nothing",
    ),
    (
        B,
        [("prelude", [{"at": 1}])],
        'prelude: expected no prelude (domain is "generic"), got [a table]',
    ),
    (
        B,
        [("rofr", {"window": 1})],
        'rofr: expected no rofr table (domain is "generic"), got a table',
    ),
    (
        B,
        [("competitors", {"x": {}})],
        'competitors: expected no competitors (domain is "generic"), got a table',
    ),
    (
        B,
        [("negotiation.deal", {"clauses": []})],
        'negotiation.deal: expected no deal (domain is "generic"), got a table',
    ),
    (
        B,
        [
            (
                "regulators",
                {"r": {"strictness": 0.1, "review_months": 1, "conditions": {"remove": ["x"]}}},
            )
        ],
        'regulators.r.conditions: expected an empty table (domain is "generic"), got a table',
    ),

    (
        B,
        [("negotiation.n_steps", DEL)],
        "negotiation.n_steps: expected an integer in [1, 1000000], got nothing",
    ),
    (
        B,
        [("negotiation.issues[2].values", ["fast", 1])],
        "negotiation.issues[2].values[1]: expected a string like the issue's first value, got 1",
    ),
    (
        B,
        [("negotiation.issues[2].values", ["fast", [1]])],
        "negotiation.issues[2].values[1]: expected a boolean, number or string, got [1]",
    ),
    (
        B,
        [("negotiation.issues[0].name", "unit price")],
        'negotiation.issues[0].name: expected a name of letters, digits, "_" or "-", got "unit price"',
    ),
    (
        B,
        [("scenario.horizon", D(2026, 1, 1))],
        "scenario.horizon: expected a number of steps since scenario.start, got 2026-01-01",
    ),
    (B, [("agi", {"at": 100})], "agi.at: expected a time before scenario.horizon (100), got 100"),
    (
        B,
        [("agi", {"at": D(2025, 2, 1)})],
        "agi.at: expected a number of steps since scenario.start, got 2025-02-01",
    ),

]


@pytest.mark.parametrize(
    ("base", "changes", "expected"),
    CASES,
    ids=[f"{i:03d}-{changes[0][0]}" for i, (_, changes, _) in enumerate(CASES)],
)
def test_malformed_key_gives_exact_one_line_message(
    base: str, changes: list[tuple[str, object]], expected: str
) -> None:
    message = error_for(base, changes)
    assert message == f"s.toml: {expected}"
    assert "\n" not in message


def test_messages_are_all_different() -> None:
    assert len({expected for _, _, expected in CASES}) > len(CASES) - 10


def test_scenario_error_is_an_input_error_with_exit_code_2() -> None:
    with pytest.raises(InputError) as info:
        scenario_from_raw({}, source="s.toml")
    assert info.value.exit_code == 2
    assert isinstance(info.value, ScenarioError)
    assert info.value.source == "s.toml"
    assert info.value.key == "scenario"


def test_toml_syntax_error_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.toml"
    path.write_text('[scenario]\nname = "x"\nstart = 2019-01-01 oops\n', encoding="utf-8")
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    # the text after "got" is tomllib's own message (lower-cased first letter)
    assert re.fullmatch(
        rf"{re.escape(str(path))}: line 3: expected valid TOML, got [a-z][^\n]*"
        r"\(at line 3, column \d+\)",
        str(info.value),
    ), str(info.value)


def test_duplicate_toml_key_is_a_syntax_error(tmp_path: Path) -> None:
    path = tmp_path / "dup.toml"
    path.write_text('[scenario]\nname = "x"\nname = "y"\n', encoding="utf-8")
    with pytest.raises(ScenarioError, match=r"^.*dup\.toml: line 3: expected valid TOML, got "):
        load_scenario(path)


def test_missing_file_lists_the_builtins(tmp_path: Path) -> None:
    path = tmp_path / "nope.toml"
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    assert str(info.value) == (
        f"{path}: no such scenario file or built-in scenario "
        "(built-ins: msft-openai, bilateral-demo)"
    )
    with pytest.raises(ScenarioError, match=r"^msft-openia: no such scenario file"):
        load_scenario("msft-openia")


def test_a_file_that_is_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "latin1.toml"
    path.write_bytes(b'[scenario]\nname = "caf\xe9"\n')
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    assert str(info.value) == f"{path}: expected UTF-8 text, got an undecodable byte at offset 22"


def test_errors_in_a_file_name_the_path(tmp_path: Path) -> None:
    text = builtin_text(B).replace('strategy = "boulware"', 'strategy = "greedy"')
    path = tmp_path / "demo.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ScenarioError) as info:
        load_scenario(str(path))
    assert str(info.value).startswith(f"{path}: parties.buyer.strategy: expected one of (")
    assert str(info.value).endswith('got "greedy"')


def test_a_dotted_bare_float_key_in_a_value_table_is_accepted() -> None:
    # revenue_share = { 0.08 = 1.0 } is TOML for {"0": {"08": 1.0}}; it means 0.08.
    text = builtin_text(M).replace(
        'revenue_share = "increasing-by-rank"',
        "revenue_share = { 0.08 = 0.0, 0.12 = 0.5, 0.16 = 0.75, 0.2 = 1.0 }",
    )
    scenario = scenario_from_raw(parse_toml(text, "s.toml"), source="s.toml")
    assert scenario.party("microsoft").value_table("revenue_share") == {
        0.08: 0.0,
        0.12: 0.5,
        0.16: 0.75,
        0.2: 1.0,
    }
