"""Where a scene's beats fall on the conductor's clock: at a fixed tempo from the scene's start, or following an
Ableton Link session's tempo and phase (its beat 0 on a bar line of the session's)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


class Timeline(Protocol):
    """Beats of a scene against conductor time (seconds)."""

    def time_of(self, beat: float) -> float: ...

    def beat_at(self, t: float) -> float: ...

    def seconds_per_beat(self) -> float: ...


class BeatClock(Protocol):
    """A shared beat timeline (an Ableton Link session): its tempo and beats against conductor time."""

    def tempo(self) -> float: ...

    def beat_at(self, t: float) -> float: ...

    def time_at_beat(self, beat: float) -> float: ...


@dataclass(frozen=True)
class FixedTimeline:
    """A fixed tempo from ``start``."""

    start: float
    spb: float  # seconds per beat

    def time_of(self, beat: float) -> float:
        return self.start + beat * self.spb

    def beat_at(self, t: float) -> float:
        return (t - self.start) / self.spb

    def seconds_per_beat(self) -> float:
        return self.spb


class FollowTimeline:
    """A shared clock's tempo and phase: the scene's beat 0 is the clock's beat at the scene's start, and every
    later beat falls where the clock puts it now (a tempo change moves the beats still to come)."""

    def __init__(self, clock: BeatClock, start: float) -> None:
        self.clock = clock
        self.origin = clock.beat_at(start)

    def time_of(self, beat: float) -> float:
        return self.clock.time_at_beat(self.origin + beat)

    def beat_at(self, t: float) -> float:
        return self.clock.beat_at(t) - self.origin

    def seconds_per_beat(self) -> float:
        return 60.0 / self.clock.tempo()


def bar_line_at_or_after(clock: BeatClock, t: float, quantum: float) -> float:
    """The first time at or after ``t`` where the clock's beat is a multiple of ``quantum``."""
    beat = clock.beat_at(t)
    bar = -(-beat // quantum) * quantum if beat % quantum > 1e-6 else beat - beat % quantum
    return clock.time_at_beat(bar)
