"""What inputs put on the conductor's queue: control signals and cues, each stamped with clock time."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Union

SIGNAL_NAME = re.compile(r"^[a-z0-9_]+(/[a-z0-9_.\-]+)+$")


@dataclass(frozen=True)
class ControlEvent:
    """A normalized control value (0..1) on a named signal such as ``midi/cc/1`` or ``hand/right/pinch``."""

    t: float
    name: str
    value: float


@dataclass(frozen=True)
class CueEvent:
    """A show command: ``next``, ``prev``, a scene name, or ``panic``."""

    t: float
    target: str


@dataclass(frozen=True)
class PlayerMidi:
    """A player's note-on, note-off or sustain pedal, as raw MIDI bytes: the engine plays it through at once;
    the conductor feeds it to the model and, offline, renders it."""

    t: float
    data: tuple[int, ...]


@dataclass(frozen=True)
class ReleaseEvent:
    """A sensor is gone (a camera unplugged): every signal under ``prefix`` glides back to the value each scene
    mapping assumes while it is absent, its default."""

    t: float
    prefix: str


Event = Union[ControlEvent, CueEvent, PlayerMidi, ReleaseEvent]


def clamp01(value: float) -> tuple[float, bool]:
    """Clamp to 0..1 and say whether clamping was needed. NaN maps to (nan, True): callers drop it."""
    if math.isnan(value):
        return value, True
    if value < 0.0:
        return 0.0, True
    if value > 1.0:
        return 1.0, True
    return value, False


def is_signal_name(name: str) -> bool:
    """Signal names are lower-case paths with at least two parts, like ``audience/energy``."""
    return bool(SIGNAL_NAME.fullmatch(name))  # not match: its $ would also take a trailing newline
