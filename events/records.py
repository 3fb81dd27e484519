"""A verified log's records, each event built when it is first read.

``verify`` checks every line of a log whole (its schema, its terms, the chain), but
most of what a replay does with the records needs no more than each event's type:
the fold opens the talks on every offer and answer, and those are nearly all of a
log. Building an attrs event per line (and keeping it) costs as much as checking the
line, so ``verify``'s fast path keeps, per line, only its bytes, its time and its
event class, and builds an event from the line's bytes when a caller reads it (then
keeps it). The line was checked already, so building it cannot fail.

``LazyRecords`` is a ``Sequence[Recorded]`` like the list it stands for: it indexes,
slices (a slice shares nothing mutable), iterates, and compares equal to a list of
the same records. ``kinds``, ``times`` and ``first_seq`` let the fold and the
queries of ``events.replay`` skip the events they do not read.
"""

from __future__ import annotations

from array import array
from collections.abc import Callable, Iterator, Sequence
from typing import Any, overload

from events.codec import Recorded
from events.model import Event


class LazyRecords(Sequence[Recorded]):
    """Records ``first_seq``, ``first_seq + 1``, ... of a verified log."""

    __slots__ = ("_cache", "_decode", "_lines", "first_seq", "kinds", "times")

    def __init__(
        self,
        lines: list[bytes],
        kinds: list[type],
        times: array[float],
        cache: list[Recorded | None],
        decode: Callable[[bytes], Any],
        first_seq: int = 0,
    ) -> None:
        self._lines = lines
        self.kinds = kinds  # each record's event class
        self.times = times  # each record's t (never decreasing: verified)
        self._cache = cache  # the records built so far (None: not yet)
        self._decode = decode  # a line's bytes -> its struct (events.typed_lines)
        self.first_seq = first_seq

    def __len__(self) -> int:
        return len(self.kinds)

    @overload
    def __getitem__(self, index: int) -> Recorded: ...

    @overload
    def __getitem__(self, index: slice) -> Sequence[Recorded]: ...

    def __getitem__(self, index: int | slice) -> Recorded | Sequence[Recorded]:
        if isinstance(index, slice):
            start, stop, step = index.indices(len(self.kinds))
            if step != 1:
                return [self[i] for i in range(start, stop, step)]
            return LazyRecords(
                self._lines[start:stop],
                self.kinds[start:stop],
                self.times[start:stop],
                self._cache[start:stop],
                self._decode,
                self.first_seq + start,
            )
        record = self._cache[index]  # IndexError and negative indices as a list's
        if record is None:
            if index < 0:
                index += len(self.kinds)
            record = self._cache[index] = self._build(index)
        return record

    def __iter__(self) -> Iterator[Recorded]:
        cache = self._cache
        for index in range(len(cache)):
            record = cache[index]
            if record is None:
                record = cache[index] = self._build(index)
            yield record

    def event(self, index: int) -> Event:
        """The event of record ``index`` (0-based in this sequence)."""
        return self[index][2]

    def _build(self, index: int) -> Recorded:
        event = self._decode(self._lines[index]).event()
        return tuple.__new__(Recorded, (self.first_seq + index, self.times[index], event))

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Sequence) and not isinstance(other, (str, bytes, bytearray)):
            return len(self) == len(other) and list(self) == list(other)
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]  # a sequence compared by value, as a list

    def __repr__(self) -> str:
        return f"LazyRecords({len(self)} records from seq {self.first_seq})"


__all__ = ["LazyRecords"]
