"""Sample-accurate scheduling, as pure logic: which notes start in which buffer, at which offset.

The engine calls ``due()`` once per buffer from pyo's callback; no pyo object is touched here."""

from __future__ import annotations

import heapq
import itertools
import math
from dataclasses import dataclass, field
from typing import Callable, Union

from synthesis.protocol import Cut, Loudness, Note, Param, Thru

Timed = Union[Note, Param, Thru, Loudness, Cut]


class FrameClock:
    """Maps the conductor's clock (seconds) to engine frames.

    Offline, frame 0 is time 0. Live, each buffer callback reports the wall time at which it runs. The earliest
    report (callbacks are late, never early) pins the mapping, which creeps later slowly to follow drift. When
    the audio loses time (an xrun drops cycles, or a starved server runs slow), every report for WINDOW seconds
    comes later than the mapping: it then steps to the latest, so notes keep to the wall clock instead
    of sounding late from then on."""

    DRIFT_RATE = 1e-3  # fraction of a later report accepted per buffer
    WINDOW = 0.25  # seconds of reports all later than the mapping that mean the audio lost time
    STEP = 0.002  # seconds those reports must all be late by

    def __init__(self, sample_rate: int, origin: float | None = 0.0) -> None:
        self.sample_rate = sample_rate
        self.origin = origin
        self._on_time = -math.inf  # wall time of the latest report no later than the mapping (within STEP)

    def observe(self, wall_time: float, frame: int) -> None:
        """Record that buffer ``frame`` is being computed at ``wall_time``."""
        candidate = wall_time - frame / self.sample_rate
        if self.origin is None or candidate < self.origin:
            self.origin = candidate
        if candidate <= self.origin + self.STEP:
            self._on_time = wall_time
        if wall_time - self._on_time >= self.WINDOW:  # the audio lost time: follow it at once
            self.origin, self._on_time = candidate, wall_time
        else:
            self.origin += (candidate - self.origin) * self.DRIFT_RATE

    def frame_of(self, t: float) -> int:
        """The frame at which conductor time ``t`` falls."""
        assert self.origin is not None, "observe() a buffer before scheduling live"
        return round((t - self.origin) * self.sample_rate)


@dataclass
class Scheduler:
    """Pending notes (and timed parameter changes) in the order of their times on the conductor's clock (seconds;
    minus infinity for "at once"). Their frames are worked out each buffer from the clock's mapping, so pending
    notes follow it when it moves. Late ones happen at once; late notes are counted (a parameter change sent "at
    once" with its control tick's time is expected a little after it)."""

    pending: list[tuple[float, int, Timed]] = field(default_factory=list)
    late: int = 0
    _order: itertools.count = field(default_factory=itertools.count)

    def push(self, item: Timed, t: float) -> None:
        heapq.heappush(self.pending, (t, next(self._order), item))

    def due(self, buffer_start: int, buffer_size: int, frame_of: Callable[[float], int]) -> list[tuple[int, Timed]]:
        """Pop what falls in this buffer, each with its offset in frames (0 for late ones)."""
        out: list[tuple[int, Timed]] = []
        end = buffer_start + buffer_size
        while self.pending:
            t = self.pending[0][0]
            frame = buffer_start if t == -math.inf else frame_of(t)
            if frame >= end:
                break
            _, _, item = heapq.heappop(self.pending)
            if frame < buffer_start:
                self.late += isinstance(item, Note)
                frame = buffer_start
            out.append((frame - buffer_start, item))
        return out

    def clear(self) -> int:
        """Forget every pending note; return how many there were."""
        count = len(self.pending)
        self.pending.clear()
        return count
