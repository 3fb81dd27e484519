"""``negsim tournament``: play every pair of strategies against each other."""

from sim.cli.app import not_implemented

command = not_implemented("tournament", "Play every pair of strategies against each other.")
