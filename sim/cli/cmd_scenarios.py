"""``negsim scenarios``: list the built-in scenarios."""

from sim.cli.app import not_implemented

command = not_implemented("scenarios", "List the built-in scenarios.")
