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
from typing import IO, Any

from performer.config.session import FORMAT_VERSION
from sensors.events import CueEvent, Event, PlayerMidi, ReleaseEvent

log = logging.getLogger(__name__)

HEAD_BYTES = 4096  # the first line of an existing session, where its start time is


class Appender:
    """A text file opened for appending, one flushed line at a time; the first failed write closes it, with one
    line naming the file and the reason."""

    def __init__(self, path: Path, what: str) -> None:
        self.path, self.what = path, what
        self.lines = 0
        self._handle: IO[str] | None = None
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
        try:
            self._handle.write(json.dumps(record) + "\n")
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

    def __init__(self, path: Path, origin: float, **header: Any) -> None:
        self._origin = origin
        existing = _regular(path)
        started = _started(path) if existing else None
        _mend_torn_tail(path)
        self._out = Appender(path, "session recording")
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

    def close(self) -> None:
        self._out.close()


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
