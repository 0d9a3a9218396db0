"""Expression on sounding notes, heard in the audio: a glide mapping carries the note that sounds to the hand's
pitch, an expression mapping swells or hushes it, both within a few milliseconds and without a new note; bad
targets are one line from the loader. Offline renders through the conductor, measured by FFT and RMS."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from performer.bench.analysis import band_peak, cents, hz, spectrum
from performer.config.loading import load_rig
from performer.config.session import Session
from performer.config.settings import audio_settings
from performer.errors import ConfigError
from performer.offline.render import conduct, render_audio
from sensors.events import ControlEvent
from tests.conftest import write_rig

SCENE = '''
name = "Theremin"
tempo = 60
key = "C"
scale = "major"

[[voices]]
name = "lead"
instrument = "pad"
register = [48, 72]
steering = {{ density = 0.25, register = 60, spread = 2, velocity = 100 }}

[[mappings]]
signal = "test/pitch"
voice = "lead"
param = "glide"
range = [48, 72]
default = 0.25
{snap}

[[mappings]]
signal = "test/level"
voice = "lead"
param = "expression"
range = [0.0, 1.0]
default = 1.0
'''


def _render(tmp_path: Path, events: list[ControlEvent], snap: bool = False, length: float = 6.0):
    """The scene rendered offline with the control events; returns (mono audio, sample rate, notes, show start)."""
    (tmp_path / "scene.toml").write_text(SCENE.format(snap="snap = true" if snap else ""))
    loaded = load_rig(write_rig(tmp_path, scenes=["scene.toml"], model={"generator": "rules"},
                                audio={"backend": "offline"}))
    session = Session(events=events, header={"duration": length})
    settings = replace(audio_settings(loaded.rig), effects=False)  # dry: the reverb's tail would blur the change
    notes, trace, start = conduct(loaded, session, settings)
    render_audio(notes, trace, start + length, settings, tmp_path / "audio.wav")
    audio, sr = sf.read(tmp_path / "audio.wav")
    return audio.mean(axis=1), sr, notes, start


def _pitch(mono: np.ndarray, sr: int, t0: float, t1: float, near: float) -> float:
    freqs, mags = spectrum(mono, sr, t0, t1)
    return band_peak(freqs, mags, hz(round(near)), 3.0)[0]


def _rms(mono: np.ndarray, sr: int, t0: float, t1: float) -> float:
    return float(np.sqrt(np.mean(mono[int(t0 * sr):int(t1 * sr)] ** 2)))


def _held_across(notes, t: float):
    """The note that sounds across ``t`` with no other onset near it: the change must move it, not a new note."""
    held = [n for n in notes if n.start < t - 0.5 and n.end > t + 0.5]
    assert held and not [n for n in notes if t - 0.5 <= n.start <= t + 0.5], notes
    return held[0]


def test_a_glide_carries_the_sounding_note_to_the_hands_pitch(tmp_path: Path):
    mono, sr, notes, start = _render(tmp_path, [ControlEvent(1.5, "test/pitch", 0.75)])
    t = start + 1.5
    _held_across(notes, t)
    before, after = _pitch(mono, sr, t - 0.4, t - 0.02, 54), _pitch(mono, sr, t + 0.06, t + 0.5, 66)
    assert abs(cents(before, hz(54))) < 15, before  # 48 + 24 * 0.25: the note sounds at the target, not its pitch
    assert abs(cents(after, hz(66))) < 15, after  # 48 + 24 * 0.75, on the same note


def test_a_snapped_glide_lands_on_the_scale(tmp_path: Path):
    mono, sr, notes, start = _render(tmp_path, [ControlEvent(0.0, "test/pitch", 0.27)], snap=True)
    note = notes[0]
    heard = _pitch(mono, sr, note.start + 0.3, min(note.end, note.start + 1.0), 55)
    assert abs(cents(heard, hz(55))) < 15, heard  # 48 + 24 * 0.27 = 54.5 snaps to G, in C major


def test_expression_hushes_the_sounding_note_at_once(tmp_path: Path):
    """Between two control ticks (100 Hz): an unsmoothed mapping acts at the event itself, not at the next tick."""
    at = 1.5037
    mono, sr, notes, start = _render(tmp_path, [ControlEvent(at, "test/level", 0.25)])
    t = start + at
    _held_across(notes, t)
    loud, quiet = _rms(mono, sr, t - 0.2, t - 0.01), _rms(mono, sr, t + 0.05, t + 0.25)
    assert 20 * np.log10(quiet / loud) == pytest.approx(-12.0, abs=2.0)  # a gain of 0.25 on the same note
    # When: the first block of one period (the pad's F#3) to end 1 dB down. Offline the engine applies a change at
    # the start of the buffer (5.3 ms) it falls in, up to a buffer early; at the next tick it would end 6.3 ms
    # late, plus the glide.
    period = 1 / hz(54)
    ends = [t + k * 0.001 for k in range(-8, 20)]
    steady = float(np.median([_rms(mono, sr, e - period, e) for e in np.arange(t - 0.1, t - 0.01, period)]))
    first = next(e for e in ends if _rms(mono, sr, e - period, e) < steady * 10 ** (-1 / 20))
    assert -5.3 <= (first - t) * 1000 <= 7.0, (first - t) * 1000  # measured: 5 ms; at the next tick, 10


BAD = [
    ("a kit cannot bend", 'instrument = "pad"', 'instrument = "drums"', "mappings[0].voice", "bends"),
    ("a shared instrument", '[[mappings]]', '[[voices]]\nname = "bed"\ninstrument = "pad"\n\n[[mappings]]',
     "mappings[0].voice", "bed also plays"),
    ("a glide range off the keyboard", "range = [48, 72]\ndefault = 0.25", "range = [48, 140]\ndefault = 0.25",
     "mappings[0]", "0..127"),
]


@pytest.mark.parametrize("what, old, new, field, words", BAD, ids=[b[0] for b in BAD])
def test_bad_glide_targets_are_one_line(tmp_path: Path, what: str, old: str, new: str, field: str, words: str):
    (tmp_path / "scene.toml").write_text(SCENE.format(snap="").replace(old, new, 1))
    with pytest.raises(ConfigError) as err:
        load_rig(write_rig(tmp_path, scenes=["scene.toml"], model={"generator": "rules"}))
    message = str(err.value)
    assert f"scene.toml: {field}" in message and words in message and "\n" not in message, message


def test_snap_belongs_to_a_glide(tmp_path: Path):
    text = SCENE.format(snap="").replace('default = 1.0', 'default = 1.0\nsnap = true')
    (tmp_path / "scene.toml").write_text(text)
    with pytest.raises(ConfigError) as err:
        load_rig(write_rig(tmp_path, scenes=["scene.toml"], model={"generator": "rules"}))
    assert "snap applies to a glide mapping" in str(err.value)
