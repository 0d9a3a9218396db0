"""Score notes made to look played: the training augmentation that lets the model read a performer's keys.

A score part starts each note where the last one ends, at one dynamic. A player's part does not: onsets wander
off the grid, chords are rolled, notes are shortened or held over, and the loudness moves from pp to ff with the
phrase. Each played window draws one such manner of playing and applies it to the whole window, so the network
can tell from a few notes of history which kind of stream it is in."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

MIN_DURATION = 0.05  # beats: the shortest note a played key gives
ARTICULATIONS = ((0.3, 0.6), (0.7, 0.95), (0.95, 1.2))  # staccato, ordinary, legato: share of the written length
LEVELS = (16.0, 118.0)  # the window's base loudness, pp to ff


@dataclass(frozen=True)
class Manner:
    """How one window is played: timing spread (beats), chord roll, articulation, loudness and its swell."""

    jitter: float
    roll: float
    articulation: float
    level: float
    swell: float
    accent_gain: float
    velocity_jitter: float

    @classmethod
    def draw(cls, rng: np.random.Generator) -> Manner:
        low, high = ARTICULATIONS[int(rng.integers(len(ARTICULATIONS)))]
        return cls(jitter=float(rng.uniform(0.0, 0.04)), roll=float(rng.choice([0.0, 0.0, 0.03, 0.06])),
                   articulation=float(rng.uniform(low, high)), level=float(rng.uniform(*LEVELS)),
                   swell=float(rng.normal(0.0, 18.0)), accent_gain=float(rng.uniform(0.4, 1.6)),
                   velocity_jitter=float(rng.uniform(2.0, 9.0)))


def play(onset: np.ndarray, duration: np.ndarray, velocity: np.ndarray, pitch: np.ndarray, manner: Manner,
         rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """One window of a score part as a player would give it: new onsets, durations and velocities, and the order
    the notes now sound in (a rolled chord sounds from the bottom up). Inputs are per note, sorted by onset."""
    n = len(onset)
    chord_rank = _rank_within_chords(onset, pitch)
    played_onset = onset + rng.normal(0.0, manner.jitter, n) + manner.roll * chord_rank
    played_onset = np.maximum(played_onset, onset[0] if n else 0.0)
    length = duration * manner.articulation * np.exp(rng.normal(0.0, 0.15, n))
    played_duration = np.maximum(length, MIN_DURATION)
    accent = velocity - velocity.mean() if n else velocity
    swell = manner.swell * (np.linspace(-0.5, 0.5, n) if n > 1 else np.zeros(n))
    played_velocity = manner.level + swell + manner.accent_gain * accent + rng.normal(0.0, manner.velocity_jitter, n)
    order = np.lexsort((-pitch, played_onset))
    return played_onset, played_duration, np.clip(np.rint(played_velocity), 1, 127), order


def _rank_within_chords(onset: np.ndarray, pitch: np.ndarray) -> np.ndarray:
    """0 for the lowest note of each group of simultaneous onsets, 1 for the next up, and so on."""
    if not len(onset):
        return np.zeros(0)
    order = np.lexsort((pitch, onset))
    group_start = np.r_[True, np.diff(onset[order]) > 1e-6]
    first_of_group = np.maximum.accumulate(np.where(group_start, np.arange(len(onset)), 0))
    rank = np.empty(len(onset))
    rank[order] = np.arange(len(onset)) - first_of_group
    return rank
