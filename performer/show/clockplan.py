"""The MIDI clock's tempo map, as pure logic: where the song is (its position in beats since Start) as scenes are
placed, as the show stops and resumes, and as a shared tempo (Ableton Link) moves. The engine turns each segment
into clock bytes on its samples (synthesis/clockout.py); segments go to it ahead of time, as notes do.

The position counts the show's beats on through every scene change, so a DAW following the clock records the show
as it was played. Each scene's beats fall on whole beats of the song: a count-in's clicks are beats of the new
tempo, and the part of a bar that a scene waits for a Link bar line is stretched to whole beats (or held, if it is
under half a beat). A stopped show resumes from the next whole beat after where it stopped (Song Position Pointer
and Continue); the first scene starts the song (Start)."""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

from performer.music.timeline import Timeline
from synthesis.clockout import PPQ
from synthesis.protocol import Clock, ClockMode

PHASE_TOLERANCE = 0.1  # ticks the clock may stray from a followed tempo's beats before it is re-anchored
TEMPO_TOLERANCE = 1e-4  # relative change of a followed tempo that re-anchors the clock


def position(segment: Clock, t: float) -> float:
    """Where the song is at ``t`` (at or after the segment's start), in beats."""
    if segment.mode is ClockMode.STOP or math.isinf(segment.seconds_per_beat):
        return segment.position
    return segment.position + (t - segment.at) / segment.seconds_per_beat


def bar_at_or_before(timeline: Timeline, beats_per_bar: float, t: float) -> float:
    """The last bar line of a scene at or before ``t``."""
    bar = math.floor(timeline.beat_at(t) / beats_per_bar + 1e-9) * beats_per_bar
    return timeline.time_of(max(0.0, bar))


@dataclass(frozen=True)
class Placed:
    """A scene on the song: its start, its beats, the song's position there, and where its tempo took over
    (before ``start`` when a count-in or a wait for Link's bar line came first)."""

    start: float
    timeline: Timeline
    origin: float
    change: float
    follows: bool  # its tempo moves (a Link session): the clock is re-anchored to it as it goes


class ClockPlan:
    """The segments of the clock's tempo map, in time order, and the scenes they follow. Each method returns the
    segments to send: a segment replaces, in the engine as here, every one planned at or after its time."""

    def __init__(self) -> None:
        self.segments: list[Clock] = []
        self.scenes: list[Placed] = []  # the newest two: the one playing, and the next if it has not started

    def in_force(self, t: float) -> Clock | None:
        """The segment that holds at ``t`` (None before the song starts)."""
        return next((s for s in reversed(self.segments) if s.at <= t), None)

    def place(self, start: float, timeline: Timeline, change: float, now: float, follows: bool = False) -> list[Clock]:
        """A scene placed at ``start``, whose tempo may take over from ``change`` (the previous scene's last bar
        line before it, or the bar line a count-in ends it on; ``start`` if none), but not before ``now``."""
        change = min(start, max(change, now))
        before = next((s for s in reversed(self.segments) if s.at < change), None)
        spb = timeline.seconds_per_beat()
        stopped = bool(self.segments) and self.segments[-1].mode is ClockMode.STOP and self.segments[-1].at < start
        resume = math.ceil(position(self.segments[-1], start) - 1e-6) if stopped else 0
        if before is None or (stopped and resume == 0):  # a song that never moved starts
            out = [Clock(start, 0.0, spb, ClockMode.START)]
        elif stopped:
            out = [Clock(start, float(resume), spb, ClockMode.LOCATE)]
        else:
            out = self._bridge(position(before, change), change, start, spb)
        self._replace_from(out)
        origin = out[-1].position
        self.scenes = [p for p in self.scenes if p.start < out[0].at][-1:]
        self.scenes.append(Placed(start, timeline, origin, out[0].at, follows))
        return out

    @staticmethod
    def _bridge(here: float, change: float, start: float, spb: float) -> list[Clock]:
        """From ``change`` at position ``here`` to a scene at ``start``: whole beats between, so its beats fall on
        the song's."""
        if start - change < 1e-6:
            return [Clock(start, here, spb)]
        beats = round((start - change) / spb)
        between = (start - change) / beats if beats >= 1 else math.inf
        return [Clock(change, here, between), Clock(start, here + beats, spb)]

    def stop(self, at: float) -> list[Clock]:
        """The song stops at ``at`` (the show's last bar line, or the conductor going away)."""
        segment = self.in_force(at)
        if segment is None or segment.mode is ClockMode.STOP:
            return []
        out = [Clock(at, position(segment, at), segment.seconds_per_beat, ClockMode.STOP)]
        self._replace_from(out)
        return out

    def follow(self, at: float) -> list[Clock]:
        """Re-anchor the clock at ``at`` if the scene playing then follows a tempo that has moved or drifted off
        its beats; a scene placed but not started yet is placed again after it, from the new tempo."""
        playing = next((p for p in reversed(self.scenes) if p.start <= at), None)
        pending = self.scenes[-1] if self.scenes and self.scenes[-1].start > at else None
        segment = self.in_force(at)
        if playing is None or not playing.follows or segment is None or segment.mode is ClockMode.STOP:
            return []
        if pending is not None and pending.change <= at:  # bridging to the next scene: leave the bridge be
            return []
        want, spb = playing.origin + playing.timeline.beat_at(at), playing.timeline.seconds_per_beat()
        moved = abs(spb / segment.seconds_per_beat - 1) > TEMPO_TOLERANCE
        if not moved and abs(want - position(segment, at)) * PPQ < PHASE_TOLERANCE:
            return []
        out = [Clock(at, want, spb)]
        self._replace_from(out, forget=True)
        if pending is not None:
            self.scenes.pop()
            out += self.place(pending.start, pending.timeline, pending.change, at, pending.follows)
        return out

    def again(self, at: float) -> list[Clock]:
        """The plan from ``at`` on, to send again (an engine restarted since would not know it): the segment in
        force re-anchored there, then those still to come. The plan itself does not change."""
        segment = self.in_force(at)
        if segment is None:
            return list(self.segments)
        mode = ClockMode.STOP if segment.mode is ClockMode.STOP else ClockMode.RUN
        now = replace(segment, at=at, position=position(segment, at), mode=mode)
        return [now] + [s for s in self.segments if s.at > at]

    def _replace_from(self, segments: list[Clock], forget: bool = False) -> None:
        """Put ``segments`` in the plan, in place of those at or after the first one's time; with ``forget``, of
        those before only the one in force then is kept (nothing asks about the past: a followed tempo
        re-anchors the clock many times a second, and its plan would otherwise grow as long as the show runs)."""
        earlier = [s for s in self.segments if s.at < segments[0].at]
        self.segments = (earlier[-1:] if forget else earlier) + segments
