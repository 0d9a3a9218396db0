"""MIDI controllers: messages to bus events (pure), and real JACK MIDI ports polled, unplugged and replugged."""

from __future__ import annotations

import logging

import mido
import pytest

from sensors.events import ControlEvent, CueEvent
from sensors.midi import MidiTranslator
from sensors.midiports import PolledInputs
from tests.conftest import RIGS, SCENES, jack_connected, wait_until


def test_14_bit_pairs_program_change_and_pressure():
    translate = MidiTranslator()
    msb = translate.events(mido.Message("control_change", control=1, value=64), 1.0)
    assert msb == [ControlEvent(1.0, "midi/cc/1", 64 / 127)]
    lsb = translate.events(mido.Message("control_change", control=33, value=127), 1.0)
    assert ControlEvent(1.0, "midi/cc14/1", ((64 << 7) | 127) / 16383) in lsb
    assert translate.events(mido.Message("control_change", control=34, value=5), 1.0) == [
        ControlEvent(1.0, "midi/cc/34", 5 / 127)]  # an LSB with no MSB before it is a plain CC
    assert translate.events(mido.Message("program_change", program=2), 2.0) == [CueEvent(2.0, "#2")]
    assert translate.events(mido.Message("polytouch", note=60, value=127), 3.0) == [
        ControlEvent(3.0, "midi/pressure/60", 1.0)]
    assert translate.events(mido.Message("note_off", note=60), 4.0) == [ControlEvent(4.0, "midi/note/60", 0.0)]


def _received(inputs: PolledInputs, count: int) -> list[mido.Message]:
    """The messages polled from ``inputs`` until there are ``count`` (within 3 s)."""
    got: list[mido.Message] = []
    wait_until(lambda: got.extend(inputs.poll()) or len(got) >= count, 3.0, f"{count} MIDI message(s)")
    return got


def test_a_controller_unplugged_and_plugged_back_is_heard_again(jack_server, monkeypatch, caplog):
    for key, value in jack_server.env.items():  # libjack reads them when a client opens
        monkeypatch.setenv(key, value)
    backend = mido.Backend("mido.backends.rtmidi/UNIX_JACK", load=True)
    knobs = backend.open_output("Knobs", virtual=True)
    inputs = PolledInputs("jack", ["Knobs"], "test-midi")
    try:
        assert len(inputs.ports) == 1
        knobs.send(mido.Message("control_change", control=7, value=100))
        assert [m.value for m in _received(inputs, 1)] == [100]
        knobs.close()  # unplugged
        with caplog.at_level(logging.WARNING):
            inputs.rescan()
        assert inputs.ports == {} and "went away" in caplog.text
        knobs = backend.open_output("Knobs", virtual=True)  # plugged back in
        inputs.rescan()
        assert len(inputs.ports) == 1
        knobs.send(mido.Message("control_change", control=7, value=3))
        assert [m.value for m in _received(inputs, 1)] == [3]
    finally:
        knobs.close()
        inputs.close()


def test_a_pattern_that_matches_nothing_is_one_line(jack_server, monkeypatch, caplog):
    for key, value in jack_server.env.items():
        monkeypatch.setenv(key, value)
    with caplog.at_level(logging.WARNING):
        inputs = PolledInputs("jack", ["NoSuchController"], "test-midi")
        inputs.rescan()
        inputs.rescan()
    inputs.close()
    assert caplog.text.count("NoSuchController") == 1


def test_keys_held_on_a_keyboard_that_vanishes_are_released(jack_server, monkeypatch):
    """A keyboard pulled out with keys down: their note-offs never come, so the inputs make them (the conductor's
    player would otherwise hold those notes forever); the keyboard is heard again once back."""
    for key, value in jack_server.env.items():
        monkeypatch.setenv(key, value)
    backend = mido.Backend("mido.backends.rtmidi/UNIX_JACK", load=True)
    keys = backend.open_output("Keys", virtual=True)
    inputs = PolledInputs("jack", ["Keys"], "test-keys")
    try:
        keys.send(mido.Message("note_on", note=60, velocity=90))
        keys.send(mido.Message("note_on", channel=3, note=64, velocity=90))
        keys.send(mido.Message("note_on", note=67, velocity=90))
        keys.send(mido.Message("note_off", note=67))
        assert len(_received(inputs, 4)) == 4
        keys.close()  # pulled out with 60 and 64 down
        inputs.rescan()
        assert sorted((m.type, m.channel, m.note) for m in inputs.poll()) == [("note_off", 0, 60),
                                                                             ("note_off", 3, 64)]
        assert inputs.poll() == []  # once
        keys = backend.open_output("Keys", virtual=True)
        inputs.rescan()
        keys.send(mido.Message("note_on", note=62, velocity=80))
        assert [m.note for m in _received(inputs, 1)] == [62]
    finally:
        keys.close()
        inputs.close()


@pytest.mark.parametrize("program, scene", [(0, "Dawn"), (2, "Bloom")])
def test_program_change_selects_a_scene(program, scene):
    from performer.config.loading import load_rig
    from performer.generate.factory import rig_factory
    from performer.offline.render import CollectSink
    from performer.show.conductor import Conductor, Trace

    rig = load_rig(RIGS / "laptop.toml")
    trace = Trace()
    conductor = Conductor(rig, CollectSink(), rig_factory(rig), start=0.0, trace=trace)
    conductor.ingest(CueEvent(1.0, "next"))
    conductor.ingest(CueEvent(8.0, f"#{program}"))
    conductor.advance_to(20.0)
    assert trace.scenes[-1][1] == scene


def test_midi_learn_binds_the_next_control_moved(tmp_path, jack_server, performer_cmd, monkeypatch):
    """`performer learn` over a real JACK MIDI port writes the binding into the rig, comments kept; the
    translator then publishes the control under its learned name too."""
    import subprocess

    from performer.config.loading import load_rig

    rig = tmp_path / "rig.toml"  # written here, not by write_rig: its comments are part of the test
    rig.write_text(f'# my rig\nname = "learn"\nroot = "/"\nscenes = ["{SCENES}/dawn.toml"]\n\n'
                   '[midi]\napi = "jack"  # JACK\n[[midi.inputs]]\nport = "Knobs"\n')
    for key, value in jack_server.env.items():
        monkeypatch.setenv(key, value)
    knobs = mido.Backend("mido.backends.rtmidi/UNIX_JACK", load=True).open_output("Knobs", virtual=True)
    try:
        proc = subprocess.Popen(performer_cmd + ["learn", str(rig), "stage/filter", "--wait", "10"],
                                env=jack_server.env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        assert proc.stdout is not None and "move a control" in proc.stdout.readline()
        wait_until(lambda: jack_connected(jack_server, "Knobs"), 10, "`performer learn` listening to Knobs")
        knobs.send(mido.Message("control_change", control=74, value=90))
        out, err = proc.communicate(timeout=20)
        assert proc.returncode == 0, err
        assert "stage/filter <- cc/74" in out
    finally:
        knobs.close()
    text = rig.read_text()
    assert text.startswith("# my rig") and "# JACK" in text  # the file's own comments stay
    learned = load_rig(rig).rig.midi.learned
    assert learned == {"stage/filter": "cc/74"}
    events = MidiTranslator(learned).events(mido.Message("control_change", control=74, value=127), 1.0)
    assert ControlEvent(1.0, "stage/filter", 1.0) in events and ControlEvent(1.0, "midi/cc/74", 1.0) in events
