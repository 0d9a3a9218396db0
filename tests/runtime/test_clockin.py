"""Following an incoming MIDI clock with a conductor (no devices): the show waits for the master's Start, plays a
scene with ``link = true`` on the master's tempo and bar lines, and stops on its Stop. The same over real JACK
MIDI ports, with the rig's clock out following, is in tests/runtime/test_midi_clock_jack.py."""

from __future__ import annotations

import pytest

from performer.config.loading import load_rig
from performer.errors import ConfigError
from performer.generate.factory import rule_factory
from performer.offline.render import CollectSink
from performer.runtime.clockin import ClockTransport
from performer.show.conductor import Conductor
from sensors.clockin import START, STOP, TICK, ClockFollower
from tests.conftest import write_rig

SPB = 60.0 / 110.0  # the master's beat


def test_the_master_starts_and_stops_a_show_that_follows_its_tempo(tmp_path):
    (tmp_path / "s.toml").write_text('name = "s"\ntempo = 90\nlink = true\n[[voices]]\nname = "v"\n'
                                     'instrument = "pluck"\nsteering = { density = 4.0 }\n')
    loaded = load_rig(write_rig(tmp_path, scenes=["s.toml"], midi={"clock_in": "master"}))
    follower, sink = ClockFollower(tempo=90.0), CollectSink()
    conductor = Conductor(loaded, sink, rule_factory, start=1.0, link=follower)
    looker = ClockTransport(conductor, follower, 1.0)
    for step in range(100, 1300):
        t = step / 100
        if step == 200:  # Start, and (heard ahead here, for brevity) 20 beats of clocks at 110 bpm
            follower.feed([START], t)
            for k in range(24 * 20):
                follower.feed([TICK], 2.0 + k * SPB / 24)
        if step == round(100 * (2.0 + 9 * SPB)):
            follower.feed([STOP], t)
        conductor.advance_to(t)
        looker.look(t)
    starts = sorted(n.start for n in sink.notes)
    assert starts and starts[0] == pytest.approx(2.0 + 4 * SPB)  # on the master's first bar line after Start
    beats = [(s - 2.0) / SPB for s in starts]
    assert all(abs(b * 4 - round(b * 4)) < 1e-6 for b in beats)  # on the master's sixteenths: its tempo
    assert beats[-1] < 12.0  # the Stop at beat 9 ends the show on the next bar line


def test_one_shared_clock_only(tmp_path):
    with pytest.raises(ConfigError, match="clock_in"):
        load_rig(write_rig(tmp_path, midi={"clock_in": "master"}, link={"enabled": True}))
    with pytest.raises(ConfigError, match="clock_in"):
        load_rig(write_rig(tmp_path, midi={"clock_in": "(unclosed"}))


def test_check_warns_when_no_scene_follows_the_clock(tmp_path):
    from performer.config.warnings import rig_warnings

    warnings = rig_warnings(load_rig(write_rig(tmp_path, midi={"clock_in": "master"})))
    assert any("midi.clock_in: no scene has link = true" in line for line in warnings), warnings
