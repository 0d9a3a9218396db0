"""The live harmony's parts as pure logic: key finding, the progression under tension, voice leading."""

from __future__ import annotations

import numpy as np

from performer.music.harmony import HarmonyPlan
from performer.music.keys import Key, estimate_key, pitch_class_weights
from performer.music.progression import chords_of
from performer.music.scales import Scale, pitch_classes
from performer.music.voicing import voice_chord

C_MAJOR = pitch_classes("C", Scale.major)


def test_keys_are_found_from_how_long_notes_sound():
    scale = np.array([60, 62, 64, 65, 67, 69, 71, 72, 67, 64, 60])
    key = estimate_key(pitch_class_weights(scale, np.ones(len(scale))))
    assert key is not None and (key.tonic, key.minor) == (0, False)
    a_minor = np.array([57, 59, 60, 62, 64, 65, 68, 69, 64, 57])  # with the leading tone G#
    key = estimate_key(pitch_class_weights(a_minor, np.ones(len(a_minor))))
    assert key is not None and (key.tonic, key.minor) == (9, True)
    assert estimate_key(np.zeros(12)) is None


def _progression(tension: float, seed: int, bars: int = 64) -> list:
    plan = HarmonyPlan(Key(0, False), C_MAJOR, 4.0, seed)
    return [plan.chord_at(4.0 * bar + 0.5, tension).chord for bar in range(bars)]


def test_tension_moves_the_progression_from_the_key_to_chromatic_chords():
    calm = [c for seed in range(4) for c in _progression(0.0, seed)]
    far = [c for seed in range(4) for c in _progression(1.0, seed)]
    outside = lambda chords: np.mean([not c.classes <= C_MAJOR for c in chords])  # noqa: E731
    assert outside(calm) < 0.05 and outside(far) > 0.5, (outside(calm), outside(far))
    assert calm[0].name == "I"  # a scene opens on its tonic
    assert np.mean([c.name in ("I", "IV", "V", "vi", "ii", "V7") for c in calm]) > 0.8


def test_a_secondary_dominant_mostly_resolves():
    chords = [c for seed in range(6) for c in _progression(0.7, seed, 96)]
    pulls = [(a, b) for a, b in zip(chords, chords[1:]) if a.resolves_to is not None and a.function == "X"]
    assert len(pulls) > 10
    assert np.mean([b.root == a.resolves_to for a, b in pulls]) > 0.5


def test_voicings_move_by_small_steps_and_hold_root_and_third():
    chords = {c.name: c for c in chords_of(0, False)}
    previous: tuple[int, ...] = ()
    moves = []
    for name in ("I", "vi", "IV", "V7", "I", "ii", "V", "I"):
        voiced = voice_chord(chords[name], previous, 48, 72, 60.0, 5.0)
        assert 4 == len(voiced) and {p % 12 for p in voiced} <= chords[name].classes
        assert {chords[name].tones[0], chords[name].tones[1]} <= {p % 12 for p in voiced}
        if previous:
            moves.append(sum(abs(a - b) for a, b in zip(sorted(voiced), sorted(previous))) / len(voiced))
        previous = voiced
    assert np.mean(moves) <= 2.5, moves  # semitones a voice moves, on average: voice leading, not leaps
    low = voice_chord(chords["V7"], (), 36, 60, 48.0, 2.0, root_bottom=True)
    assert low[0] % 12 == 7 and len(low) == 3  # a close voicing in root position: the bass of the ensemble
