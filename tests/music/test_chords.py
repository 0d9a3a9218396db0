"""Chord sequences: symbols to pitch classes, and a scene whose voices follow its chords bar by bar."""

from __future__ import annotations

from pathlib import Path

import pytest

from performer.config.loading import load_rig, load_scene
from performer.config.session import Session
from performer.config.settings import audio_settings
from performer.errors import ConfigError
from performer.music.chords import chord_classes
from performer.offline.render import conduct
from tests.conftest import write_rig


def test_chord_symbols():
    assert chord_classes("C") == {0, 4, 7}
    assert chord_classes("F#m7") == {6, 9, 1, 4}
    assert chord_classes("Bbmaj7") == {10, 2, 5, 9}
    assert chord_classes("Dm7b5") == {2, 5, 8, 0}
    with pytest.raises(ValueError, match="expected a chord like"):
        chord_classes("H7")


SCENE = """
name = "Changes"
tempo = 120
chords = ["Dm7", "G7", "Cmaj7", "A7"]
chord_bars = 1
[[voices]]
name = "lead"
instrument = "epiano"
register = [60, 84]
steering = { density = 2.0, register = 70, spread = 5, velocity = 80 }
[[voices]]
name = "bass"
instrument = "bass"
register = [36, 52]
steering = { density = 1.0, register = 43, spread = 3, velocity = 90 }
"""


@pytest.mark.parametrize("generator", ["rules", "model"])
def test_every_note_is_a_tone_of_the_chord_of_its_bar(tmp_path: Path, generator: str):
    (tmp_path / "changes.toml").write_text(SCENE)
    loaded = load_rig(write_rig(tmp_path, name="chords", scenes=["changes.toml"], model={"generator": generator}))
    notes, _, start = conduct(loaded, Session(events=[], header={"duration": 32.0}), audio_settings(loaded.rig))
    scene = loaded.scenes[0]
    assert len(notes) > 60 and {n.voice for n in notes} == {"lead", "bass"}
    outside = [n for n in notes if n.pitch % 12 not in scene.chord_at(round((n.start - start) / 0.5, 6))]
    assert outside == []  # a note landing in the next bar is sampled again under that bar's chord


def test_a_bad_chord_is_one_line(tmp_path: Path):
    scene = tmp_path / "bad.toml"
    scene.write_text(SCENE.replace('"G7"', '"G13#11"'))
    with pytest.raises(ConfigError) as caught:
        load_scene(scene)
    assert str(caught.value).startswith(f"{scene}: chords: ") and "'G13#11'" in str(caught.value)
