"""MIDI clock out, the conductor's half: a looker in the conductor's loop that plans the clock's tempo map as the
show places its scenes, stops, and follows Link (performer/show/clockplan.py), and sends each segment to the
engine ahead of time, as notes go; the engine sends the clock bytes on the rig's MIDI out, on the frames they fall
on (synthesis/clockout.py). The plan is sent again every second, so an engine restarted since picks it up."""

from __future__ import annotations

import logging
import math
from typing import Callable

from performer.music.timeline import FollowTimeline
from performer.show.clockplan import ClockPlan, bar_at_or_before
from performer.show.conductor import Conductor
from performer.show.scenerun import SceneRun
from synthesis.protocol import Clock, ClockMode

log = logging.getLogger(__name__)

FOLLOW_PERIOD = 0.05  # seconds between looks at a followed tempo (Link)
AGAIN_PERIOD = 1.0  # seconds between sends of the whole plan


class ClockSender:
    """Keeps the engine's MIDI clock on the show's beats: ``send`` takes each segment (EngineLink.clock)."""

    def __init__(self, conductor: Conductor, send: Callable[[Clock], None]) -> None:
        self.conductor, self.send = conductor, send
        self.plan = ClockPlan()
        self._placed: SceneRun | None = None  # the newest scene planned for
        self._stop_at = math.inf  # when the planned stop falls
        self._next_follow = self._next_again = -math.inf

    def look(self, t: float) -> None:
        """At conductor time ``t``: plan a scene placed or a stop since, follow Link, and now and then send the
        plan again."""
        newest = self.conductor.playing(math.inf)
        if newest is not None and newest is not self._placed:
            self._place(newest, t)
        if self.conductor.stopped and newest is not None and math.isfinite(newest.end) and newest.end != self._stop_at:
            self._stop_at = newest.end
            self._send(self.plan.stop(newest.end))
        ahead = t + self.conductor.lookahead
        if t >= self._next_follow:
            self._next_follow = t + FOLLOW_PERIOD
            self._send(self.plan.follow(ahead))
        if t >= self._next_again:
            self._next_again = t + AGAIN_PERIOD
            for segment in self.plan.again(ahead):
                self.send(segment)

    def close(self, t: float) -> None:
        """The conductor is going away: the clock stops now."""
        self._send(self.plan.stop(t))

    def _place(self, run: SceneRun, t: float) -> None:
        """A scene placed: its tempo from its start, or from the bar line where the scene before gives way."""
        self._placed, self._stop_at = run, math.inf
        before = self.conductor.playing(run.start - 1e-9)
        change = run.start
        if before is not None and before is not run:
            change = min(before.end, bar_at_or_before(before.timeline, before.spec.beats_per_bar, run.start))
        follows = isinstance(run.timeline, FollowTimeline)
        self._send(self.plan.place(run.start, run.timeline, change, t, follows))

    def _send(self, segments: list[Clock]) -> None:
        for segment in segments:
            if segment.mode is not ClockMode.RUN:
                log.info("MIDI clock: %s at song beat %.2f, %.1f bpm", segment.mode.value, segment.position,
                         60.0 / segment.seconds_per_beat)
            self.send(segment)
