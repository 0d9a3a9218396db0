"""A soak: a rig's show run offline for many hours of its own time, as fast as the machine goes, with a room
that comes and goes (or a recorded session, looped) and, for a gallery, the opening hours of the days it spans.
It reports what would end a long unattended run: memory that grows, notes that never end, exceptions, and the
schedule not kept. ``performer soak RIG --hours 24 --json FILE``."""

from __future__ import annotations

import gc
import logging
import math
import random
import time
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Iterator

from performer.config.loading import LoadedRig
from performer.config.session import Session
from performer.generate.factory import rig_factory
from performer.show.conductor import Conductor
from performer.show.director import GalleryDirector
from performer.show.hours import Schedule
from sensors.events import ControlEvent, Event
from synthesis.protocol import Cut, Loudness, Note, Param, Thru

STEP = 0.25  # seconds of show time per step of the loop: the live loop's longest sleep
MAX_NOTE = 120.0  # seconds: no note of any scene lasts longer; one that does is stuck
WARM_UP = 1800.0  # seconds of show time after the first note before the memory baseline (first allocations)
DEFAULT_START = "2026-11-24T08:00"  # a Tuesday morning: the gallery rig opens at 10:00 and closes at 18:00
CLOSE_GRACE = 30.0  # seconds after closing within which the playing bar (and its release) may end


def rss_mb(pid: int | str = "self") -> float:
    """A process's resident memory (this one's by default), in MB (Linux)."""
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


class SoundingSink:
    """A note sink that keeps only what is sounding, as the engine would: each note until its end, a Cut ends a
    voice's held notes, a panic ends all. Stuck notes are counted where nothing may sound."""

    def __init__(self) -> None:
        self.sounding: dict[str, list[tuple[float, float]]] = {}  # voice -> [(start, end)]
        self.notes = 0
        self.too_long = 0
        self.last_start = -math.inf

    def send(self, note: Note) -> None:
        self.notes += 1
        self.last_start = max(self.last_start, note.start)
        if not math.isfinite(note.duration) or not 0 < note.duration <= MAX_NOTE:
            self.too_long += 1
            return
        self.sounding.setdefault(note.voice, []).append((note.start, note.start + note.duration))

    def played(self, note: Note) -> None:
        self.send(note)

    def cut(self, cut: Cut) -> None:
        held = self.sounding.get(cut.voice, [])
        self.sounding[cut.voice] = [(s, min(e, cut.at) if s < cut.at else e) for s, e in held]

    def panic(self) -> None:
        self.sounding.clear()

    def param(self, param: Param) -> None:
        """Instrument parameters change no note's length."""

    def thru(self, thru: Thru) -> None:
        """No player here."""

    def loudness(self, loudness: Loudness) -> None:
        """The cap changes no note's length."""

    def sounding_at(self, t: float) -> int:
        """Notes sounding at ``t``; notes ended before it are forgotten (the memory stays bounded)."""
        for voice, notes in self.sounding.items():
            self.sounding[voice] = [(s, e) for s, e in notes if e > t]
        return sum(1 for notes in self.sounding.values() for s, _ in notes if s <= t)


def visitors(seed: int, hours: float) -> Iterator[ControlEvent]:
    """A room that comes and goes, as the gallery's camera would see it at 4 frames a second: visits of 2-40
    minutes with gaps of 1-60 (so the room also empties long enough to idle), energy and place wandering while
    someone is there, now and then by the door."""
    rng, t, end = random.Random(seed), 0.0, hours * 3600.0
    while t < end:
        t += rng.uniform(60, 3600)
        leave = t + rng.uniform(120, 2400)
        energy, x, door = 0.3, 0.5, 0.0
        yield ControlEvent(t, "audience/presence", 1.0)
        while t < min(leave, end):
            energy = min(1.0, max(0.0, energy + rng.gauss(0, 0.05)))
            x = min(1.0, max(0.0, x + rng.gauss(0, 0.03)))
            door = 1.0 if rng.random() < 0.002 else door * 0.9
            for name, value in (("energy", energy), ("x", x), ("spread", energy / 2), ("zone/door", door)):
                yield ControlEvent(t, f"audience/{name}", value)
            t += 0.25
        yield ControlEvent(t, "audience/presence", 0.0)
        yield ControlEvent(t, "audience/energy", 0.0)


def replayed(session: Session, hours: float) -> Iterator[Event]:
    """A recorded session, looped end to end for ``hours``."""
    length, end, loop = max(session.duration, 1.0), hours * 3600.0, 0
    while loop * length < end and session.events:
        for event in session.events:
            if event.t + loop * length >= end:
                return
            yield replace(event, t=event.t + loop * length)
        loop += 1


class Errors(logging.Handler):
    """Counts what the show logs as errors, and exceptions it caught and logged, while the soak runs."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.count = 0
        self.first: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.count += 1
        if len(self.first) < 5:
            self.first.append(record.getMessage()[:300])


@dataclass
class SoakReport:
    """What the soak measured (the JSON of `performer soak`)."""

    rig: str
    hours: float
    start: str
    notes: int = 0
    inputs: int = 0  # sensor events fed to the show
    stuck_notes: int = 0
    exceptions: int = 0
    schedule_errors: int = 0
    rss_start_mb: float = 0.0
    rss_end_mb: float = 0.0
    wall_seconds: float = 0.0
    closings_checked: int = 0
    open_minutes: int = 0
    errors: list[str] = field(default_factory=list)
    rss_by_hour: list[float] = field(default_factory=list)  # MB at each hour of show time: growth's shape

    @property
    def rss_growth_mb(self) -> float:
        return round(self.rss_end_mb - self.rss_start_mb, 1)

    def as_json(self) -> dict:
        out = dict(self.__dict__, rss_growth_mb=self.rss_growth_mb)
        out["speed"] = round(self.hours * 3600 / max(self.wall_seconds, 1e-9), 1)  # show seconds per wall second
        return out


@dataclass
class Watch:
    """The schedule as the soak checks it, once a show minute, against a Schedule of its own (not the
    director's): open minutes must be playing, and after a closing nothing may start or sound."""

    schedule: Schedule | None
    start: datetime
    opened_at: float = -math.inf
    closed_at: float = -math.inf
    was_open: bool | None = None
    checked_close: bool = True

    def check(self, t: float, conductor: Conductor, sink: SoundingSink, report: SoakReport) -> None:
        if self.schedule is None:
            return
        is_open = self.schedule.is_open(self.start + timedelta(seconds=t))
        if is_open != self.was_open:
            self.opened_at, self.closed_at = (t, self.closed_at) if is_open else (self.opened_at, t)
            self.was_open, self.checked_close = is_open, is_open
        if is_open and t - self.opened_at > 60.0:
            report.open_minutes += 1
            if conductor.stopped or sink.last_start < t - 60.0:  # open, and not a note for a minute
                report.schedule_errors += 1
        elif not is_open and t - self.closed_at > CLOSE_GRACE:
            if sink.last_start > self.closed_at + CLOSE_GRACE:
                report.schedule_errors += 1
            if not self.checked_close:  # once per closing: what still sounds then never ends
                report.stuck_notes += sink.sounding_at(t)
                report.closings_checked += 1
                self.checked_close = True


def soak(loaded: LoadedRig, hours: float, start: datetime, seed: int = 0, session: Session | None = None) -> SoakReport:
    """Run ``loaded``'s show for ``hours`` of its time from the calendar's ``start``, as fast as it goes."""
    gallery = loaded.rig.gallery
    report = SoakReport(rig=loaded.rig.name, hours=hours, start=start.isoformat(timespec="minutes"))
    errors = Errors()
    logging.getLogger().addHandler(errors)
    sink, now = SoundingSink(), [0.0]
    conductor = Conductor(loaded, sink, rig_factory(loaded), start=0.0, first=None if gallery else 0)
    director = GalleryDirector(gallery, conductor, lambda: start + timedelta(seconds=now[0])) if gallery else None
    watch = Watch(Schedule(gallery) if gallery else None, start)
    inputs = replayed(session, hours) if session is not None else visitors(seed, hours)
    pending, began, baseline_at = next(inputs, None), time.perf_counter(), math.inf
    try:
        for step in range(1, int(hours * 3600 / STEP) + 1):
            now[0] = t = step * STEP
            while pending is not None and pending.t <= t:
                conductor.ingest(pending)
                report.inputs += 1
                pending = next(inputs, None)
            _advance(conductor, director, t, report)
            if step % int(60 / STEP) == 0:
                watch.check(t, conductor, sink, report)
            if step % int(3600 / STEP) == 0:
                report.rss_by_hour.append(round(rss_mb(), 1))
            if sink.notes and baseline_at == math.inf:
                baseline_at = t + WARM_UP
            if t >= baseline_at and not report.rss_start_mb:
                gc.collect()
                report.rss_start_mb = rss_mb()
    finally:
        logging.getLogger().removeHandler(errors)
    gc.collect()
    report.rss_start_mb = report.rss_start_mb or rss_mb()  # a soak too short to warm up: no growth to speak of
    report.rss_end_mb, report.wall_seconds = rss_mb(), round(time.perf_counter() - began, 1)
    report.notes, report.exceptions = sink.notes, report.exceptions + errors.count
    report.stuck_notes += sink.too_long
    report.errors += errors.first
    return report


def _advance(conductor: Conductor, director: GalleryDirector | None, t: float, report: SoakReport) -> None:
    """One step of the live loop; an exception is counted and the loop goes on, as live."""
    try:
        conductor.advance_to(t)
        if director is not None:
            director.look(t)
    except Exception as error:  # what the soak is for: count it, keep the first, go on
        report.exceptions += 1
        if len(report.errors) < 5:
            report.errors.append(f"{type(error).__name__}: {error}"[:300])
