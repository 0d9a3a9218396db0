"""Scenes map signals onto instrument parameters: checked when loading, sent by the conductor at once when they
move, and heard in the render."""

from __future__ import annotations

from pathlib import Path

import pytest

from performer.config.loading import load_rig
from performer.errors import ConfigError
from performer.generate.factory import rig_factory
from performer.offline.render import CollectSink
from performer.show.conductor import Conductor
from sensors.events import ControlEvent
from tests.conftest import write_rig

SCENE = '''
name = "Glow"
tempo = 120
key = "C"
scale = "major"

[[voices]]
name = "pad"
instrument = "pad"
register = [48, 72]

[[mappings]]
signal = "midi/cc/3"
voice = "pad"
param = "brightness"
range = [0.1, 0.9]
default = 0.0
'''


def _rig(tmp_path: Path, scene: str) -> Path:
    (tmp_path / "glow.toml").write_text(scene)
    return write_rig(tmp_path, scenes=["glow.toml"], model={"generator": "rules"})


BAD = [  # (what the edit does, old text, new text, field named, words in the message)
    ("no voice", 'voice = "pad"\n', "", "mappings[0].voice", "instrument parameter"),
    ("out of range", "range = [0.1, 0.9]", "range = [0.1, 3.0]", "mappings[0].range", "pad.brightness must lie within"),
    ("not the drums'", 'param = "brightness"', 'param = "detune"', "mappings[0].param", "drums's parameters"),
    ("no such parameter", 'param = "brightness"', 'param = "wobble"', "mappings[0].param", "expected one of density"),
]


@pytest.mark.parametrize("what, old, new, field, words", BAD, ids=[b[0] for b in BAD])
def test_bad_instrument_mappings_name_the_field(tmp_path, what, old, new, field, words):
    text = SCENE.replace(old, new, 1)
    if what == "not the drums'":
        text = text.replace('instrument = "pad"', 'instrument = "drums"')
    with pytest.raises(ConfigError) as err:
        load_rig(_rig(tmp_path, text))
    message = str(err.value)
    assert f"glow.toml: {field}" in message and words in message and "\n" not in message


def test_conductor_sends_parameter_changes_at_once(tmp_path):
    """A knob's moves reach the instrument at the control tick that reads them (the engine glides over 10 ms), not
    a lookahead later; a scene first sets the expression and bend it does not map back to rest."""
    loaded = load_rig(_rig(tmp_path, SCENE))
    sink = CollectSink()
    conductor = Conductor(loaded, sink, rig_factory(loaded), start=0.0)
    for i in range(21):
        conductor.ingest(ControlEvent(1.0 + i * 0.05, "midi/cc/3", i / 20))
    conductor.advance_to(4.0)
    bright = [p for p in sink.params if p.name == "brightness"]
    assert bright[0].value == pytest.approx(0.1) and bright[0].at == 0.0
    values = [p.value for p in bright]
    assert values == sorted(values) and values[-1] == pytest.approx(0.9)
    assert all(p.instrument == "pad" for p in sink.params)
    assert all(1.0 <= p.at <= 2.05 for p in bright[1:])  # at once, and only while the knob moves
    assert 5 < len(bright) < 60  # sent when they move, not every control tick
    assert sorted((p.name, p.value, p.at) for p in sink.params if p.name != "brightness") == [
        ("bend", 0.0, 0.0), ("expression", 1.0, 0.0)]


def test_a_traced_run_draws_instrument_parameter_curves(tmp_path: Path):
    from performer.show.conductor import Trace

    trace = Trace()
    loaded = load_rig(_rig(tmp_path, SCENE))
    conductor = Conductor(loaded, CollectSink(), rig_factory(loaded), start=0.0, trace=trace)
    conductor.ingest(ControlEvent(0.5, "midi/cc/3", 1.0))
    conductor.advance_to(2.0)
    curve = trace.curves["midi/cc/3 -> pad.brightness"]
    assert curve[0][1] == 0.0 and curve[-1][1] == 1.0


def test_a_voice_can_start_later_in_the_bar(tmp_path: Path):
    scene = SCENE.replace('register = [48, 72]', 'register = [48, 72]\nstart = 1.0\nsteering = { density = 0.5 }')
    sink = CollectSink()
    loaded = load_rig(_rig(tmp_path, scene))
    Conductor(loaded, sink, rig_factory(loaded), start=0.0).advance_to(4.0)
    assert sink.notes[0].start == 0.5  # one beat at 120 bpm: a snare on 2 and 4 rather than 1 and 3
