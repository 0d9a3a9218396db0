"""An ensemble that listens: voices hear each other, pads play the harmony's chords, the harmony follows a player
into a new key, and a style change is heard by a classifier fitted on the corpus. Scenes play offline to notes with
the shipped weights (offline/scenenotes.py), as the conductor plays them."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from performer.config.loading import load_scene
from performer.config.rig import ModelConfig
from performer.config.scene import SceneSpec
from performer.generate.factory import make_factory
from performer.music.hearing import Hearing
from performer.music.steering import Constraints, Steering
from performer.offline.scenenotes import play_scene
from synthesis.protocol import Note

TRIO = """
name = "Trio"
tempo = 96
key = "D"
scale = "dorian"
[[voices]]
name = "melody"
instrument = "epiano"
register = [60, 86]
steering = {{ density = 2.0, register = {register}, spread = 4 }}
[[voices]]
name = "pad"
instrument = "pad"
register = [50, 69]
channel = 3
steering = {{ density = 0.5, register = 60, spread = 5 }}
[[voices]]
name = "bass"
instrument = "bass"
register = [33, 52]
channel = 2
steering = {{ density = 1.0, register = 43, spread = 4 }}
"""


@pytest.fixture(scope="module")
def factory():
    made, playing = make_factory(ModelConfig(), Path("."))
    assert playing.startswith("model")  # the shipped weights load: no fallback
    return made


def trio(tmp_path: Path, register: int = 72) -> SceneSpec:
    path = tmp_path / f"trio{register}.toml"
    path.write_text(TRIO.format(register=register))
    return load_scene(path)


def voice_notes(notes: list[Note], voice: str) -> list[tuple[float, int]]:
    return [(round(n.start, 4), n.pitch) for n in notes if n.voice == voice]


def test_changing_one_voice_changes_what_the_others_choose(tmp_path: Path, factory) -> None:
    """Same seed, same harmony: only the melody's register differs. The bass and the pad hear the melody, so they
    choose other notes (before voices heard each other, they were identical note for note)."""
    low, high = (play_scene(trio(tmp_path, register), factory, 40.0, seed=3) for register in (68, 78))
    assert voice_notes(low.notes, "melody") != voice_notes(high.notes, "melody")
    assert [s.chord for s in low.run.ensemble.harmony.spans] == [s.chord for s in high.run.ensemble.harmony.spans]
    bass_low, bass_high = voice_notes(low.notes, "bass"), voice_notes(high.notes, "bass")
    assert len(bass_low) > 20 and bass_low != bass_high


def test_the_pad_sounds_chords_of_the_harmony(tmp_path: Path, factory) -> None:
    played = play_scene(trio(tmp_path), factory, 40.0, seed=1)
    beat = 60.0 / 96
    chords: dict[float, list[int]] = {}
    for note in played.notes:
        if note.voice == "pad":
            chords.setdefault(round(note.start / beat, 4), []).append(note.pitch)
    spans = played.run.ensemble.harmony.spans
    assert len(chords) >= 10
    for onset, pitches in chords.items():
        chord = [s for s in spans if s.start <= onset + 1e-6][-1].chord
        assert 3 <= len(pitches) <= 5, (onset, pitches)
        assert {p % 12 for p in pitches} <= chord.classes, (onset, pitches, chord)
        assert {chord.tones[0], chord.tones[1]} <= {p % 12 for p in pitches}  # root and third voiced
    assert len({s.chord.name for s in spans}) >= 3  # the harmony moves


def _scale_run(tonic: int, bars: int, start_bar: int, beat: float) -> list[Note]:
    steps = (0, 2, 4, 5, 7, 9, 11, 12, 11, 9, 7, 5, 4, 2, 0, 7)
    return [Note(start=(start_bar * 4 + i * 0.5) * beat, duration=0.45 * beat, pitch=60 + tonic + steps[i % 16],
                 velocity=80, instrument="epiano", voice="player") for i in range(bars * 8)]


def test_a_player_in_a_new_key_moves_the_harmony(tmp_path: Path, factory) -> None:
    """Four bars in D dorian's home (C major notes), then four in F# major: the harmony's key follows within two
    bars and its chords then belong to F# major."""
    beat = 60.0 / 96
    player = _scale_run(0, 4, 0, beat) + _scale_run(6, 4, 4, beat)
    played = play_scene(trio(tmp_path), factory, 8 * 4 * beat, seed=2, player=player)
    harmony = played.run.ensemble.harmony
    assert (harmony.key.tonic, harmony.key.minor) == (6, False)
    f_sharp = {(6 + s) % 12 for s in (0, 2, 4, 5, 7, 9, 11)}
    late = [s for s in harmony.spans if s.start >= 6 * 4]
    assert late and all(s.chord.classes <= f_sharp for s in late)
    moved = [s for s in harmony.spans if s.start >= 4 * 4 and s.chord.classes <= f_sharp]
    assert moved and moved[0].start <= 6 * 4


def test_clusters_and_keys_outside_every_key_never_stall_the_harmony(tmp_path: Path, factory) -> None:
    beat = 60.0 / 96
    clusters = [Note(start=b * beat, duration=beat, pitch=60 + k, velocity=90, instrument="epiano", voice="player")
                for b in range(0, 32) for k in range(12)]
    played = play_scene(trio(tmp_path), factory, 32 * beat, seed=4, player=clusters)
    assert played.run.ensemble.harmony.spans[-1].start >= 24  # chords were still chosen to the end
    assert len([n for n in played.notes if n.voice == "bass"]) > 10


def test_a_generator_hears_nothing_it_cannot_take(factory) -> None:
    """Broken hearing (no chord, pitches off the piano, an empty style) is leaned on, never raised on."""
    generator = factory(0, trio_spec_for_factory(), 0)
    hearing = Hearing(chord=frozenset(), root=None, sounding=(-40, 500), tonic=None, style=(math.nan,) * 9)
    for _ in range(20):
        note = generator.sample(Steering(), Constraints(frozenset(range(12)), hearing=hearing))
        assert 21 <= note.pitch <= 108


def trio_spec_for_factory() -> SceneSpec:
    return SceneSpec.model_validate({"name": "One", "tempo": 100, "voices": [{"name": "v", "instrument": "epiano"}]})


def test_a_style_change_shows_in_the_classifier(factory) -> None:
    """A classifier fitted on corpus melodies only (chorale sopranos against fiddle tunes, as many windows of each)
    hears the style a scene asks for: more of its windows are named fiddle when the scene asks for fiddle than when
    it asks for chorale."""
    from performer.bench.styleid import StyleClassifier, features, generated_windows, style_scene
    from performer.data.corpus import corpus_root, read_corpus_file
    from performer.music.styles import STYLES

    windows: dict[str, list[np.ndarray]] = {"chorale": [], "fiddle": []}
    for pattern, style, files in (("bach/bwv*.mxl", "chorale", 80), ("oneills1850/0001-0050.abc", "fiddle", 1)):
        for path in sorted(corpus_root().glob(pattern))[:files]:
            for part in read_corpus_file(path):
                if part.voice == 0 and len(part.table) > 32:
                    t = part.table.astype(np.float64)
                    windows[style] += [features(t[i:i + 32, 0], t[i:i + 32, 1], t[i:i + 32, 2].astype(np.int64))
                                       for i in range(0, len(t) - 32, 8)]
    count = min(len(w) for w in windows.values())
    assert count >= 100, {k: len(w) for k, w in windows.items()}
    rng = np.random.default_rng(0)
    rows = [w[i] for w in windows.values() for i in rng.choice(len(w), count, replace=False)]
    labels = [STYLES.index(style) for style in windows for _ in range(count)]
    classifier = StyleClassifier(np.array(rows), np.array(labels))
    fiddle = STYLES.index("fiddle")
    share = {style: float(np.mean(classifier.predict(generated_windows(factory, style_scene(style))) == fiddle))
             for style in ("chorale", "fiddle")}
    assert share["fiddle"] > share["chorale"] + 0.3, share


def test_contradictory_settings_say_which_wins(tmp_path: Path, performer_cmd: list[str]) -> None:
    import subprocess

    from tests.conftest import write_rig

    scene = tmp_path / "both.toml"
    scene.write_text(TRIO.format(register=72).replace('scale = "dorian"',
                                                      'scale = "dorian"\nchords = ["Dm", "G"]\ntension = 0.8'))
    out = subprocess.run([*performer_cmd, "check", str(write_rig(tmp_path, scenes=[scene]))], capture_output=True,
                         text=True, timeout=60)
    assert out.returncode == 0
    lines = [line for line in out.stdout.splitlines() + out.stderr.splitlines() if "tension" in line]
    assert lines == [f"warning: {scene}: tension: the chord list (chords) wins; tension shapes only a live "
                     f"harmony, in a scene without chords"]
    scene.write_text(TRIO.format(register=72).replace('scale = "dorian"', 'scale = "dorian"\nstyle = ["baroque"]'))
    out = subprocess.run([*performer_cmd, "check", str(write_rig(tmp_path, scenes=[scene]))], capture_output=True,
                         text=True, timeout=60)
    assert out.returncode != 0
    errors = (out.stdout + out.stderr).strip().splitlines()
    assert len(errors) == 1 and "style" in errors[0] and "'baroque'" in errors[0] and "chorale" in errors[0], errors
