"""``negsim plot``: draw a run's timeline or a batch's distributions."""

from sim.cli.app import not_implemented

command = not_implemented("plot", "Draw a run's timeline or a batch's distributions.")
