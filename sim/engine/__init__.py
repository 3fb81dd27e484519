"""One simulation: the engine and what it builds a run from.

- ``simulation``: ``simulate``/``Simulation``, the running world (``EngineWorld``)
  that records and routes every event, and the scenario's history (the prelude);
- ``config``: the world's rules as one frozen value (``WorldConfig``, ``config_for``);
- ``actors``: one builder per kind of actor (regulators, competitors, the milestone...);
- ``talks``: the negotiation as rounds of talks, and its negotiators;
- ``money``, ``party_utility``, ``party_valuation``: the money model and each party's
  utility and world-dependent valuation;
- ``event_budget``: how many events a run may record.
"""

from sim.engine.simulation import EngineWorld, LogSink, Simulation, prelude_process, simulate

__all__ = ["EngineWorld", "LogSink", "Simulation", "prelude_process", "simulate"]
