"""``negsim run``: run one seeded simulation and print its summary."""

from sim.cli.app import not_implemented

command = not_implemented("run", "Run one seeded simulation and print its summary.")
