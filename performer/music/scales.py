"""Keys and scales as pitch-class sets, the hard constraint every generator samples under."""

from __future__ import annotations

from enum import Enum

NOTE_NAMES = {"C": 0, "D": 2, "E": 4, "F": 5, "G": 7, "A": 9, "B": 11}


class Scale(str, Enum):
    """Scales a scene may name; each value's intervals are in SCALE_STEPS."""

    major = "major"
    minor = "minor"
    dorian = "dorian"
    phrygian = "phrygian"
    lydian = "lydian"
    mixolydian = "mixolydian"
    harmonic_minor = "harmonic_minor"
    pentatonic = "pentatonic"
    minor_pentatonic = "minor_pentatonic"
    blues = "blues"
    whole_tone = "whole_tone"
    chromatic = "chromatic"


SCALE_STEPS: dict[Scale, tuple[int, ...]] = {
    Scale.major: (0, 2, 4, 5, 7, 9, 11),
    Scale.minor: (0, 2, 3, 5, 7, 8, 10),
    Scale.dorian: (0, 2, 3, 5, 7, 9, 10),
    Scale.phrygian: (0, 1, 3, 5, 7, 8, 10),
    Scale.lydian: (0, 2, 4, 6, 7, 9, 11),
    Scale.mixolydian: (0, 2, 4, 5, 7, 9, 10),
    Scale.harmonic_minor: (0, 2, 3, 5, 7, 8, 11),
    Scale.pentatonic: (0, 2, 4, 7, 9),
    Scale.minor_pentatonic: (0, 3, 5, 7, 10),
    Scale.blues: (0, 3, 5, 6, 7, 10),
    Scale.whole_tone: (0, 2, 4, 6, 8, 10),
    Scale.chromatic: tuple(range(12)),
}


def key_pitch_class(key: str) -> int:
    """Pitch class of a key name such as ``C``, ``F#`` or ``Bb``; raises ValueError otherwise."""
    if not key or key[0].upper() not in NOTE_NAMES:
        raise ValueError(f"expected a key like C, F# or Bb, got {key!r}")
    pc = NOTE_NAMES[key[0].upper()]
    for accidental in key[1:]:
        if accidental == "#":
            pc += 1
        elif accidental == "b":
            pc -= 1
        else:
            raise ValueError(f"expected a key like C, F# or Bb, got {key!r}")
    return pc % 12


def pitch_classes(key: str, scale: Scale) -> frozenset[int]:
    """The pitch classes of ``scale`` rooted on ``key``."""
    root = key_pitch_class(key)
    return frozenset((root + step) % 12 for step in SCALE_STEPS[scale])
