"""Recorded sensor sessions: JSON lines of stamped control events and cues, replayable offline.

Line 1 is a header ``{"performer_session": 1, ...}``; then ``{"t": 1.25, "signal": "midi/cc/1", "value": 0.5}``
or ``{"t": 8.0, "cue": "next"}`` or a player's key ``{"t": 9.5, "midi": [144, 60, 100]}``, with t in seconds
from the start of the show."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from performer.errors import ConfigError
from sensors.events import ControlEvent, CueEvent, Event, PlayerMidi, ReleaseEvent, is_signal_name

FORMAT_VERSION = 1


@dataclass
class Session:
    """A header and the events, sorted by time."""

    events: list[Event]
    header: dict[str, Any] = field(default_factory=dict)

    @property
    def duration(self) -> float:
        """The header's duration, or the last event's time."""
        if "duration" in self.header:
            return float(self.header["duration"])
        return max((e.t for e in self.events), default=0.0)


def _event(record: Any, where: str) -> Event:
    if not isinstance(record, dict):
        raise ConfigError(where, "", "expected a JSON object per line")
    t = record.get("t")
    if not isinstance(t, (int, float)) or isinstance(t, bool) or not math.isfinite(t):
        raise ConfigError(where, "t", f"expected a time in seconds, got {t!r}")
    if "cue" in record:
        if not isinstance(record["cue"], str) or set(record) != {"t", "cue"}:
            raise ConfigError(where, "cue", "expected {\"t\": seconds, \"cue\": \"next\" | scene name}")
        return CueEvent(float(t), record["cue"])
    if "release" in record:
        if not isinstance(record["release"], str) or set(record) != {"t", "release"}:
            raise ConfigError(where, "release", "expected {\"t\": seconds, \"release\": \"hand/left\"}")
        return ReleaseEvent(float(t), record["release"])
    if "midi" in record:
        data = record["midi"]
        if (not isinstance(data, list) or set(record) != {"t", "midi"} or not 1 <= len(data) <= 3
                or not all(isinstance(b, int) and 0 <= b <= 255 for b in data)):
            raise ConfigError(where, "midi", "expected {\"t\": seconds, \"midi\": [status, data1, data2]}")
        return PlayerMidi(float(t), tuple(data))
    name, value = record.get("signal"), record.get("value")
    if not isinstance(name, str) or not is_signal_name(name):
        raise ConfigError(where, "signal", f"expected a signal name like midi/cc/1, got {name!r}")
    if not isinstance(value, (int, float)) or isinstance(value, bool):
        raise ConfigError(where, "value", f"expected a number 0..1, got {value!r}")
    if set(record) != {"t", "signal", "value"}:
        extra = sorted(set(record) - {"t", "signal", "value"})
        raise ConfigError(where, extra[0], "unknown field")
    return ControlEvent(float(t), name, float(value))


def read_session(path: str | Path) -> Session:
    """Parse a session file; any bad line raises a one-line ConfigError naming file:line and field."""
    path = Path(path)
    try:
        lines = path.read_text().splitlines()
    except OSError as err:
        raise ConfigError(str(path), "", f"cannot read session: {err.strerror}") from None
    header: dict[str, Any] = {}
    events: list[Event] = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        where = f"{path}:{number}"
        try:
            record = json.loads(line)
        except json.JSONDecodeError as err:
            raise ConfigError(where, "", f"expected JSON ({err.msg})") from None
        if number == 1 and isinstance(record, dict) and "performer_session" in record:
            header = record
            continue
        events.append(_event(record, where))
    events.sort(key=lambda e: e.t)
    return Session(events=events, header=header)


class SessionWriter:
    """Appends events to a session file as they happen, flushing each line so a crash loses nothing."""

    def __init__(self, handle: IO[str], origin: float, **header: Any) -> None:
        self._handle = handle
        self._origin = origin
        self._write({"performer_session": FORMAT_VERSION, **header})

    def _write(self, record: dict[str, Any]) -> None:
        self._handle.write(json.dumps(record) + "\n")
        self._handle.flush()

    def write(self, event: Event) -> None:
        """Record one event, with its time relative to the show's start."""
        t = round(event.t - self._origin, 6)
        if isinstance(event, CueEvent):
            self._write({"t": t, "cue": event.target})
        elif isinstance(event, PlayerMidi):
            self._write({"t": t, "midi": list(event.data)})
        elif isinstance(event, ReleaseEvent):
            self._write({"t": t, "release": event.prefix})
        else:
            self._write({"t": t, "signal": event.name, "value": round(event.value, 6)})
