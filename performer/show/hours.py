"""A gallery installation's opening hours, pure: the weekly schedule its schema (performer/config/gallery.py)
makes (open or not, the loudness cap, the next change), and a state machine that turns now-and-then clock
readings and audience presence into the exact moments the rig opens, closes, quietens and idles.
Time is always passed in as naive local datetimes, never read from the system."""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import Enum
from typing import Optional

from performer.config.gallery import DAY_MINUTES, WEEK_MINUTES, WEEKDAYS, GalleryConfig, interval_minutes

WEEK = timedelta(minutes=WEEK_MINUTES)


def week_spans(day: str, start: str, end: str) -> list[tuple[int, int]]:
    """An interval on a weekday as half-open spans of minutes after Monday 00:00, split where it wraps the week."""
    first, last = interval_minutes(start, end)
    offset = WEEKDAYS.index(day) * DAY_MINUTES
    first, last = first + offset, last + offset
    if last <= WEEK_MINUTES:
        return [(first, last)]
    return [(first, WEEK_MINUTES), (0, last - WEEK_MINUTES)]


def week_start(when: datetime) -> datetime:
    """Midnight of the Monday of ``when``'s week."""
    return when.replace(hour=0, minute=0, second=0, microsecond=0) - timedelta(days=when.weekday())


class ClockWentBack(ValueError):
    """A clock reading earlier than the one before (daylight saving time ended, or someone set the clock)."""


State = tuple[bool, Optional[float]]  # open, loudness cap (None when closed or outside quiet hours)


class Schedule:
    """A gallery's week: whether it is open, under which loudness cap, and when that next changes."""

    def __init__(self, config: GalleryConfig) -> None:
        self._open = [span for day, intervals in config.hours.items()
                      for start, end in intervals for span in week_spans(day, start, end)]
        self._quiet = [(first, last, quiet.max_loudness_db) for quiet in config.quiet for day in quiet.days
                       for first, last in week_spans(day, quiet.start, quiet.end)]
        points = sorted({0, *(point for span in self._open + self._quiet for point in span[:2])} - {WEEK_MINUTES})
        states = [self._state_at(point) for point in points]
        self._constant = states[0]
        # The moments (after Monday 00:00) the state changes, and the state from each until the next.
        self._marks: list[timedelta] = []
        self._states: list[State] = []
        for point, state, before in zip(points, states, states[-1:] + states[:-1]):
            if state != before:
                self._marks.append(timedelta(minutes=point))
                self._states.append(state)

    def _state_at(self, minute: int) -> State:
        """The state from a minute of the week (one of the spans' ends) until the next."""
        if not any(first <= minute < last for first, last in self._open):
            return False, None
        return True, min((cap for first, last, cap in self._quiet if first <= minute < last), default=None)

    def state(self, when: datetime) -> State:
        """Whether the gallery is open at ``when``, and its loudness cap then."""
        if not self._marks:
            return self._constant
        return self._states[bisect_right(self._marks, when - week_start(when)) - 1]  # -1: last week's last state

    def is_open(self, when: datetime) -> bool:
        """Whether the gallery is open at ``when``."""
        return self.state(when)[0]

    def loudness_cap(self, when: datetime) -> Optional[float]:
        """The lowest max_loudness_db of the quiet hours in force at ``when`` while open; None if none or closed."""
        return self.state(when)[1]

    def next_change(self, when: datetime) -> Optional[datetime]:
        """The first moment after ``when`` at which is_open or loudness_cap changes; None if they never do."""
        if not self._marks:
            return None
        monday = week_start(when)
        index = bisect_right(self._marks, when - monday)
        if index < len(self._marks):
            return monday + self._marks[index]
        return monday + WEEK + self._marks[0]


class GalleryMode(str, Enum):
    """What the rig should be doing."""

    closed = "closed"
    playing = "playing"
    idle = "idle"


@dataclass(frozen=True)
class Change:
    """From ``at`` on, the rig is in ``mode`` under ``loudness_cap`` (None: the rig's own)."""

    at: datetime
    mode: GalleryMode
    loudness_cap: Optional[float]


class Gallery:
    """The gallery's mode from clock readings that may be minutes apart: each update() reports what changed since
    the last, at the exact moments it happened (an opening at 10:00:00 even if read at 10:04)."""

    def __init__(self, config: GalleryConfig) -> None:
        self.schedule = Schedule(config)
        self._idle_after = timedelta(minutes=config.idle_after_minutes) if config.idle_after_minutes > 0 else None
        self._now: Optional[datetime] = None
        self._mode = GalleryMode.closed
        self._cap: Optional[float] = None
        self._seen: Optional[datetime] = None  # while open: the last update that saw the audience, or the opening
        self._due: Optional[datetime] = None  # the schedule's next change

    @property
    def mode(self) -> GalleryMode:
        """The mode as of the last update (closed before the first)."""
        return self._mode

    @property
    def loudness_cap(self) -> Optional[float]:
        """The loudness cap as of the last update."""
        return self._cap

    def update(self, now: datetime, audience: bool) -> list[Change]:
        """Advance to ``now``, when the audience is (or is not) in the room; return the changes, in time order.
        Raises ClockWentBack if ``now`` is before the last update's time."""
        changes: list[Change] = []
        if self._now is None:
            self._start(now, changes)
        elif now < self._now:
            raise ClockWentBack(f"expected updates in time order, got {now} after {self._now}")
        self._advance(now, audience, changes)
        if audience and self._mode is not GalleryMode.closed:
            self._seen = now
            self._emit(now, GalleryMode.playing, self._cap, changes)
        self._now = now
        return changes

    def _start(self, now: datetime, changes: list[Change]) -> None:
        """The first update: play if open (as if it had just opened), and report that state."""
        is_open, cap = self.schedule.state(now)
        self._due = self.schedule.next_change(now)
        self._seen = now if is_open else None
        self._mode, self._cap = GalleryMode.playing if is_open else GalleryMode.closed, cap
        changes.append(Change(now, self._mode, cap))

    def _idle_at(self) -> Optional[datetime]:
        """When the rig goes idle unless somebody is seen first; None if it will not."""
        if self._mode is not GalleryMode.playing or self._idle_after is None or self._seen is None:
            return None
        return self._seen + self._idle_after

    def _advance(self, now: datetime, audience: bool, changes: list[Change]) -> None:
        """Apply the schedule's changes and idling due by ``now``, earliest first (the schedule first at a tie)."""
        while True:
            due, idle_at = self._due, self._idle_at()
            if due is not None and due <= now and (idle_at is None or due <= idle_at):
                self._on_schedule(due, changes)
            elif idle_at is not None and (idle_at < now or (idle_at == now and not audience)):
                self._emit(idle_at, GalleryMode.idle, self._cap, changes)
            else:
                return

    def _on_schedule(self, at: datetime, changes: list[Change]) -> None:
        """Open, close or change the loudness cap at a scheduled moment."""
        is_open, cap = self.schedule.state(at)
        self._due = self.schedule.next_change(at)
        if not is_open:
            mode, self._seen = GalleryMode.closed, None
        elif self._mode is GalleryMode.closed:
            mode, self._seen = GalleryMode.playing, at
        else:
            mode = self._mode
        self._emit(at, mode, cap, changes)

    def _emit(self, at: datetime, mode: GalleryMode, cap: Optional[float], changes: list[Change]) -> None:
        """Move to ``mode`` and ``cap`` at ``at`` and report it, as one change with any other at the same moment."""
        if (mode, cap) == (self._mode, self._cap):
            return
        self._mode, self._cap = mode, cap
        change = Change(at, mode, cap)
        if changes and changes[-1].at == at:
            changes[-1] = change
        else:
            changes.append(change)
