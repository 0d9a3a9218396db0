"""Which key music is in, from how long each pitch class sounds: the Krumhansl-Kessler profiles, correlated.

Training labels each piece with its key (the model takes the tonic as an input); the live harmony follows a player
who leaves the scene's key by the same measure over their last bars."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

MAJOR_PROFILE = np.array([6.35, 2.23, 3.48, 2.33, 4.38, 4.09, 2.52, 5.19, 2.39, 3.66, 2.29, 2.88])
MINOR_PROFILE = np.array([6.33, 2.68, 3.52, 5.38, 2.60, 3.53, 2.54, 4.75, 3.98, 2.69, 3.34, 3.17])


@dataclass(frozen=True)
class Key:
    """A tonic pitch class and a mode, with how well the notes fit it (the profile's correlation, -1..1)."""

    tonic: int
    minor: bool
    fit: float = 1.0


def _profiles() -> np.ndarray:
    """The 24 key profiles, major keys on C..B then minor, each centred and scaled for a correlation."""
    rows = [np.roll(MAJOR_PROFILE, t) for t in range(12)] + [np.roll(MINOR_PROFILE, t) for t in range(12)]
    table = np.array(rows)
    table -= table.mean(axis=1, keepdims=True)
    return table / np.linalg.norm(table, axis=1, keepdims=True)


PROFILES = _profiles()


def key_fits(weights: np.ndarray) -> np.ndarray:
    """The correlation of a 12-bin pitch-class weighting (durations) with each of the 24 keys."""
    weights = np.asarray(weights, dtype=np.float64)
    centred = weights - weights.mean()
    norm = float(np.linalg.norm(centred))
    return PROFILES @ centred / norm if norm > 0 else np.zeros(24)


def estimate_key(weights: np.ndarray) -> Key | None:
    """The best-fitting key of a pitch-class weighting; None when nothing sounded."""
    fits = key_fits(weights)
    if not np.any(fits):
        return None
    best = int(np.argmax(fits))
    return Key(tonic=best % 12, minor=best >= 12, fit=float(fits[best]))


def pitch_class_weights(pitches: np.ndarray, durations: np.ndarray) -> np.ndarray:
    """How long each pitch class sounds in a set of notes."""
    return np.bincount(np.asarray(pitches, dtype=np.int64) % 12, weights=np.asarray(durations, dtype=np.float64),
                       minlength=12)
