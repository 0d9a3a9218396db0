"""A live chord progression in a key: which chords the key offers, how tense each is, and how one follows another.

The choice is functional (tonic, subdominant, dominant, and chromatic colour), leans toward the chords whose tension
is near the ``tension`` asked for (0: tonic, subdominant and dominant of the key; 1: secondary dominants, borrowed
chords, Neapolitan and chromatic mediants), resolves what it sets up, and cadences at phrase ends when calm."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from performer.music.chords import QUALITIES

# (semitones above the tonic, quality, name, tension, function, the root it resolves to or None)
MAJOR_CHORDS = (
    (0, "", "I", 0.0, "T", None), (2, "m", "ii", 0.3, "S", None), (4, "m", "iii", 0.4, "T", None),
    (5, "", "IV", 0.2, "S", None), (7, "", "V", 0.3, "D", 0), (9, "m", "vi", 0.2, "T", None),
    (11, "dim", "vii°", 0.5, "D", 0), (7, "7", "V7", 0.4, "D", 0), (2, "m7", "ii7", 0.4, "S", None),
    (5, "maj7", "IVmaj7", 0.45, "S", None),
    (2, "7", "V/V", 0.65, "X", 7), (4, "7", "V/vi", 0.65, "X", 9), (9, "7", "V/ii", 0.65, "X", 2),
    (0, "7", "V/IV", 0.6, "X", 5), (5, "m", "iv", 0.6, "S", None), (8, "", "bVI", 0.75, "X", None),
    (10, "", "bVII", 0.7, "X", None), (3, "", "bIII", 0.8, "X", None), (1, "", "bII", 0.9, "S", 7),
    (4, "", "III", 0.85, "X", 9), (6, "dim7", "#iv°7", 0.85, "D", 7), (1, "7", "subV7", 0.95, "D", 0),
)
MINOR_CHORDS = (
    (0, "m", "i", 0.0, "T", None), (2, "m7b5", "iiø7", 0.45, "S", None), (3, "", "III", 0.3, "T", None),
    (5, "m", "iv", 0.2, "S", None), (7, "", "V", 0.3, "D", 0), (7, "m", "v", 0.3, "D", None),
    (8, "", "VI", 0.2, "T", None), (10, "", "VII", 0.3, "D", 3), (11, "dim7", "vii°7", 0.5, "D", 0),
    (7, "7", "V7", 0.4, "D", 0),
    (0, "", "I", 0.6, "X", None), (5, "", "IV", 0.55, "S", None), (1, "", "bII", 0.75, "S", 7),
    (2, "7", "V/V", 0.65, "X", 7), (0, "7", "V/iv", 0.6, "X", 5), (10, "7", "V/III", 0.6, "X", 3),
    (6, "dim7", "#iv°7", 0.85, "D", 7), (6, "", "bV", 0.95, "X", None), (9, "", "VI#", 0.85, "X", None),
)
FLOW = {  # how well one function follows another
    "T": {"T": 0.4, "S": 1.0, "D": 0.6, "X": 0.7},
    "S": {"T": 0.4, "S": 0.5, "D": 1.0, "X": 0.6},
    "D": {"T": 1.0, "S": 0.2, "D": 0.3, "X": 0.5},
    "X": {"T": 0.6, "S": 0.7, "D": 0.8, "X": 0.6},
}
TENSION_WIDTH = (0.2, 0.4)  # how far above, and below, the tension asked for a chord's own may be before it fades
RESOLVE = 4.0  # a chord that resolves the last one's pull
FIFTH_DOWN = 1.5  # root motion down a fifth
REPEAT = 0.15  # the same chord again
PHRASE = 4  # chords in a phrase: its first leans to the tonic, its last to the dominant, when calm
OUTSIDE = 3.0  # per chord tone outside the scene's scale, a chord fades by exp(-OUTSIDE) at tension 0


@dataclass(frozen=True)
class Chord:
    """A chord: its root's pitch class, its pitch classes in order (root, third, fifth, seventh...), a name in
    the key (roman numerals), its tension, its function, and the root it wants to move to."""

    root: int
    tones: tuple[int, ...]
    name: str
    tension: float = 0.0
    function: str = "T"
    resolves_to: int | None = None

    @property
    def classes(self) -> frozenset[int]:
        return frozenset(self.tones)


def chords_of(tonic: int, minor: bool) -> tuple[Chord, ...]:
    """Every chord the progression may choose in a key."""
    table = MINOR_CHORDS if minor else MAJOR_CHORDS
    return tuple(Chord(root=(tonic + offset) % 12, tones=tuple((tonic + offset + s) % 12 for s in QUALITIES[quality]),
                       name=name, tension=tension, function=function,
                       resolves_to=None if target is None else (tonic + target) % 12)
                 for offset, quality, name, tension, function, target in table)


def weights(chords: tuple[Chord, ...], last: Chord | None, tension: float, place: int,
            scale: frozenset[int]) -> np.ndarray:
    """How likely each chord is next, after ``last``, at ``place`` in its phrase, under ``tension`` (0..1), in a
    scene whose scale is ``scale``."""
    tension = min(1.0, max(0.0, tension))
    out = np.empty(len(chords))
    for i, chord in enumerate(chords):
        above, below = max(0.0, chord.tension - tension), max(0.0, tension - chord.tension)
        w = math.exp(-0.5 * ((above / TENSION_WIDTH[0]) ** 2 + (below / TENSION_WIDTH[1]) ** 2))
        w *= math.exp(-OUTSIDE * (1.0 - tension) * sum(t not in scale for t in chord.tones))
        if last is not None:
            w *= FLOW[last.function][chord.function]
            w *= RESOLVE if last.resolves_to == chord.root else 1.0
            w *= FIFTH_DOWN if (last.root - chord.root) % 12 == 7 else 1.0
            w *= REPEAT if chord.name == last.name else 1.0
        calm = 1.0 - tension
        if place % PHRASE == 0:
            w *= 1.0 + 3.0 * calm * (chord.name in ("I", "i"))
        elif place % PHRASE == PHRASE - 1:
            w *= 1.0 + 2.0 * calm * (chord.function == "D")
        out[i] = w
    return out


def fit(chord: Chord, heard: np.ndarray) -> float:
    """How well a chord fits a player's recent pitch classes (weights, 12): +1 for each in the chord, -1 for each a
    semitone from a chord tone and not in it, -0.3 for the rest; averaged by weight (0 when nothing was heard)."""
    total = float(heard.sum())
    if total <= 0:
        return 0.0
    score = 0.0
    for pc in range(12):
        if heard[pc] <= 0:
            continue
        if pc in chord.classes:
            score += heard[pc]
        elif any((pc - t) % 12 in (1, 11) for t in chord.tones):
            score -= heard[pc]
        else:
            score -= 0.3 * heard[pc]
    return score / total
