"""A rule-based generator: a scale-aware random walk steered by density, register, spread and velocity.

It is the rig's fallback whenever the model is missing or fails, so it must always make music."""

from __future__ import annotations

import math
import random
from bisect import bisect
from itertools import accumulate

from performer.music.notes import NoteEvent
from performer.music.steering import Constraints, PitchRelaxer, Steering

# Inter-onset intervals in beats that the walk chooses from: straight subdivisions and a few longer values.
IOI_GRID = (0.25, 0.5, 0.75, 1.0, 1.5, 2.0, 3.0, 4.0)
REVERSION = 0.45  # how strongly each step pulls back toward the register
LEAP = 7.0  # semitones: a register moved further than this since the last step is followed at once


class RuleGenerator:
    """Scale-aware random walk. Deterministic for a given seed and sequence of calls."""

    def __init__(self, seed: int = 0) -> None:
        self._seed = seed
        self._relaxer = PitchRelaxer()
        self.reset()

    def reset(self) -> None:
        """Forget the walk and the metric position; reseed."""
        self._rng = random.Random(self._seed)
        self._pitch: int | None = None
        self._register: float | None = None  # the steered register at the walk's last own step
        self._beat = 0.0
        self._draw: float | None = None  # the planned interval's uniform draw, until the note is completed

    def snapshot(self) -> tuple[object, int | None, float | None, float, float | None]:
        """The walk's state: its random generator, last pitch and register, metric position and planned draw."""
        return self._rng.getstate(), self._pitch, self._register, self._beat, self._draw

    def restore(self, snapshot: tuple[object, int | None, float | None, float, float | None]) -> None:
        """Continue exactly as from ``snapshot``."""
        state, self._pitch, self._register, self._beat, self._draw = snapshot
        self._rng.setstate(state)  # type: ignore[arg-type]

    def cut_after(self, beats: float) -> None:
        """The walk keeps no sounding notes: its onsets never wait for them."""

    def feed(self, note: NoteEvent) -> None:
        """Continue the walk from a note someone else played."""
        self._pitch = note.pitch
        self._beat += note.delta

    def sample(self, steering: Steering, constraints: Constraints) -> NoteEvent:
        """The next note of the walk under ``constraints``."""
        return self.complete(steering, constraints, self.plan(steering, constraints))

    def plan(self, steering: Steering, constraints: Constraints) -> float:
        """The next interval in beats, from this note's draw (made once, kept until ``complete``)."""
        if self._pitch is None:
            return 0.0
        if self._draw is None:
            self._draw = self._rng.random()
        return self._choose_ioi(steering.clamped().density, self._draw)

    def complete(self, steering: Steering, constraints: Constraints, delta: float) -> NoteEvent:
        """The note ``delta`` beats on, its pitch, length and velocity chosen now under ``steering``."""
        steering = steering.clamped()
        pitches = self._allowed(constraints)
        self._draw = None
        self._beat += delta
        pitch = self._step(pitches, steering)
        duration = min(4.0, max(0.25, 1.0 / steering.density)) * self._rng.uniform(0.6, 0.95)
        velocity = self._velocity(steering.velocity)
        self._pitch = pitch
        return NoteEvent(delta=delta, duration=duration, pitch=pitch, velocity=velocity)

    def _allowed(self, constraints: Constraints) -> list[int]:
        """Allowed pitches, relaxed in relaxed_pitches' documented order when none are; logged once."""
        return self._relaxer.pitches(constraints)

    def _choose_ioi(self, density: float, u: float) -> float:
        """An interval near 1/density beats, weighted on a log scale (``u``: the uniform draw that picks it, as
        ``random.choices`` would), kept on the metric grid."""
        target = math.log2(1.0 / density)
        cumulative = list(accumulate(math.exp(-((math.log2(g) - target) ** 2) / (2 * 0.45**2)) for g in IOI_GRID))
        ioi = IOI_GRID[min(len(IOI_GRID) - 1, bisect(cumulative, u * cumulative[-1]))]
        offbeat = self._beat % ioi
        return ioi - offbeat if offbeat > 1e-9 and ioi - offbeat >= 0.25 else ioi

    def _step(self, pitches: list[int], steering: Steering) -> int:
        """One mean-reverting step along the allowed pitches."""
        target = min(range(len(pitches)), key=lambda i: abs(pitches[i] - steering.register))
        last, before, self._register = self._pitch, self._register, steering.register
        moved = 0.0 if before is None else abs(steering.register - before)
        if last is None or moved > max(LEAP, steering.spread):  # the register leapt: follow it now, not step by step
            index = target
        else:
            index = min(range(len(pitches)), key=lambda i: abs(pitches[i] - last))
        steps_per_semitone = len(pitches) / max(1, pitches[-1] - pitches[0] + 1)
        sd = max(0.6, steering.spread * steps_per_semitone / 1.4)
        move = REVERSION * (target - index) + self._rng.gauss(0.0, sd)
        new = int(round(index + move))
        if new == index and self._rng.random() < 0.6:
            new += self._rng.choice((-1, 1))
        return pitches[min(len(pitches) - 1, max(0, new))]

    def _velocity(self, mean: float) -> int:
        """Velocity around the steering mean, accented on the beat and more on the bar."""
        accent = 10 if self._beat % 4 < 1e-6 else 5 if self._beat % 1 < 1e-6 else 0
        return int(min(127, max(1, round(mean + accent + self._rng.gauss(0.0, 5.0)))))
