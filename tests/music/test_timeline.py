"""Following a shared beat clock (Ableton Link's, in a live rig): the timeline logic on a scripted clock whose
tempo changes. A live rig joining a real Link session is in tests/runtime/test_link.py."""

from __future__ import annotations

from performer.music.timeline import FollowTimeline, bar_line_at_or_after


class ScriptedClock:
    """A shared beat clock whose tempo changes at given times, continuous in beats (as Link's is)."""

    def __init__(self, changes: list[tuple[float, float]]) -> None:
        self.changes = changes  # (time, tempo), the first at time 0

    def _segments(self) -> list[tuple[float, float, float]]:
        out, beat = [], 0.0
        for i, (t, tempo) in enumerate(self.changes):
            out.append((t, beat, tempo))
            if i + 1 < len(self.changes):
                beat += (self.changes[i + 1][0] - t) * tempo / 60.0
        return out

    def tempo(self) -> float:
        return self.changes[-1][1]

    def beat_at(self, t: float) -> float:
        start, beat, tempo = [s for s in self._segments() if s[0] <= t][-1]
        return beat + (t - start) * tempo / 60.0

    def time_at_beat(self, beat: float) -> float:
        start, first, tempo = [s for s in self._segments() if s[1] <= beat][-1]
        return start + (beat - first) * 60.0 / tempo


def test_a_following_timeline_keeps_the_clocks_phase_and_tempo():
    clock = ScriptedClock([(0.0, 100.0)])
    start = bar_line_at_or_after(clock, 1.0, 4)
    assert abs(clock.beat_at(start) - 4.0) < 1e-9  # the next bar line of the session's
    line = FollowTimeline(clock, start)
    assert abs(line.time_of(2.0) - (start + 1.2)) < 1e-9 and abs(line.seconds_per_beat() - 0.6) < 1e-12
    clock.changes.append((5.0, 90.0))  # the session slows down: the beats still to come move
    assert abs(line.time_of(line.beat_at(5.0) + 1.5) - (5.0 + 1.0)) < 1e-9
