"""MIDI clock out, as pure logic: which clock bytes go out in which buffer, from a tempo map the conductor sends
ahead of time (``Clock`` messages), so the audio callback only does a few sums per buffer.

Each segment says where the song is at one moment (its position in beats at conductor time ``at``) and how fast it
goes from there; a segment replaces every one planned at or after its time. Ticks (0xF8, 24 a beat) fall where the
song's position is a whole tick. ``START`` sends Start (0xFA) and counts from 0; ``LOCATE`` sends Song Position
Pointer (0xF2, in sixteenths) and Continue (0xFB) on the next sixteenth, after a Stop if the clock runs; ``STOP``
sends Stop (0xFC). ``RUN`` only sets the pace: if the engine's count disagrees with it by more than a tick (a new
engine, a restarted conductor), it locates there instead, so a receiver always counts what the conductor means.

The first clock after Start or Continue is the downbeat of the position it names, as the MIDI spec has it. Ticks
are placed on the frame they fall on; a late one (after an xrun) goes out at once, at most ``MAX_PER_BUFFER`` a
buffer."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable

from synthesis.protocol import Clock, ClockMode

PPQ = 24  # MIDI clocks a beat
PER_SIXTEENTH = PPQ // 4  # Song Position Pointer counts sixteenths
TICK, START, CONTINUE, STOP, SONG_POSITION = 0xF8, 0xFA, 0xFB, 0xFC, 0xF2
MAX_PER_BUFFER = 64  # clocks sent in one buffer at most, however late (a 4096-frame buffer at 300 bpm holds 11)
AGREE = 1  # ticks the engine's count may differ from a RUN segment's before it locates

FrameOf = Callable[[float], int]  # conductor time (s) -> engine frame


def song_position(sixteenths: int) -> list[int]:
    """Song Position Pointer bytes: the position in sixteenths, 14 bits, least significant seven first."""
    value = min(max(0, sixteenths), 0x3FFF)
    return [SONG_POSITION, value & 0x7F, value >> 7]


@dataclass(frozen=True)
class Segment:
    """A stretch of the tempo map: the song is at tick ``tick`` at conductor time ``at`` and goes on at
    ``seconds_per_tick`` (inf: it holds there)."""

    at: float
    tick: float
    seconds_per_tick: float
    mode: ClockMode

    @classmethod
    def of(cls, clock: Clock) -> Segment | None:
        """The segment a message asks for; None for values no tempo map can hold (NaN, a negative tempo)."""
        finite = math.isfinite(clock.at) and math.isfinite(clock.position)
        if not finite or not clock.seconds_per_beat > 0:
            return None
        return cls(clock.at, clock.position * PPQ, clock.seconds_per_beat / PPQ, clock.mode)

    def time_of(self, tick: int) -> float:
        """Conductor time of song tick ``tick`` (before ``at`` for earlier ones; inf while held)."""
        if math.isinf(self.seconds_per_tick):
            return self.at if tick <= self.tick else math.inf
        return self.at + (tick - self.tick) * self.seconds_per_tick

    def first_tick(self) -> int:
        """The first whole tick at or after the segment's start."""
        return math.ceil(self.tick - 1e-6)


class ClockOut:
    """The clock's state in the engine: the segment in force, those still to come, and the next tick to send."""

    def __init__(self) -> None:
        self.pending: list[Segment] = []  # in time order
        self.current: Segment | None = None
        self.running = False
        self.next_tick = 0

    def plan(self, segment: Segment) -> None:
        """Take a segment of the tempo map: it replaces those planned at or after its time."""
        self.pending = [s for s in self.pending if s.at < segment.at] + [segment]

    def due(self, end: int, frame_of: FrameOf) -> list[list[int]]:
        """The clock bytes of everything that falls before frame ``end`` (and is not sent yet), in order."""
        out: list[list[int]] = []
        ticks = 0
        while ticks < MAX_PER_BUFFER:
            change = self._frame(self.pending[0].at, frame_of) if self.pending else math.inf
            tick = self._frame(self.current.time_of(self.next_tick), frame_of) if self.running and \
                self.current is not None else math.inf
            if min(change, tick) >= end:
                break
            if change <= tick:
                out += self._enter(self.pending.pop(0))
            else:
                out.append([TICK])
                self.next_tick += 1
                ticks += 1
        return out

    @staticmethod
    def _frame(t: float, frame_of: FrameOf) -> float:
        return frame_of(t) if math.isfinite(t) else math.inf

    def _enter(self, segment: Segment) -> list[list[int]]:
        """The segment's time has come: what its mode sends now."""
        self.current = segment
        if segment.mode is ClockMode.START:
            out, self.running, self.next_tick = self._stopped(), True, 0
            return out + [[START]]
        if segment.mode is ClockMode.STOP:
            return self._stopped()
        if segment.mode is ClockMode.LOCATE or not self._agrees(segment):
            return self._locate(segment)
        return []

    def _agrees(self, segment: Segment) -> bool:
        """Whether the clock runs and its count is where a RUN segment says the song is."""
        return self.running and abs(self.next_tick - segment.first_tick()) <= AGREE

    def _locate(self, segment: Segment) -> list[list[int]]:
        """Stop (if running), then the song's next sixteenth and Continue: its first clock falls on that sixteenth."""
        sixteenth = math.ceil(segment.first_tick() / PER_SIXTEENTH)
        out = self._stopped()
        self.running, self.next_tick = True, sixteenth * PER_SIXTEENTH
        return out + [song_position(sixteenth), [CONTINUE]]

    def _stopped(self) -> list[list[int]]:
        """Stop, if the clock runs."""
        was, self.running = self.running, False
        return [[STOP]] if was else []
