"""What "no crash" means for an outcome: a refused file is one bounded line naming the file, and an input's events
carry valid signal names and finite values in 0..1."""

from __future__ import annotations

import math
from typing import Sequence

from performer.bench.fuzz.runner import Crash
from performer.config.signals import signal_problem
from performer.errors import ConfigError
from sensors.cues import NUMBER_MARK
from sensors.events import SIGNAL_NAME, ControlEvent, CueEvent, Event, PlayerMidi, ReleaseEvent

MAX_LINE = 1024  # characters of a refusal: its path, field and message are each cut well short of this


def one_line(text: str, paths: Sequence[str]) -> str:
    """``text``, a refusal, must be one line of at most MAX_LINE characters that begins with one of ``paths``."""
    if text.splitlines() != [text]:
        raise Crash(f"a refusal of {text.count(chr(10)) + 1} lines: {text[:200]!r}")
    if len(text) > MAX_LINE:
        raise Crash(f"a refusal of {len(text)} characters: {text[:200]!r}...")
    if not text.startswith(tuple(paths)):
        raise Crash(f"a refusal that does not begin with {paths[0]}: {text[:200]!r}")
    return "rejected"


def refused(err: ConfigError, paths: Sequence[str]) -> str:
    """A ConfigError as the command line prints it: one line naming the file."""
    return one_line(str(err), paths)


def is_name(name: object) -> bool:
    """A signal name, matched whole (``re.match`` with ``$`` would also take a trailing newline)."""
    return isinstance(name, str) and SIGNAL_NAME.fullmatch(name) is not None


def check_event(event: Event, families: bool = False, unit: bool = True) -> None:
    """Raise Crash unless ``event`` is one the conductor can take: a named signal with a finite value (in 0..1 if
    ``unit``: an input's own; a session's are clamped by the bus), a cue word, a release of a signal prefix, or a
    player's key as bytes. With ``families``, a signal of a family performer's own sensors publish (midi/, hand/,
    ...) must also be one that family has: ``midi/cc/0-127``."""
    if not isinstance(event.t, float) or not math.isfinite(event.t):
        raise Crash(f"an event at time {event.t!r}: {event!r}")
    if isinstance(event, ControlEvent):
        if not is_name(event.name) or (families and signal_problem(event.name) is not None):
            raise Crash(f"a control event on an invalid signal name: {event!r}")
        if not isinstance(event.value, float) or not math.isfinite(event.value):
            raise Crash(f"a control event whose value is not a finite number: {event!r}")
        if unit and not 0.0 <= event.value <= 1.0:
            raise Crash(f"a control event whose value is not in 0..1: {event!r}")
    elif isinstance(event, CueEvent):
        if not isinstance(event.target, str):
            raise Crash(f"a cue that is not a word: {event!r}")
    elif isinstance(event, ReleaseEvent):
        if not isinstance(event.prefix, str):
            raise Crash(f"a release that is not of a prefix: {event!r}")
    elif isinstance(event, PlayerMidi):
        if not all(isinstance(b, int) and 0 <= b <= 255 for b in event.data):
            raise Crash(f"a player's MIDI that is not bytes: {event!r}")
    else:
        raise Crash(f"not an event: {event!r}")


def check_events(events: Sequence[Event], families: bool = False) -> str:
    """Every event valid; the outcome "events" or "none"."""
    if not isinstance(events, list):
        raise Crash(f"expected a list of events, got {events!r}")
    for event in events:
        check_event(event, families)
    return "events" if events else "none"


def numbered_cue(event: CueEvent, limit: int) -> None:
    """A cue by number (a MIDI program change) must be ``#0`` .. ``#limit``."""
    digits = event.target[len(NUMBER_MARK):]
    if not (event.target.startswith(NUMBER_MARK) and digits.isdigit() and int(digits) <= limit):
        raise Crash(f"a numbered cue out of range: {event!r}")
