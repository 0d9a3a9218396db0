"""Gesture onsets: a strike (a pinch, a hand entering, a flick, a MIDI pad) plays its voice's note now, chosen by
the generator on the spot, and the voice goes on from it; through the conductor as it runs, offline."""

from __future__ import annotations

from pathlib import Path

import pytest

from performer.config.loading import load_rig
from performer.config.session import Session
from performer.config.settings import audio_settings
from performer.errors import ConfigError
from performer.offline.render import conduct
from sensors.events import ControlEvent
from tests.conftest import write_rig

SCENE = '''
name = "Strike"
tempo = 60
key = "C"
scale = "major"

[[voices]]
name = "lead"
instrument = "pluck"
register = [60, 72]
steering = { density = 0.25, register = 66, spread = 2, velocity = 90 }

[[voices]]
name = "bed"
instrument = "pad"
register = [48, 60]
steering = { density = 0.25, register = 54, spread = 2, velocity = 70 }

[[strikes]]
signal = "midi/note/36"
voice = "lead"
'''
CONTROL_TICK = 0.01  # the conductor reads controls at 100 Hz


def _loaded(tmp_path: Path, scene: str = SCENE):
    (tmp_path / "scene.toml").write_text(scene)
    return load_rig(write_rig(tmp_path, scenes=["scene.toml"], model={"generator": "rules"},
                              audio={"backend": "offline"}))


@pytest.mark.parametrize("at", [1.3, 2.07, 3.55, 6.91])
def test_a_strike_plays_its_voice_within_the_lookahead(tmp_path: Path, at: float):
    loaded = _loaded(tmp_path)
    lookahead = loaded.rig.engine.lookahead_ms / 1000
    events = [ControlEvent(at, "midi/note/36", 1.0), ControlEvent(at + 0.2, "midi/note/36", 0.0)]
    notes, _, start = conduct(loaded, Session(events=events, header={"duration": 12.0}), audio_settings(loaded.rig))
    quiet, _, _ = conduct(loaded, Session(events=[], header={"duration": 12.0}), audio_settings(loaded.rig))
    t = start + at
    lead = [n for n in notes if n.voice == "lead"]
    struck = [n for n in lead if t <= n.start <= t + lookahead + CONTROL_TICK]
    assert len(struck) == 1, (t, [n.start for n in lead])
    assert not [n for n in quiet if n.voice == "lead" and t <= n.start <= t + lookahead + CONTROL_TICK]
    later = [n.start - start for n in lead if n.start > struck[0].start]
    # The voice goes on from the strike: its next onset is planned from it, back on the beat's sixteenths
    assert later and later[0] - (struck[0].start - start) >= 0.25 - 1e-6 and later[0] * 4 == pytest.approx(
        round(later[0] * 4), abs=1e-6), (struck[0].start - start, later)
    assert [n for n in notes if n.voice == "bed"] == [n for n in quiet if n.voice == "bed"]  # only its voice


def test_a_held_pad_strikes_once(tmp_path: Path):
    loaded = _loaded(tmp_path)
    events = [ControlEvent(2.0, "midi/note/36", 1.0), ControlEvent(2.5, "midi/note/36", 1.0)]
    with_strike, _, start = conduct(loaded, Session(events=events, header={"duration": 4.0}),
                                    audio_settings(loaded.rig))
    quiet, _, _ = conduct(loaded, Session(events=[], header={"duration": 4.0}), audio_settings(loaded.rig))
    assert len(with_strike) == len(quiet) + 1  # a crossing, not a level: holding the pad does not repeat


def test_a_strike_names_a_voice_of_its_scene(tmp_path: Path):
    with pytest.raises(ConfigError) as err:
        _loaded(tmp_path, SCENE.replace('voice = "lead"\n', 'voice = "leed"\n'))
    message = str(err.value)
    assert "scene.toml: strikes[0].voice" in message and "'leed'" in message and "\n" not in message
