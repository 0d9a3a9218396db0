"""The steering vector the bus sets and the hard constraints a generator samples under."""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass, replace
from enum import Enum

from performer.music.hearing import Hearing

log = logging.getLogger(__name__)


class SteerParam(str, Enum):
    """Steering parameters a scene mapping may target, in musical units."""

    density = "density"  # notes per beat
    register = "register"  # mean MIDI pitch
    spread = "spread"  # pitch spread in semitones
    velocity = "velocity"  # mean MIDI velocity
    repetition = "repetition"  # 0 = always new material, 1 = return to earlier phrases close to the source
    tension = "tension"  # the scene's live harmony: 0 = tonic, subdominant, dominant; 1 = chromatic, far-reaching
    harmonic_rhythm = "harmonic_rhythm"  # the scene's chords per bar
    style = "style"  # 0 = the scene's first style, 1 = its second


SCENE_PARAMS = frozenset({SteerParam.tension, SteerParam.harmonic_rhythm, SteerParam.style})  # not per voice


LIMITS: dict[SteerParam, tuple[float, float]] = {
    SteerParam.density: (0.125, 8.0),
    SteerParam.register: (21.0, 108.0),
    SteerParam.spread: (0.0, 24.0),
    SteerParam.velocity: (1.0, 127.0),
    SteerParam.repetition: (0.0, 1.0),
    SteerParam.tension: (0.0, 1.0),
    SteerParam.harmonic_rhythm: (0.25, 4.0),
    SteerParam.style: (0.0, 1.0),
}


_BOUNDS = tuple((p.value, lo, hi) for p, (lo, hi) in LIMITS.items())


def _clamp(value: float, lo: float, hi: float) -> float:
    return lo if math.isnan(value) else min(hi, max(lo, value))


DEFAULT_SPREAD = 2.2  # semitones of pitch spread (standard deviation): the median of the training notes


@dataclass(frozen=True)
class Steering:
    """Where the bus wants the music: density, register, spread, velocity, and how much it returns to its
    earlier phrases; for the whole scene, its harmony's tension and rhythm and where it stands between two styles."""

    density: float = 1.0
    register: float = 64.0
    spread: float = DEFAULT_SPREAD
    velocity: float = 80.0
    repetition: float = 0.5
    tension: float = 0.3
    harmonic_rhythm: float = 1.0
    style: float = 0.0

    def clamped(self) -> "Steering":
        """A copy with every value inside LIMITS (itself, when every value already is: the common case, and this
        runs several times a note)."""
        values = [getattr(self, name) for name, _, _ in _BOUNDS]
        if all(lo <= v <= hi for v, (_, lo, hi) in zip(values, _BOUNDS)):
            return self
        return Steering(**{name: _clamp(v, lo, hi) for v, (name, lo, hi) in zip(values, _BOUNDS)})

    def with_values(self, values: dict[SteerParam, float]) -> "Steering":
        """A copy with some parameters replaced, then clamped."""
        return replace(self, **{p.value: v for p, v in values.items()}).clamped()


@dataclass(frozen=True)
class Constraints:
    """Hard limits on sampling: allowed pitch classes, pitch range and polyphony per voice; and what the voice hears
    of the ensemble there (the chord, the others' notes, the key, the style), which it leans toward but never must
    follow."""

    pitch_classes: frozenset[int]
    low: int = 36
    high: int = 96
    max_polyphony: int = 1
    temperature: float = 1.0
    top_p: float = 1.0
    hearing: Hearing | None = None

    def allowed_pitches(self) -> list[int]:
        """Every pitch in range whose class is allowed (may be empty)."""
        return [p for p in range(self.low, self.high + 1) if p % 12 in self.pitch_classes]


PIANO = (21, 108)


def relaxed_pitches(constraints: Constraints) -> tuple[list[int], bool]:
    """Allowed pitches, and whether the constraints had to be relaxed to find any.

    Only the piano's keys (21..108) are ever allowed. The documented order: first the range widens to the
    piano's, then the pitch classes are dropped."""
    pitches = [p for p in constraints.allowed_pitches() if PIANO[0] <= p <= PIANO[1]]
    if pitches:
        return pitches, False
    pitches = [p for p in range(PIANO[0], PIANO[1] + 1) if p % 12 in constraints.pitch_classes]
    if pitches:
        return pitches, True
    low, high = max(PIANO[0], constraints.low), min(PIANO[1], constraints.high)
    return (list(range(low, high + 1)) or list(range(PIANO[0], PIANO[1] + 1))), True


class PitchRelaxer:
    """relaxed_pitches for one generator, which says once (a warning) that it had to relax, never raises."""

    def __init__(self) -> None:
        self.logged = False

    def pitches(self, constraints: Constraints) -> list[int]:
        pitches, relaxed = relaxed_pitches(constraints)
        if relaxed and not self.logged:
            log.warning("constraints allow no pitch (range %d..%d, classes %s): relaxing range, then classes",
                        constraints.low, constraints.high, sorted(constraints.pitch_classes))
            self.logged = True
        return pitches
