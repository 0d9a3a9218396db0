"""One part of one piece as parallel arrays: the unit everything in training data is made of."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

# Columns of a part's note table, in beats (a beat is a quarter note) and MIDI numbers.
COLUMNS = ("onset", "duration", "pitch", "velocity", "bar_pos", "bar_len")


@dataclass
class PartNotes:
    """The notes of one part, sorted by onset then by pitch from the top, with its piece and role."""

    piece: str  # collection/file[#tune], unique in the corpus
    voice: int  # part index from the top of the score, 0 = highest
    table: np.ndarray  # float32, shape (n, len(COLUMNS))

    def __len__(self) -> int:
        return len(self.table)


def metric_strength(bar_pos: float, bar_len: float) -> int:
    """0 on the downbeat, 1 mid-bar in even meters, 2 on other beats, 3 off the beat."""
    if abs(bar_pos) < 1e-6:
        return 0
    if bar_len >= 4 and abs(bar_pos - bar_len / 2) < 1e-6 and (bar_len / 2) % 1 == 0:
        return 1
    return 2 if abs(bar_pos - round(bar_pos)) < 1e-6 else 3


ACCENT = (12, 6, 3, 0)  # velocity added for each metric strength


def derived_velocity(dynamic: float, bar_pos: float, bar_len: float) -> int:
    """A velocity for a score without one: the dynamic mark (0..1) plus a metric accent."""
    return int(min(127, max(1, round(20 + 90 * dynamic + ACCENT[metric_strength(bar_pos, bar_len)]))))
