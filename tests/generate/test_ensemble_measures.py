"""The ensemble measures (performer/bench/ensemble.py) on parts whose answer is known, and on a real Bach
chorale from the corpus, whose voices agree far beyond chance."""

from __future__ import annotations

import numpy as np

from performer.bench.ensemble import (
    Part,
    bass_melody_consonance,
    chord_time,
    dissonant_share,
    onset_coincidence,
    texture,
    with_chance,
)
from performer.data.corpus import corpus_root, read_corpus_file


def _part(notes: list[tuple[float, float, int]]) -> Part:
    start, length, pitch = (np.array(column, dtype=float) for column in zip(*notes))
    return Part(start, start + length, pitch.astype(int))


def _progression() -> list[Part]:
    """I-IV-V-I in C, a bar each, four voices from the top."""
    chords = [(72, 67, 64, 48), (72, 69, 65, 53), (71, 67, 62, 55), (72, 67, 64, 48)]
    return [_part([(4.0 * bar, 4.0, chord[voice]) for bar, chord in enumerate(chords)]) for voice in range(4)]


def test_a_plain_progression_is_consonant_together_and_less_so_moved():
    parts = _progression()
    assert bass_melody_consonance(parts, 16.0) == 1.0
    assert dissonant_share(parts, 16.0) == 0.0
    assert onset_coincidence(parts) == 1.0 and texture(parts, 16.0) == 1.0
    actual, chance = with_chance(lambda p: bass_melody_consonance(p, 16.0), parts, 16.0, bar=4.0, shifts=3)
    assert actual == 1.0 and chance < 1.0  # the bass of IV under the tonic's C is a fourth


def test_a_cluster_is_dissonant_and_a_pad_of_triads_is_all_chords():
    clash = [_part([(0.0, 4.0, 61)]), _part([(0.0, 4.0, 60)])]
    assert dissonant_share(clash, 4.0) == 1.0 and bass_melody_consonance(clash, 4.0) == 0.0
    pad = _part([(0.0, 4.0, 60), (0.0, 4.0, 64), (0.0, 4.0, 67), (4.0, 4.0, 62)])
    assert chord_time(pad, 8.0, 3) == 0.5 and chord_time(pad, 8.0, 2) == 0.5 and chord_time(pad, 8.0, 1) == 1.0


def test_a_bach_chorale_agrees_beyond_chance():
    tables = [p.table for p in read_corpus_file(corpus_root() / "bach" / "bwv10.7.mxl")]
    parts = [Part(t[:, 0], t[:, 0] + t[:, 1], t[:, 2].astype(int)) for t in tables]
    length, bar = float(max(t[:, 0].max() + t[:, 1].max() for t in tables)), float(tables[0][0, 5])
    consonant, chance = with_chance(lambda p: bass_melody_consonance(p, length), parts, length, bar)
    assert consonant > 0.75 and consonant > chance + 0.15
    dissonant, chance = with_chance(lambda p: dissonant_share(p, length), parts, length, bar)
    assert dissonant < 0.6 * chance
