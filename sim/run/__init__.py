"""One run: what a simulation gives back (``result``) and its summary row (``summary``).

A batch (``sim.batch``) stores these rows for many runs; the CLI (``sim.cli``) prints
them for one.
"""
