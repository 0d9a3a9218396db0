"""Clocks. The conductor reads time only from a clock object: the wall clock live,
the engine's sample clock when rendering, so a render gives the same notes as a live run."""

from __future__ import annotations

import time
from typing import Protocol


class Clock(Protocol):
    """Anything that tells the time in seconds."""

    def now(self) -> float:
        """Current time in seconds."""
        ...


class WallClock:
    """The system's monotonic clock, shared by every process on this machine."""

    def now(self) -> float:
        return time.monotonic()


class SampleClock:
    """Time counted in audio frames, advanced one buffer at a time by an offline render."""

    def __init__(self, sample_rate: int, buffer_size: int) -> None:
        self.sample_rate = sample_rate
        self.buffer_size = buffer_size
        self.frames = 0

    def now(self) -> float:
        return self.frames / self.sample_rate

    def tick(self) -> None:
        """Advance by one buffer."""
        self.frames += self.buffer_size


class ManualClock:
    """A clock tests set by hand, so nothing ever sleeps to wait."""

    def __init__(self, start: float = 0.0) -> None:
        self.t = start

    def now(self) -> float:
        return self.t

    def advance(self, seconds: float) -> None:
        self.t += seconds
