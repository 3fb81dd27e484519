"""Seeds and random streams.

A run's seed is written ``S`` (a single run: ``SeedSequence(S)``) or ``S:i`` (run i
of a batch with master seed S: ``SeedSequence(S, spawn_key=(i,))``, which is exactly
``SeedSequence(S).spawn(N)[i]`` for any N > i). So run i of a batch can be re-run
alone with ``negsim run --seed S:i``, and its result depends neither on N, nor on the
worker count, nor on the executor.

Inside a run every actor draws from its own stream, keyed by a stable hash of its
name (``stream(seed, "party:microsoft")``), so adding a party never shifts another's
stream, and nothing depends on Python's hash seed.
"""

from __future__ import annotations

import hashlib
import re

import attrs
import numpy as np

# ASCII digits only (``\d`` would take "١", an Arabic-Indic one, as 1), and at most
# 39 of them per part: 2**128 has 39 digits, far beyond any useful seed.
_PART = r"[0-9]{1,39}"
_SEED = re.compile(rf"({_PART})(?::({_PART}(?::{_PART})*))?")


@attrs.frozen
class RunSeed:
    """Master entropy plus a spawn path: ``S`` or ``S:i`` (or deeper, ``S:i:j``)."""

    entropy: int
    spawn_key: tuple[int, ...] = ()

    @classmethod
    def parse(cls, text: str | int) -> RunSeed:
        match = _SEED.fullmatch(str(text).strip())
        if not match:
            raise ValueError(
                f"expected a seed like 42 or 42:7 (non-negative integers of ASCII digits), "
                f"got {text!r}"
            )
        path = tuple(int(part) for part in match.group(2).split(":")) if match.group(2) else ()
        return cls(int(match.group(1)), path)

    def child(self, index: int) -> RunSeed:
        return RunSeed(self.entropy, (*self.spawn_key, index))

    def __str__(self) -> str:
        return ":".join(str(part) for part in (self.entropy, *self.spawn_key))

    def sequence(self) -> np.random.SeedSequence:
        return np.random.SeedSequence(self.entropy, spawn_key=self.spawn_key)


def stream_key(name: str) -> int:
    """A stable 32-bit key for a stream name (independent of PYTHONHASHSEED)."""
    return int.from_bytes(hashlib.sha256(name.encode()).digest()[:4], "big")


def stream(seed: RunSeed, name: str) -> np.random.Generator:
    """The generator for one named actor or purpose within a run."""
    sequence = np.random.SeedSequence(seed.entropy, spawn_key=(*seed.spawn_key, stream_key(name)))
    return np.random.Generator(np.random.PCG64(sequence))
