"""negsim benchmarks: ``python -m bench [NAME ...]``.

Every benchmark measures its own baseline in the same run and prints one JSON line
``{"bench", "value", "unit", "baseline", "ratio", ...}``; the machines are shared and
noisy, so only the ratio is meant to be compared across runs.
"""
