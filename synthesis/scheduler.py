"""Sample-accurate scheduling, as pure logic: which notes start in which buffer, at which offset.

The engine calls ``due()`` once per buffer from pyo's callback; no pyo object is touched here."""

from __future__ import annotations

import heapq
import itertools
from dataclasses import dataclass, field
from typing import Union

from synthesis.protocol import Note, Param, Thru

Timed = Union[Note, Param, Thru]


class FrameClock:
    """Maps the conductor's clock (seconds) to engine frames.

    Offline, frame 0 is time 0. Live, each buffer callback reports the wall time at which it runs; the earliest
    such report (callbacks are late, never early) pins the mapping, which may creep later slowly to follow drift."""

    DRIFT_RATE = 1e-3  # fraction of a later report accepted per buffer

    def __init__(self, sample_rate: int, origin: float | None = 0.0) -> None:
        self.sample_rate = sample_rate
        self.origin = origin

    def observe(self, wall_time: float, frame: int) -> None:
        """Record that buffer ``frame`` is being computed at ``wall_time``."""
        candidate = wall_time - frame / self.sample_rate
        if self.origin is None or candidate < self.origin:
            self.origin = candidate
        else:
            self.origin += (candidate - self.origin) * self.DRIFT_RATE

    def frame_of(self, t: float) -> int:
        """The frame at which conductor time ``t`` falls."""
        assert self.origin is not None, "observe() a buffer before scheduling live"
        return round((t - self.origin) * self.sample_rate)


@dataclass
class Scheduler:
    """Pending notes (and timed parameter changes) ordered by frame. Late ones happen at once and are counted."""

    pending: list[tuple[int, int, Timed]] = field(default_factory=list)
    late: int = 0
    _order: itertools.count = field(default_factory=itertools.count)

    def push(self, item: Timed, frame: int) -> None:
        heapq.heappush(self.pending, (frame, next(self._order), item))

    def due(self, buffer_start: int, buffer_size: int) -> list[tuple[int, Timed]]:
        """Pop what falls in this buffer, each with its offset in frames (0 for late ones)."""
        out: list[tuple[int, Timed]] = []
        end = buffer_start + buffer_size
        while self.pending and self.pending[0][0] < end:
            frame, _, note = heapq.heappop(self.pending)
            if frame < buffer_start:
                self.late += 1
                frame = buffer_start
            out.append((frame - buffer_start, note))
        return out

    def clear(self) -> int:
        """Forget every pending note; return how many there were."""
        count = len(self.pending)
        self.pending.clear()
        return count
