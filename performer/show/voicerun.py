"""One voice of a playing scene (its generator, where it is, what it plans), and the pure sums its planning
uses: its seed, its pitch classes, and how far a steering has moved since an onset was planned."""

from __future__ import annotations

import math
import zlib
from dataclasses import dataclass, field

from performer.config.scene import SceneSpec, VoiceSpec
from performer.generate.protocol import Generator
from performer.music.scales import pitch_classes
from performer.music.steering import Constraints, Steering

REGISTER_LEAP = 7.0  # semitones: a register move beyond this (or the spread) brings the next onset forward


def derive_seed(seed: int, *names: str) -> int:
    """A stable per-voice seed (Python's hash() of a str changes between runs; crc32 does not)."""
    return zlib.crc32("/".join((str(seed),) + names).encode())


def voice_classes(scene: SceneSpec, voice: VoiceSpec) -> frozenset[int]:
    """The pitch classes a voice samples under: the scene's key in the voice's own scale if it names one (a drum
    voice's "chromatic"), else in the scene's."""
    return pitch_classes(scene.key, voice.scale if voice.scale is not None else scene.scale)


@dataclass
class VoiceRun:
    """One voice of a playing scene: its generator, the beat of its last note, its next onset once planned, and
    when it acts next (plans its next onset, or, one lookahead before that onset, chooses the note and sends it)."""

    spec: VoiceSpec
    generator: Generator
    constraints: Constraints
    decide_at: float
    cursor: float | None = None
    done: bool = False
    steering: Steering = field(default_factory=Steering)
    onset: float | None = None  # the planned next note's beat; its pitch, length and loudness are chosen later
    planned: Steering | None = None  # the steering that onset was planned under
    replanned_at: float = -math.inf
    last_end: float | None = None  # the beat its last note's hold ends


def leapt(planned: Steering, now: Steering) -> bool:
    """Whether the register moved further than a melody's step since the onset was planned: more than
    REGISTER_LEAP semitones, or the spread."""
    return abs(now.register - planned.register) > max(REGISTER_LEAP, planned.spread)


def density_ratio(a: Steering, b: Steering) -> float:
    """How far apart two steerings' densities are, as a factor (at least 1)."""
    low, high = sorted((max(a.density, 1e-6), max(b.density, 1e-6)))
    return high / low
