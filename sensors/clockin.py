"""Following an incoming MIDI clock, as pure logic: its tempo from the times its clocks were heard (a straight line
fitted through the last two beats of them, so one clock heard late moves it little), its beats counted from Start
(or from the Song Position Pointer before a Continue), and its transport. It is a beat timeline a scene can follow
(``tempo``, ``beat_at``, ``time_at_beat``), as it would a Link session.

The MIDI thread feeds messages with the time each was read; the conductor reads the fit, one immutable object
replaced whole, so no lock is needed. Transport changes wait in a short queue for the conductor to take."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from enum import Enum

PPQ = 24  # MIDI clocks a beat
TICK, START, CONTINUE, STOP, SONG_POSITION = 0xF8, 0xFA, 0xFB, 0xFC, 0xF2
WINDOW = 2 * PPQ  # clocks the tempo is fitted over
GAP = 0.5  # seconds without a clock after which the clocks before are not fitted with those after
SLOWEST, FASTEST = 20.0, 300.0  # bpm an estimate is held within (a scene's tempo range)


class Transport(str, Enum):
    """What the incoming clock's master did."""

    START = "start"  # from the top
    CONTINUE = "continue"  # from where it stopped, or where a Song Position Pointer put it
    STOP = "stop"


@dataclass(frozen=True)
class Fit:
    """The clock heard so far: clock ``n`` (counted as heard) falls at ``at + n * seconds``, and is the song's
    clock ``n - offset``."""

    at: float
    seconds: float
    offset: float

    def time_of(self, song_tick: float) -> float:
        return self.at + (song_tick + self.offset) * self.seconds

    def tick_at(self, t: float) -> float:
        return (t - self.at) / self.seconds - self.offset


def fitted(points: deque[tuple[int, float]], seconds: float) -> tuple[float, float]:
    """The line ``time = at + n * seconds`` through (n, time) points, least squares; one point keeps ``seconds``."""
    n0, t0 = points[-1]
    if len(points) > 1:
        mean_n = sum(n for n, _ in points) / len(points)
        mean_t = sum(t for _, t in points) / len(points)
        var = sum((n - mean_n) ** 2 for n, _ in points)
        seconds = sum((n - mean_n) * (t - mean_t) for n, t in points) / var
        seconds = min(max(seconds, 60.0 / FASTEST / PPQ), 60.0 / SLOWEST / PPQ)
        return mean_t - mean_n * seconds, seconds
    return t0 - n0 * seconds, seconds


class ClockFollower:
    """An incoming MIDI clock, fed message by message (``feed``). Before any clock is heard it runs at ``tempo``."""

    def __init__(self, tempo: float) -> None:
        self.fit = Fit(0.0, 60.0 / tempo / PPQ, 0.0)
        self.running = False
        self.position = 0  # the song's clock that the next Start or Continue resumes from
        self.heard = 0  # clocks heard in all
        self._armed = False  # a Start or Continue heard: the next clock is the downbeat of ``position``
        self._points: deque[tuple[int, float]] = deque(maxlen=WINDOW)
        self._transport: deque[tuple[Transport, float]] = deque(maxlen=16)

    @property
    def steady(self) -> bool:
        """Whether a beat of clocks has come at a steady pace, so the tempo is known (a master that sends clocks
        only while playing has sent none before its Start)."""
        return len(self._points) >= PPQ

    def tempo(self) -> float:
        return 60.0 / (self.fit.seconds * PPQ)

    def beat_at(self, t: float) -> float:
        return self.fit.tick_at(t) / PPQ

    def time_at_beat(self, beat: float) -> float:
        return self.fit.time_of(beat * PPQ)

    def take(self) -> list[tuple[Transport, float]]:
        """The transport changes heard since the last call, oldest first, each with its time."""
        out = []
        while self._transport:
            out.append(self._transport.popleft())
        return out

    def feed(self, data: list[int] | bytes, t: float) -> None:
        """One message heard at ``t``; anything but the clock and its transport is ignored."""
        status = data[0] if data else 0
        if status == TICK:
            self._tick(t)
        elif status in (START, CONTINUE):
            self.position = 0 if status == START else self.position
            self._armed = True
            self._transport.append((Transport.START if status == START else Transport.CONTINUE, t))
        elif status == STOP:
            self.position = round(self.heard - self.fit.offset) if self.running else self.position
            self.running = self._armed = False
            self._transport.append((Transport.STOP, t))
        elif status == SONG_POSITION and len(data) >= 3 and not self.running:
            self.position = (data[1] | data[2] << 7) * PPQ // 4

    def _tick(self, t: float) -> None:
        """A clock: the tempo's line moves on; after Start or Continue, this one is the song's ``position``."""
        if self._points and t - self._points[-1][1] > GAP:
            self._points.clear()  # the clock paused: what came before says nothing of the pace now
        self._points.append((self.heard, t))
        at, seconds = fitted(self._points, self.fit.seconds)
        offset = self.fit.offset
        if self._armed:
            self.running, self._armed = True, False
            offset = self.heard - self.position
        self.fit = Fit(at, seconds, offset)
        self.heard += 1
