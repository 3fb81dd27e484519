"""``negsim mc``: run a Monte Carlo batch."""

from sim.cli.app import not_implemented

command = not_implemented("mc", "Run a Monte Carlo batch.")
