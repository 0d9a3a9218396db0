"""Chord symbols as pitch-class sets: a scene's chord sequence (``chords = ["Dm7", "G7", "Cmaj7"]``), one chord
per ``chord_bars`` bars, replaces its key and scale for every voice that does not name a scale of its own."""

from __future__ import annotations

import re

from performer.music.scales import key_pitch_class

QUALITIES: dict[str, tuple[int, ...]] = {
    "": (0, 4, 7), "maj": (0, 4, 7), "m": (0, 3, 7), "min": (0, 3, 7), "dim": (0, 3, 6), "aug": (0, 4, 8),
    "sus2": (0, 2, 7), "sus4": (0, 5, 7), "5": (0, 7), "6": (0, 4, 7, 9), "m6": (0, 3, 7, 9),
    "7": (0, 4, 7, 10), "maj7": (0, 4, 7, 11), "m7": (0, 3, 7, 10), "m7b5": (0, 3, 6, 10), "dim7": (0, 3, 6, 9),
    "9": (0, 2, 4, 7, 10), "maj9": (0, 2, 4, 7, 11), "m9": (0, 2, 3, 7, 10), "add9": (0, 2, 4, 7),
}
SYMBOL = re.compile(r"([A-Ga-g][#b]?)(.*)")


def chord_tones(symbol: str) -> tuple[int, ...]:
    """The pitch classes of a chord symbol such as ``C``, ``F#m``, ``Bb7`` or ``Dm7b5``, root first; ValueError
    otherwise."""
    match = SYMBOL.fullmatch(symbol)
    if match is None or match.group(2) not in QUALITIES:
        raise ValueError(f"expected a chord like C, Am, F#m7, Bbmaj7 or Gsus4 (qualities: "
                         f"{', '.join(q or 'major' for q in QUALITIES)}), got {symbol!r}")
    root = key_pitch_class(match.group(1))
    return tuple((root + step) % 12 for step in QUALITIES[match.group(2)])


def chord_classes(symbol: str) -> frozenset[int]:
    """The pitch classes of a chord symbol, as a set."""
    return frozenset(chord_tones(symbol))
