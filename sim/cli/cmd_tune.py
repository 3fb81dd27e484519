"""``negsim tune``: search a strategy's parameters."""

from sim.cli.app import not_implemented

command = not_implemented("tune", "Search a strategy's parameters.")
