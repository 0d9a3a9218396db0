"""Notes in musical time, as generators produce and consume them."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class NoteEvent:
    """One note of one voice: onset delta and duration in beats, so the scene's tempo sets the speed.

    A note always carries its duration, so none can hang."""

    delta: float
    duration: float
    pitch: int
    velocity: int
    voice: int = 0
