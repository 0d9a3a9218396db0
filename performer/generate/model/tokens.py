"""How notes become tokens: the value grids shared by training data, the network and the live generator.

A note is (delta, duration, pitch, velocity) with delta and duration in beats (quarter notes). Each value is
snapped to a grid, on a log scale for times, so triplets, dotted values and sixteenths stay exact."""

from __future__ import annotations

import bisect
import math

import numpy as np

DELTA_GRID = np.array([0, 1 / 12, 1 / 8, 1 / 6, 1 / 4, 1 / 3, 3 / 8, 1 / 2, 2 / 3, 3 / 4, 1, 5 / 4, 4 / 3, 3 / 2,
                       7 / 4, 2, 5 / 2, 3, 7 / 2, 4, 5, 6, 8], dtype=np.float64)
DUR_GRID = DELTA_GRID[1:].copy()
PITCH_LOW, PITCH_HIGH = 21, 108  # the piano's range
N_PITCH = PITCH_HIGH - PITCH_LOW + 1
VEL_STEP = 8
N_VEL = 128 // VEL_STEP
POS_PER_BEAT = 12  # bar position resolution: twelfths of a beat
N_POS = 8 * POS_PER_BEAT  # positions up to 8 beats into a bar
N_BARLEN = 17  # bar length in half beats, 1..16 (8 beats), 0 unused
N_VOICE = 5  # part role from the top: 0 melody ... 3 bass, and 4 keys (a whole texture: chords)
KEYS_ROLE = 4
BASS_ROLE = 3

_LOG_DUR = np.log2(DUR_GRID)


def _snap_log(values: np.ndarray) -> np.ndarray:
    """Index into DUR_GRID of the nearest value on a log scale."""
    logs = np.log2(np.maximum(values, DUR_GRID[0] / 2))
    return np.abs(logs[..., None] - _LOG_DUR).argmin(-1)


def delta_token(delta: np.ndarray | float) -> np.ndarray:
    """Onset delta in beats → DELTA_GRID index; below half the smallest step is simultaneous (0)."""
    delta = np.asarray(delta, dtype=np.float64)
    return np.where(delta < DUR_GRID[0] / 2, 0, _snap_log(delta) + 1)


def dur_token(duration: np.ndarray | float) -> np.ndarray:
    """Duration in beats → DUR_GRID index."""
    return _snap_log(np.asarray(duration, dtype=np.float64))


def pitch_token(pitch: np.ndarray | int) -> np.ndarray:
    """MIDI pitch → 0..N_PITCH-1, folding out-of-range pitches into the piano's range by octaves."""
    pitch = np.asarray(pitch, dtype=np.int64)
    pitch = np.where(pitch < PITCH_LOW, pitch + 12 * ((PITCH_LOW - pitch + 11) // 12), pitch)
    pitch = np.where(pitch > PITCH_HIGH, pitch - 12 * ((pitch - PITCH_HIGH + 11) // 12), pitch)
    return pitch - PITCH_LOW


def vel_token(velocity: np.ndarray | int) -> np.ndarray:
    """MIDI velocity → one of N_VEL bins."""
    return np.clip(np.asarray(velocity, dtype=np.int64), 0, 127) // VEL_STEP


def vel_value(token: int) -> int:
    """The velocity a bin plays at: its middle."""
    return int(token) * VEL_STEP + VEL_STEP // 2


def pos_token(bar_pos: np.ndarray | float) -> np.ndarray:
    """Position in the bar in beats → twelfths, capped at N_POS-1."""
    return np.clip(np.rint(np.asarray(bar_pos, dtype=np.float64) * POS_PER_BEAT), 0, N_POS - 1).astype(np.int64)


def barlen_token(bar_len: np.ndarray | float) -> np.ndarray:
    """Bar length in beats → half beats, 1..16."""
    return np.clip(np.rint(np.asarray(bar_len, dtype=np.float64) * 2), 1, N_BARLEN - 1).astype(np.int64)


# Scalar versions for the live generator: the same snapping without numpy's per-call cost.
_LOG_MIDPOINTS = [float(v) for v in (_LOG_DUR[:-1] + _LOG_DUR[1:]) / 2]


def dur_index(duration: float) -> int:
    """dur_token for one float."""
    return bisect.bisect_left(_LOG_MIDPOINTS, math.log2(max(duration, float(DUR_GRID[0]) / 2)))


def delta_index(delta: float) -> int:
    """delta_token for one float."""
    return 0 if delta < float(DUR_GRID[0]) / 2 else dur_index(delta) + 1


def pitch_index(pitch: int) -> int:
    """pitch_token for one int."""
    while pitch < PITCH_LOW:
        pitch += 12
    while pitch > PITCH_HIGH:
        pitch -= 12
    return pitch - PITCH_LOW


def vel_index(velocity: int) -> int:
    """vel_token for one int."""
    return min(127, max(0, int(velocity))) // VEL_STEP
