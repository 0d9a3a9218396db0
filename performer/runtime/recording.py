"""Recording a show as it happens: the session file (control events and cues, replayable) and the notes log.

Both are appended to, never truncated: a conductor restarted after a crash adds a segment to the same session,
after a header line that says where in the show's time it starts. A write that fails (a full disk, a pulled
stick) stops that recording with one line; the show goes on."""

from __future__ import annotations

import json
import logging
import os
import stat
import time
from pathlib import Path
from typing import IO, Any, Protocol

from performer.config.session import FORMAT_VERSION
from sensors.events import CueEvent, Event, PlayerMidi, ReleaseEvent

log = logging.getLogger(__name__)

HEAD_BYTES = 4096  # the first line of an existing session, where its start time is


class Lines(Protocol):
    """Where JSON lines go: a file appended to, or several (``Tee``)."""

    def line(self, record: dict[str, Any]) -> None: ...


class Budget:
    """The bytes a run's session folder may still take; the first write past it is one line, and every recording
    sharing the budget stops there (the show goes on)."""

    def __init__(self, folder: Path, limit: int, used: int = 0) -> None:
        self.folder, self.limit, self.used = folder, limit, used
        self.spent = False

    def spend(self, size: int) -> bool:
        """Whether ``size`` more bytes fit; once they do not, none ever does again."""
        if not self.spent and self.used + size > self.limit:
            self.spent = True
            log.error("%s: the session folder reached its %d MB ([sessions] max_mb); its recordings stop, the show "
                      "goes on", self.folder, self.limit >> 20)
        self.used += size
        return not self.spent


class Appender:
    """A text file opened for appending, one flushed line at a time; the first failed write closes it, with one
    line naming the file and the reason. With a ``budget``, it stops (closes) when the budget is spent. A torn
    last line (a conductor killed mid-write, then restarted) is cut first, so the next line starts a line."""

    def __init__(self, path: Path, what: str, budget: Budget | None = None) -> None:
        self.path, self.what, self.budget = path, what, budget
        self.lines = 0
        self._handle: IO[str] | None = None
        _mend_torn_tail(path)
        try:
            self._handle = open(path, "a", encoding="utf-8")
        except OSError as err:
            log.error("%s: cannot record the %s (%s); the show goes on without it", path, what, err.strerror)

    @property
    def open(self) -> bool:
        return self._handle is not None

    def line(self, record: dict[str, Any]) -> None:
        """Append one JSON line and flush it, so a crash loses at most the line being written."""
        if self._handle is None:
            return
        text = json.dumps(record) + "\n"
        if self.budget is not None and not self.budget.spend(len(text)):
            self.close()
            return
        try:
            self._handle.write(text)
            self._handle.flush()
            self.lines += 1
        except OSError as err:
            log.error("%s: the %s stopped after %d lines (%s); the show goes on", self.path, self.what,
                      self.lines, err.strerror)
            self.close()

    def close(self) -> None:
        if self._handle is not None:
            handle, self._handle = self._handle, None
            try:
                handle.close()
            except OSError:  # the buffer could not be written either: already said
                pass


class SessionWriter:
    """Appends events to a session file as they happen. A new file starts with the session's header; an existing
    one (the same show, before a restart) gets a segment header instead, whose ``segment`` is the seconds since
    the session started, so a replay keeps the two parts in order and apart."""

    def __init__(self, path: Path, origin: float, budget: Budget | None = None, **header: Any) -> None:
        self._origin = origin
        existing = _regular(path)
        started = _started(path) if existing else None
        self._out = Appender(path, "session recording", budget)
        now = time.time()
        head: dict[str, Any] = {"performer_session": FORMAT_VERSION}
        if existing:  # a replay puts it after the last event, or later: the time the show was down counts
            head["segment"] = round(max(0.0, now - started), 3) if started is not None else 0.0
            log.info("%s: a restarted show; recording a new segment", path)
        self._out.line({**head, "started": now, **header})

    def write(self, event: Event) -> None:
        """Record one event, with its time relative to the segment's start."""
        t = round(event.t - self._origin, 6)
        if isinstance(event, CueEvent):
            self._out.line({"t": t, "cue": event.target})
        elif isinstance(event, PlayerMidi):
            self._out.line({"t": t, "midi": list(event.data)})
        elif isinstance(event, ReleaseEvent):
            self._out.line({"t": t, "release": event.prefix})
        else:
            self._out.line({"t": t, "signal": event.name, "value": round(event.value, 6)})

    def close(self, at: float | None = None) -> None:
        """Stop recording; with ``at``, the clock time the show stopped, written as the segment's end line (a
        replay then plays on after the last event as long as the run did)."""
        if at is not None:
            self._out.line({"t": round(max(0.0, at - self._origin), 6), "end": True})
        self._out.close()


class Tee:
    """The same JSON lines appended to each of several files (the session folder's notes log, and the one that
    ``--notes-log`` names)."""

    def __init__(self, outs: list[Appender]) -> None:
        self.outs = outs

    def line(self, record: dict[str, Any]) -> None:
        for out in self.outs:
            out.line(record)

    def close(self) -> None:
        for out in self.outs:
            out.close()


class Recording:
    """The same events recorded to each of several sessions (the session folder's, and the file that ``--record``
    names)."""

    def __init__(self, writers: list[SessionWriter]) -> None:
        self.writers = writers

    def write(self, event: Event) -> None:
        for writer in self.writers:
            writer.write(event)

    def close(self, at: float | None = None) -> None:
        for writer in self.writers:
            writer.close(at)


def _regular(path: Path) -> bool:
    try:
        return stat.S_ISREG(path.stat().st_mode) and path.stat().st_size > 0
    except OSError:
        return False


def _started(path: Path) -> float | None:
    """The wall-clock start (``started``, seconds since the epoch) in the header of the session in ``path``."""
    try:
        with open(path, "rb") as handle:
            first = json.loads(handle.readline(HEAD_BYTES).decode("utf-8", "replace"))
    except (OSError, ValueError):
        return None
    started = first.get("started") if isinstance(first, dict) else None
    return float(started) if isinstance(started, (int, float)) and not isinstance(started, bool) else None


def _mend_torn_tail(path: Path) -> None:
    """A conductor killed mid-line leaves a line without its end; it is cut, so the next header starts a line."""
    if not _regular(path):
        return
    try:
        with open(path, "rb+") as handle:
            size = handle.seek(0, os.SEEK_END)
            handle.seek(max(0, size - HEAD_BYTES))
            tail = handle.read()
            if tail.endswith(b"\n"):
                return
            keep = size - len(tail) + tail.rfind(b"\n") + 1 if b"\n" in tail else size
            handle.truncate(keep)
            log.warning("%s: cut a torn last line of %d bytes (the conductor stopped mid-write)", path, size - keep)
    except OSError as err:
        log.warning("%s: cannot mend the last line (%s)", path, err.strerror)
