"""Recorded sensor sessions: JSON lines of stamped control events and cues, replayable offline.

Line 1 is a header ``{"performer_session": 1, ...}``; then ``{"t": 1.25, "signal": "midi/cc/1", "value": 0.5}``
or ``{"t": 8.0, "cue": "next"}`` or a player's key ``{"t": 9.5, "midi": [144, 60, 100]}``, with t in seconds
from the start of the show. A conductor that stops writes ``{"t": 30.5, "end": true}``: the show ran until then,
so a replay plays on after the last event as long as the run did."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Iterator

from performer.config.reading import open_regular
from performer.errors import ConfigError
from sensors.events import ControlEvent, CueEvent, Event, PlayerMidi, ReleaseEvent, is_signal_name

FORMAT_VERSION = 1
MAX_LINE = 4096  # bytes: the longest line a session holds (an event is under 100)
MAX_SESSION_BYTES = 1 << 30  # past this, the events alone would take gigabytes of memory
MAX_SECONDS = 1e8  # three years of show
MAX_NAME = 200  # characters of a signal or cue name


@dataclass
class Session:
    """A header and the events, sorted by time."""

    events: list[Event]
    header: dict[str, Any] = field(default_factory=dict)
    end: float = 0.0  # the latest time a conductor said it stopped at (an end line), 0 if none did

    @property
    def duration(self) -> float:
        """The header's duration, or the last event's or end line's time."""
        if "duration" in self.header:
            return float(self.header["duration"])
        return max(max((e.t for e in self.events), default=0.0), self.end)


def _event(record: Any, where: str) -> Event:
    if not isinstance(record, dict):
        raise ConfigError(where, "", "expected a JSON object per line")
    t = record.get("t")
    if not isinstance(t, (int, float)) or isinstance(t, bool) or not abs(t) < MAX_SECONDS:
        raise ConfigError(where, "t", f"expected a time in seconds, got {t!r}")
    if "cue" in record:
        if not isinstance(record["cue"], str) or set(record) != {"t", "cue"} or len(record["cue"]) > MAX_NAME:
            raise ConfigError(where, "cue", "expected {\"t\": seconds, \"cue\": \"next\" | scene name}")
        return CueEvent(float(t), record["cue"])
    if "release" in record:
        if (not isinstance(record["release"], str) or set(record) != {"t", "release"}
                or not is_signal_name(record["release"] + "/x")):
            raise ConfigError(where, "release", "expected {\"t\": seconds, \"release\": \"hand/left\"}")
        return ReleaseEvent(float(t), record["release"])
    if "midi" in record:
        data = record["midi"]
        if set(record) != {"t", "midi"} or not _player_key(data):
            raise ConfigError(where, "midi", "expected {\"t\": seconds, \"midi\": [status, data1, data2]} of a "
                                             "note on or off, or a controller")
        return PlayerMidi(float(t), tuple(data))
    name, value = record.get("signal"), record.get("value")
    if not isinstance(name, str) or len(name) > MAX_NAME or not is_signal_name(name):
        raise ConfigError(where, "signal", f"expected a signal name like midi/cc/1, got {name!r}")
    if not isinstance(value, (int, float)) or isinstance(value, bool) or not _finite(value):
        raise ConfigError(where, "value", f"expected a number 0..1, got {value!r}")
    if set(record) != {"t", "signal", "value"}:
        extra = sorted(set(record) - {"t", "signal", "value"})
        raise ConfigError(where, extra[0], "unknown field")
    return ControlEvent(float(t), name, float(value))


def read_session(path: str | Path) -> Session:
    """Parse a session file; any bad line raises a one-line ConfigError naming file:line and field. Segments a
    restarted conductor appended (each after a header line with ``"segment"``) follow one another in time."""
    path = Path(path)
    header: dict[str, Any] = {}
    events: list[Event] = []
    offset = 0.0  # where the current segment starts in the whole session's time
    end = 0.0
    for number, line in _lines(path):
        where = f"{path}:{number}"
        try:
            record = json.loads(line, parse_constant=_no_constant)
        except (json.JSONDecodeError, ValueError, RecursionError) as err:
            raise ConfigError(where, "", f"expected JSON ({getattr(err, 'msg', err)})") from None
        if isinstance(record, dict) and "performer_session" in record:
            if number == 1:
                header = record
            offset = _segment(record, where, events, offset)
            continue
        if isinstance(record, dict) and "end" in record:
            end = max(end, _end(record, where) + offset)
            continue
        event = _event(record, where)
        events.append(replace(event, t=event.t + offset) if offset else event)
    if not header and not events:
        raise ConfigError(str(path), "", "expected a session: a header line {\"performer_session\": 1} and events, "
                                         "found nothing")
    events.sort(key=lambda e: e.t)
    return Session(events=events, header=header, end=end)


def _end(record: dict[str, Any], where: str) -> float:
    """An end line's time: when the conductor that wrote the segment stopped."""
    t = record.get("t")
    if (set(record) != {"t", "end"} or record["end"] is not True or not isinstance(t, (int, float))
            or isinstance(t, bool) or not 0 <= t < MAX_SECONDS):
        raise ConfigError(where, "end", "expected {\"t\": seconds, \"end\": true}")
    return float(t)


def _player_key(data: Any) -> bool:
    """A player's MIDI as the recorder writes it: a note on, note off or controller (the sustain pedal), three
    bytes, the status's high bit set and the data bytes' clear."""
    return (isinstance(data, list) and len(data) == 3 and all(isinstance(b, int) and not isinstance(b, bool)
                                                               for b in data)
            and data[0] >> 4 in (0x8, 0x9, 0xB) and 0x80 <= data[0] <= 0xBF and all(0 <= b < 128 for b in data[1:]))


def _finite(value: int | float) -> bool:
    """Whether a JSON number is a finite float (an integer of 309 digits is not: float() overflows)."""
    try:
        return math.isfinite(float(value))
    except OverflowError:
        return False


def _no_constant(name: str) -> float:
    raise ValueError(f"{name} is not a number a session may hold")


def _segment(record: dict[str, Any], where: str, events: list[Event], offset: float) -> float:
    """A header line: the first starts the session; a later one (a restarted conductor's) starts a segment after
    everything before it, its ``"segment"`` the seconds the show had run (or just after the last event)."""
    if record.get("performer_session") != FORMAT_VERSION:
        raise ConfigError(where, "performer_session", f"expected {FORMAT_VERSION}, got "
                                                      f"{record.get('performer_session')!r}")
    duration = record.get("duration", 0.0)
    if not isinstance(duration, (int, float)) or isinstance(duration, bool) or not 0 <= duration < MAX_SECONDS:
        raise ConfigError(where, "duration", f"expected the session's seconds, got {duration!r}")
    if "segment" not in record:
        return offset
    start = record["segment"]
    if not isinstance(start, (int, float)) or isinstance(start, bool) or not 0 <= start < MAX_SECONDS:
        raise ConfigError(where, "segment", f"expected the show's seconds so far, got {start!r}")
    return max(float(start), max((e.t for e in events), default=0.0))


def _lines(path: Path) -> Iterator[tuple[int, str]]:
    """The file's non-blank lines, numbered, each UTF-8 and at most MAX_LINE bytes: a regular file only, at most
    MAX_SESSION_BYTES (``/dev/zero`` or a file of one endless line ends in one line, not in memory)."""
    try:
        handle = open_regular(path, "session file")
    except OSError as err:
        raise ConfigError(str(path), "", f"cannot read session: {err.strerror}") from None
    with handle:
        total = 0
        for number, raw in enumerate(iter(lambda: handle.readline(MAX_LINE + 1), b""), start=1):
            total += len(raw)
            if len(raw) > MAX_LINE:
                raise ConfigError(f"{path}:{number}", "", f"a line longer than {MAX_LINE} bytes")
            if total > MAX_SESSION_BYTES:
                raise ConfigError(str(path), "", f"larger than the {MAX_SESSION_BYTES >> 20} MB a session may be")
            try:
                line = raw.decode("utf-8")
            except UnicodeDecodeError as err:
                raise ConfigError(f"{path}:{number}", "", f"expected UTF-8 text, found byte "
                                                          f"0x{raw[err.start]:02x}") from None
            if line.strip():
                yield number, line
