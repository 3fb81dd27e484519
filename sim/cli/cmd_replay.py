"""``negsim replay``: verify a log and print the contract state it implies."""

from sim.cli.app import not_implemented

command = not_implemented("replay", "Verify a log and print the contract state it implies.")
