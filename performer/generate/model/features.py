"""The steering vector: what a note's neighbourhood looks like, learned from data and set by the bus live.

Training computes it from each note's own surroundings; the live generator computes it from a Steering. Both go
through ``normalize`` so the network sees the same numbers either way."""

from __future__ import annotations

import math

import numpy as np

from performer.music.hearing import Hearing
from performer.music.steering import Steering
from performer.music.styles import STYLES

N_STEER = 5  # density, register, spread, velocity, and an "absent" flag
DENSITY_WINDOW = 4.0  # beats ahead over which density is counted: one 4/4 bar
CONTEXT_WINDOW = 4.0  # beats either side over which pitch and velocity statistics are taken


def normalize(density: np.ndarray, register: np.ndarray, spread: np.ndarray, velocity: np.ndarray) -> np.ndarray:
    """Musical units (notes per beat, MIDI pitch, semitones, MIDI velocity) → roughly -1..1 each, plus flag 0."""
    density = np.clip(density, 0.125, 8.0)
    columns = [np.log2(density) / 3.0, (register - 64.0) / 24.0, np.clip(spread, 0, 24) / 12.0,
               (velocity - 64.0) / 64.0, np.zeros_like(register)]
    return np.stack(columns, axis=-1).astype(np.float32)


def steering_vector(steering: Steering) -> np.ndarray:
    """The live steering, as the network's input: ``normalize`` for one Steering, in plain floats."""
    s = steering.clamped()
    return np.array([math.log2(min(8.0, max(0.125, s.density))) / 3.0, (s.register - 64.0) / 24.0,
                     min(24.0, max(0.0, s.spread)) / 12.0, (s.velocity - 64.0) / 64.0, 0.0], dtype=np.float32)


def absent_vector() -> np.ndarray:
    """No steering at all: what training shows the network for a random tenth of its windows."""
    vector = np.zeros(N_STEER, dtype=np.float32)
    vector[-1] = 1.0
    return vector


def neighbourhood(onset: np.ndarray, pitch: np.ndarray, velocity: np.ndarray) -> np.ndarray:
    """Per note of one part: notes per beat over the next bar, and the mean pitch, pitch spread and mean
    velocity of the notes within CONTEXT_WINDOW beats either side."""
    onset = onset.astype(np.float64)
    ahead = np.searchsorted(onset, onset + DENSITY_WINDOW - 1e-6, side="left")
    density = (ahead - np.arange(len(onset))) / DENSITY_WINDOW
    lo = np.searchsorted(onset, onset - CONTEXT_WINDOW + 1e-6, side="left")
    hi = np.searchsorted(onset, onset + CONTEXT_WINDOW - 1e-6, side="left")
    count = np.maximum(hi - lo, 1)

    def window_mean(values: np.ndarray) -> np.ndarray:
        cumulative = np.concatenate([[0.0], np.cumsum(values, dtype=np.float64)])
        return (cumulative[hi] - cumulative[lo]) / count

    mean_pitch = window_mean(pitch)
    spread = np.sqrt(np.maximum(window_mean(pitch.astype(np.float64) ** 2) - mean_pitch**2, 0.0))
    return normalize(density, mean_pitch, spread, window_mean(velocity))


# What a note hears of the ensemble (music/hearing.py), as the network's second input: the pitch classes around it
# (the other parts' and the chord's) with an "unknown" flag, the pitch class under it, the key's tonic and mode with
# an "unknown" flag, and weights over the styles.
OTHERS, OTHERS_ABSENT, BASS, TONIC, MINOR, TONIC_ABSENT, STYLE = 0, 12, 13, 25, 37, 38, 39
N_HEAR = STYLE + len(STYLES)
HEAR_DROPOUT = {"others": 0.25, "tonic": 0.15, "style": 0.2}  # how often training hides each


def hearing_vector(hearing: Hearing | None) -> np.ndarray:
    """The live ensemble as the network's input; None: nothing known (as training's dropped windows)."""
    vector = np.zeros(N_HEAR, dtype=np.float32)
    if hearing is None:
        vector[[OTHERS_ABSENT, TONIC_ABSENT]] = 1.0
        return vector
    for pc in hearing.classes():
        vector[OTHERS + pc] = 1.0
    bass = hearing.bass()
    if bass is not None:
        vector[BASS + bass] = 1.0
    if hearing.tonic is None:
        vector[TONIC_ABSENT] = 1.0
    else:
        vector[TONIC + hearing.tonic % 12] = 1.0
        vector[MINOR] = float(hearing.minor)
    weights = np.nan_to_num(np.asarray(hearing.style[:len(STYLES)], dtype=np.float32), nan=0.0)
    vector[STYLE:STYLE + len(weights)] = np.clip(weights, 0.0, 1.0)  # a broken blend is no style, never NaN
    return vector


def hearing_rows(others: np.ndarray, bass: np.ndarray, tonic: int | None, minor: bool, style: int | None,
                 shift: int) -> np.ndarray:
    """Training's ensemble input for a window: per note the other parts' pitch classes (a 12-bit mask) and the
    lowest of them (-1: none), and the piece's key and style, all transposed by ``shift`` semitones."""
    n = len(others)
    rows = np.zeros((n, N_HEAR), dtype=np.float32)
    rotated = np.asarray(others, dtype=np.int64)
    rotated = ((rotated << (shift % 12)) | (rotated >> (12 - shift % 12))) & 0xFFF
    rows[:, OTHERS:OTHERS + 12] = (rotated[:, None] >> np.arange(12)) & 1
    has_bass = np.asarray(bass) >= 0
    rows[np.flatnonzero(has_bass), BASS + (np.asarray(bass)[has_bass] + shift) % 12] = 1.0
    if tonic is None:
        rows[:, TONIC_ABSENT] = 1.0
    else:
        rows[:, TONIC + (tonic + shift) % 12] = 1.0
        rows[:, MINOR] = float(minor)
    if style is not None:
        rows[:, STYLE + style] = 1.0
    return rows


def drop_hearing(rows: np.ndarray, rng: np.random.Generator) -> None:
    """Hide, in place, the parts of a window's ensemble input that HEAR_DROPOUT draws, so the network also plays
    without knowing the other voices, the key or a style."""
    if rng.random() < HEAR_DROPOUT["others"]:
        rows[:, OTHERS:TONIC] = 0.0
        rows[:, OTHERS_ABSENT] = 1.0
    if rng.random() < HEAR_DROPOUT["tonic"]:
        rows[:, TONIC:STYLE] = 0.0
        rows[:, TONIC_ABSENT] = 1.0
    if rng.random() < HEAR_DROPOUT["style"]:
        rows[:, STYLE:] = 0.0
