"""``negsim verify``: check a log's hash chain and structure."""

from sim.cli.app import not_implemented

command = not_implemented("verify", "Check a log's hash chain and structure.")
