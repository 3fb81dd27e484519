"""``negsim export``: write one run's log from a batch store."""

from sim.cli.app import not_implemented

command = not_implemented("export", "Write one run's log from a batch store.")
