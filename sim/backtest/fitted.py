"""A calibration's result as scenario distributions, and a scenario file holding them.

Each continuous parameter becomes a normal distribution with the posterior's weighted
mean and standard deviation, clipped to the prior's range (the range the scenario or
``--param`` allowed); a ``choice`` parameter keeps its values with the posterior's
weights. That is a summary (a posterior need not be normal): the posterior table
(``--out``) holds the sample itself.

The scenario is written as TOML (``tomli-w``, the ``calibrate`` extra) from the
scenario's canonical data, with a comment saying where the fitted values came from.
"""

from __future__ import annotations

import math
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs

from events import __version__
from events.errors import InputError

if TYPE_CHECKING:
    from sim.backtest.calibrate import CalibrationResult


def fitted_distributions(result: CalibrationResult) -> dict[str, dict[str, Any]]:
    """``{key: distribution table}`` fitted to the posterior (see the module doc)."""
    out: dict[str, dict[str, Any]] = {}
    w = result.weights / result.weights.sum()
    for column, (key, prior) in enumerate(
        zip(result.prior.keys, result.prior.distributions, strict=True)
    ):
        x = result.theta[:, column]
        if prior.dist == "choice":
            mass: dict[Any, float] = {}
            for value, weight in zip(x, w, strict=True):
                match = min(prior.values, key=lambda v: abs(float(v) - value))
                mass[match] = mass.get(match, 0.0) + float(weight)
            values = [v for v in prior.values if mass.get(v, 0.0) > 0]
            out[key] = {
                "dist": "choice",
                "values": values,
                "weights": [round(mass[v], 6) for v in values],
            }
            continue
        mean = float(w @ x)
        sd = math.sqrt(max(0.0, float(w @ (x - mean) ** 2)))
        low, high = prior.support()
        floor = 1e-6 * (high - low) if math.isfinite(high - low) else 1e-6
        table: dict[str, Any] = {"dist": "normal", "mean": mean, "sd": max(sd, floor)}
        if math.isfinite(low):
            table["low"] = low
        if math.isfinite(high):
            table["high"] = high
        out[key] = table
    return out


def _toml_table(table: dict[str, Any]) -> str:
    parts = []
    for key, value in table.items():
        if isinstance(value, str):
            parts.append(f'{key}="{value}"')
        elif isinstance(value, list):
            parts.append(f"{key}=[{', '.join(repr(v) for v in value)}]")
        else:
            parts.append(f"{key}={value!r}")
    return "{" + ", ".join(parts) + "}"


def write_fitted_scenario(result: CalibrationResult, path: str | os.PathLike[str]) -> Path:
    """Write the scenario with its parameters replaced by the fitted distributions."""
    try:
        import tomli_w
    except ImportError:
        raise InputError("--write-scenario needs tomli-w: install negsim[calibrate]") from None
    from events.files import write_whole

    fitted = fitted_distributions(result)
    scenario = result.scenario.with_overrides(
        assignments=[f"{key}={_toml_table(table)}" for key, table in fitted.items()]
    )
    scenario = attrs.evolve(scenario, name=f"{result.scenario.name}-fitted")
    body = tomli_w.dumps(_without_none(scenario.to_data()))
    last = result.generations[-1]
    summary = result.summary()
    lines = [
        f"# Fitted by negsim calibrate {__version__} from",
        f"#   scenario: {result.source}",
        f"#   observations: {result.observations_source}",
        f"#   method {result.method}: {len(result.generations)} generation(s) of "
        f"{last.simulated} runs, master seed {result.seed};",
        f"#   acceptance rate {last.acceptance_rate:.3f}, effective sample size {result.ess:.1f}.",
        "# Each fitted parameter is a normal with the posterior's mean and sd, clipped",
        "# to the prior's range (a choice keeps the posterior's weights):",
    ]
    for key in result.keys:
        s = summary[key]
        lines.append(f"#   {key}: mean {s['mean']:.4g}, sd {s['sd']:.4g},")
        lines.append(f"#     90% credible interval [{s['q05']:.4g}, {s['q95']:.4g}]")
    text = "\n".join(lines) + "\n\n" + body
    target = Path(path)
    write_whole(target, text.encode("utf-8"), what="scenario")
    return target


def _without_none(value: Any) -> Any:
    """TOML has no null: absent optional values are left out (the loader's defaults)."""
    if isinstance(value, dict):
        return {k: _without_none(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_without_none(v) for v in value if v is not None]
    return value
