"""What a voice hears of the ensemble, as leans on the model's heads: toward the chord and its root, away from
pitches that clash with what sounds, and toward onsets the others have placed. Leans, never masks: the scale and
range masks still decide what is allowed."""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from performer.generate.model import tokens as tk
from performer.music.hearing import Hearing

PIANO_PITCHES = np.arange(tk.PITCH_LOW, tk.PITCH_HIGH + 1)
MASK_SIZE = tk.N_PITCH  # every head's logits are padded to the widest head
CHORD_LEAN = (1.0, 2.5)  # logits toward the chord's pitch classes: between changes, and on a change or downbeat
ROOT_LEAN = (1.0, 2.5)  # and, for the bass, toward the root (more on a change or downbeat)
CLASH_COST = 1.5  # logits against a pitch a semitone, a tritone or a major seventh from a sounding note
CLASHES = (1, 6, 11)
OVER_BASS_COST = 1.0  # ... and against a second, fourth or seventh above the lowest note sounding (or below others)
OVER_BASS = (2, 5, 10)
ONSET_LEAN = (1.5, 4.0)  # logits toward an onset another voice (or the player) has placed; the lowest voice's
_PCS = PIANO_PITCHES % 12
_IS_CLASH = np.isin(np.arange(12), CLASHES)
_IS_OVER_BASS = np.isin(np.arange(12), OVER_BASS)


def hearing_prior(hearing: Hearing, bass: bool) -> np.ndarray:
    """Added to the pitch head: a lean toward the chord (harder where the harmony changes), for the bass toward its
    root, and a cost for pitches that clash with what the other voices sound, or stand a second, fourth or seventh
    over the lowest of them. A lean, never a mask: the model's passing notes stay possible, and the scale and range
    masks still decide what is allowed."""
    return _prior(hearing.chord, hearing.root if bass else None, hearing.sounding, hearing.strong)


@lru_cache(maxsize=1024)
def _prior(chord: frozenset[int], root: int | None, sounding: tuple[int, ...], strong: bool) -> np.ndarray:
    """hearing_prior's array, for only what it depends on (so the cache holds across notes)."""
    prior = np.zeros(MASK_SIZE, dtype=np.float32)
    member = np.zeros(12, dtype=bool)
    member[[pc % 12 for pc in chord]] = True
    prior[:tk.N_PITCH] += (CHORD_LEAN[1] if strong else CHORD_LEAN[0]) * member[_PCS]
    if root is not None:
        prior[:tk.N_PITCH] += ROOT_LEAN[strong] * (_PCS == root % 12)
    if sounding:
        others = np.array(sounding, dtype=np.int64)
        clash = _IS_CLASH[(PIANO_PITCHES[:, None] - others[None, :]) % 12].sum(axis=1)
        lowest = int(others.min())
        above = _IS_OVER_BASS[(PIANO_PITCHES - lowest) % 12]  # the note over the bass
        under = _IS_OVER_BASS[(others[None, :] - PIANO_PITCHES[:, None]) % 12].sum(axis=1)  # the note as the bass
        over_bass = np.where(PIANO_PITCHES > lowest, above, under)
        prior[:tk.N_PITCH] -= CLASH_COST * clash + OVER_BASS_COST * over_bass
    return prior


@lru_cache(maxsize=256)
def onset_lean(onsets: tuple[float, ...], lock: bool) -> np.ndarray:
    """Added to the delta head: a lean toward the deltas at which another voice's note is already placed (harder
    for the ensemble's lowest voice, which locks on)."""
    strength = ONSET_LEAN[lock]
    lean = np.zeros(MASK_SIZE, dtype=np.float32)
    for delta in onsets:
        if 0.0 < delta <= float(tk.DELTA_GRID[-1]):
            lean[tk.delta_index(delta)] = strength
    return lean
