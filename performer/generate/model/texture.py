"""What each note of a piece hears of its other parts, for training: the pitch classes they sound at its onset and
the lowest of them, and the piece's key and style. Live, the same inputs come from the scene (music/hearing.py)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from performer.music.keys import estimate_key, pitch_class_weights
from performer.music.styles import style_of_piece

LOOKBACK = 8  # notes of another part before an onset that may still sound at it (chords, held notes)
EPSILON = 1e-4  # beats: notes starting together count as sounding together


@dataclass(frozen=True)
class PieceLabels:
    """A piece's key (tonic -1: unknown) and style (-1: none)."""

    tonic: int
    minor: bool
    style: int


def labels(name: str, parts: list[np.ndarray]) -> PieceLabels:
    """The key of a piece's notes, by duration, and the style of its collection."""
    table = np.concatenate(parts) if parts else np.zeros((0, 6), np.float32)
    key = estimate_key(pitch_class_weights(table[:, 2], table[:, 1])) if len(table) else None
    style = style_of_piece(name)
    return PieceLabels(tonic=-1 if key is None else key.tonic, minor=bool(key and key.minor),
                       style=-1 if style is None else style)


def others_at_onsets(parts: list[np.ndarray]) -> list[tuple[np.ndarray, np.ndarray]]:
    """For each part table of one piece (sorted by onset): per note, a 12-bit mask of the pitch classes the other
    parts sound at its onset, and the pitch class of the lowest of them (-1 when they are silent)."""
    out = []
    for a, table in enumerate(parts):
        at = table[:, 0].astype(np.float64) + EPSILON
        mask = np.zeros(len(table), dtype=np.int64)
        lowest = np.full(len(table), 1000, dtype=np.int64)
        for b, other in enumerate(parts):
            if b != a:
                _sounding(other, at, mask, lowest)
        out.append((mask.astype(np.uint16), np.where(lowest < 1000, lowest % 12, -1).astype(np.int8)))
    return out


def _sounding(other: np.ndarray, at: np.ndarray, mask: np.ndarray, lowest: np.ndarray) -> None:
    """Add, in place, the notes of ``other`` that sound at each time of ``at`` to ``mask`` and ``lowest``."""
    onset = other[:, 0].astype(np.float64)
    end = onset + other[:, 1].astype(np.float64)
    pitch = other[:, 2].astype(np.int64)
    after = np.searchsorted(onset, at, side="right")
    for k in range(1, LOOKBACK + 1):
        index = after - k
        exists = index >= 0
        index = np.where(exists, index, 0)
        sounds = exists & (end[index] > at)
        mask |= np.where(sounds, 1 << (pitch[index] % 12), 0)
        np.minimum(lowest, np.where(sounds, pitch[index], 1000), out=lowest)
