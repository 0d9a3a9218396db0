"""After a live run (``python -m performer.offline.aftershow FOLDER``, started by the supervisor): the session
folder's notes.mid and summary.png, from what the run wrote there. Every line carries the clock all processes
share, so a restarted conductor's lines fall where they happened; a torn or unreadable line is skipped, and any
failure is one line (the run is over, and its recordings are safe either way)."""

from __future__ import annotations

import sys
from bisect import bisect_right
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator, Sequence

from performer.config.sessionfolder import (
    HEALTH,
    LINK,
    MIDI,
    NOTES,
    SCENES,
    SESSION,
    SUMMARY,
    json_lines,
    number,
)
from performer.offline.midifile import write_midi
from performer.offline.summary import HealthMarks, write_summary
from performer.show.conductor import Trace
from synthesis.protocol import Note

CURVE_POINTS = 2000  # points drawn per control curve at most (a day's camera signals are millions)


@dataclass
class Timeline:
    """The show's time axis: seconds since the first conductor's start (the session's first header's ``clock``)."""

    origin: float | None = None

    def at(self, record: dict[str, Any]) -> float | None:
        """A line's time on the axis: from its ``clock`` when the origin is known, else its own ``t``."""
        clock = number(record.get("clock"))
        return clock - self.origin if self.origin is not None and clock is not None else number(record.get("t"))


@dataclass
class Show:
    """What a folder says happened: notes, scene marks, tempo changes, control curves and health."""

    notes: list[Note] = field(default_factory=list)
    scenes: list[tuple[float, str]] = field(default_factory=list)
    tempi: list[tuple[float, float]] = field(default_factory=list)
    curves: dict[str, list[tuple[float, float]]] = field(default_factory=dict)
    health: HealthMarks = field(default_factory=HealthMarks)
    rig: str = ""
    end: float = 0.0


def read_show(folder: Path) -> Show:
    """Everything the after-show draws, from a session folder's files."""
    show, axis = Show(), Timeline()
    show.curves = _curves(folder / SESSION, axis, show)
    show.notes = list(_notes(folder / NOTES, axis))
    _scenes(folder / SCENES, axis, show)
    _health(folder / HEALTH, axis, show.health)
    show.end = max([show.end] + [n.end for n in show.notes] + [t for t, _ in show.health.cpu])
    return show


class Curve:
    """A control curve read from a session, kept to at most about 2 x CURVE_POINTS points as it is read (a day of
    camera signals is millions): when full, every other point goes, and from then on every other one read."""

    def __init__(self) -> None:
        self.points: list[tuple[float, float]] = []
        self.stride, self.seen = 1, 0

    def add(self, t: float, value: float) -> None:
        if self.seen % self.stride == 0:
            self.points.append((t, value))
        self.seen += 1
        if len(self.points) > 2 * CURVE_POINTS:
            self.points, self.stride = self.points[::2], self.stride * 2


def _curves(path: Path, axis: Timeline, show: Show) -> dict[str, list[tuple[float, float]]]:
    """The session's signals, each a curve of (time, value); sets the axis's origin from the first header."""
    curves: dict[str, Curve] = {}
    offset, first = 0.0, True
    for record in json_lines(path):
        if "performer_session" in record:
            if first:  # the first conductor's start is the axis's origin
                axis.origin, show.rig, first = number(record.get("clock")), str(record.get("rig", "")), False
            at = axis.at({"clock": record.get("clock"), "t": record.get("segment", 0.0)})
            offset = at if at is not None else offset
            continue
        t, name, value = number(record.get("t")), record.get("signal"), number(record.get("value"))
        if t is not None and "end" in record:
            show.end = max(show.end, offset + t)
        elif t is not None and isinstance(name, str) and value is not None:
            curves.setdefault(name, Curve()).add(offset + t, value)
    return {name: curve.points for name, curve in curves.items()}


def _notes(path: Path, axis: Timeline) -> Iterator[Note]:
    """The notes sent to the engine (and the player's, once released), on the show's axis."""
    for record in json_lines(path):
        start, duration = axis.at(record), number(record.get("duration"))
        pitch, velocity, channel = (_int(record.get(k), low, high) for k, low, high in
                                    (("pitch", 0, 127), ("velocity", 0, 127), ("channel", 1, 16)))
        if start is None or duration is None or pitch is None or velocity is None:
            continue
        yield Note(max(0.0, start), max(0.0, duration), pitch, velocity, str(record.get("instrument", "")),
                   str(record.get("voice", "")), channel or 1)


def _scenes(path: Path, axis: Timeline, show: Show) -> None:
    """Each scene's start and tempo; while a scene follows Link, Link's tempo changes too."""
    linked: list[tuple[float, bool]] = []
    for record in json_lines(path):
        t, name, tempo = axis.at(record), record.get("scene"), number(record.get("tempo"))
        if t is not None and isinstance(name, str) and tempo is not None and tempo > 0:
            show.scenes.append((t, name))
            show.tempi.append((t, tempo))
            linked.append((t, record.get("link") is True))
    linked.sort(key=lambda mark: mark[0])
    starts = [at for at, _ in linked]
    for record in json_lines(path.parent / LINK):
        t, tempo = axis.at(record), number(record.get("tempo"))
        if t is None or tempo is None or tempo <= 0:
            continue
        scene = bisect_right(starts, t) - 1  # the scene playing then
        if scene >= 0 and linked[scene][1]:
            show.tempi.append((t, tempo))
    show.tempi.sort()


def _health(path: Path, axis: Timeline, marks: HealthMarks) -> None:
    """CPU per report, and where late notes and xruns were counted: counts grow within one engine (from what it
    had counted before the show began); one that falls is a new engine, counting from zero. A note the conductor
    sent late also reached the engine late, so the engine's count holds the conductor's: the larger is taken."""
    last = {"late": 0, "conductor_late": 0, "xruns": 0}
    for record in json_lines(path):
        t = axis.at(record)
        if t is None or t < 0:
            for key in last:
                _grown(record.get(key), last, key)
            continue
        cpu = number(record.get("cpu"))
        if cpu is not None and cpu >= 0:
            marks.cpu.append((t, cpu))
        grown = {k: _grown(record.get(k), last, k) for k in last}
        if late := max(grown["late"], grown["conductor_late"]):
            marks.late.append((t, late))
        if grown["xruns"]:
            marks.xruns.append((t, grown["xruns"]))


def _grown(value: Any, last: dict[str, int], key: str) -> int:
    """How much a running count grew since its last report (all of it, if it fell: it started again)."""
    if not isinstance(value, int) or value < 0:
        return 0
    grown = value - last[key] if value >= last[key] else value
    last[key] = value
    return grown


def finish(folder: Path) -> str:
    """Write the folder's notes.mid and summary.png; one line saying what they hold."""
    show = read_show(folder)
    write_midi(show.notes, show.tempi, show.scenes, folder / MIDI)
    trace = Trace(notes=show.notes, scenes=show.scenes, curves=show.curves)
    late, xruns = sum(n for _, n in show.health.late), sum(n for _, n in show.health.xruns)
    title = f"{show.rig or folder.name}: {len(show.notes)} notes, {late} late, {xruns} xruns"
    write_summary(trace, show.end, folder / SUMMARY, title, show.health)
    return f"performer: {folder}: {len(show.notes)} notes, {late} late, {xruns} xruns; {MIDI}, {SUMMARY}"


def _int(value: Any, low: int, high: int) -> int | None:
    """A JSON integer, clamped to ``low``..``high``, or None."""
    return min(max(value, low), high) if isinstance(value, int) and not isinstance(value, bool) else None


def main(argv: Sequence[str] | None = None) -> int:
    """Finish the folder named on the command line; a failure is one line and exit 1."""
    args = list(sys.argv[1:] if argv is None else argv)
    if len(args) != 1:
        print("usage: python -m performer.offline.aftershow FOLDER", file=sys.stderr)
        return 2
    try:
        print(finish(Path(args[0])), flush=True)
    except Exception as err:  # the show is over: whatever this is, it is one line, never a traceback
        print(f"performer: {args[0]}: no summary ({type(err).__name__}: {err})", file=sys.stderr, flush=True)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
