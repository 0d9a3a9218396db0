"""The thru path: a player's keys sound at once on the scene's thru instrument, held until released (or the
sustain pedal lets go), and never longer than HOLD_LIMIT. The engine is rendered offline; the MIDI input is a
scripted stand-in for a polled rtmidi port, since an offline render has no MIDI system. The real port, over JACK,
is in tests/synthesis/test_engine_jack.py."""

from __future__ import annotations

from pathlib import Path

import mido
import numpy as np
import soundfile as sf

from performer.bench.analysis import band_peak, cents, hz, isolated_onsets, spectrum
from synthesis.catalog import default_release
from synthesis.master import LIMITER_LOOKAHEAD
from synthesis.offline import render_notes
from synthesis.protocol import Thru
from synthesis.settings import AudioSettings
from synthesis.thru import HOLD_LIMIT, KeyOff, KeyOn, ThruKeys
from tests.conftest import write_rig

SR, BS = 48000, 256


class ScriptedPort:
    """Stands in for a polled rtmidi.MidiIn: gives each message in the buffer it is scripted for. The engine polls
    until None once per buffer, so each None ends a buffer."""

    def __init__(self, script: list[tuple[int, mido.Message]]) -> None:
        self.script = sorted(((b, m.bytes()) for b, m in script), key=lambda item: item[0])
        self.buffer = 0

    def get_message(self) -> tuple[list[int], float] | None:
        if self.script and self.script[0][0] <= self.buffer:
            return self.script.pop(0)[1], 0.0
        self.buffer += 1
        return None


def _on(note: int, velocity: int = 100, channel: int = 0) -> mido.Message:
    return mido.Message("note_on", note=note, velocity=velocity, channel=channel)


def _off(note: int, channel: int = 0) -> mido.Message:
    return mido.Message("note_off", note=note, channel=channel)


def _pedal(down: bool) -> mido.Message:
    return mido.Message("control_change", control=64, value=127 if down else 0)


def _render(script: list[tuple[int, mido.Message]], instrument: str, seconds: float, path: Path) -> np.ndarray:
    render_notes([], AudioSettings(effects=False), path, duration=seconds, params=[Thru(instrument)],
                 midi_in=[ScriptedPort(script)])
    audio, _ = sf.read(path)
    return audio.mean(axis=1)


def _rms(mono: np.ndarray, start: float, end: float) -> float:
    return float(np.sqrt(np.mean(mono[int(start * SR):int(end * SR)] ** 2)))


def _at(buffer: int) -> float:
    """When a key read in ``buffer`` sounds: that buffer's first sample, behind the limiter's lookahead."""
    return (buffer * BS) / SR + LIMITER_LOOKAHEAD


def test_keys_sound_at_once_with_their_pitch_and_end_at_release(tmp_path: Path):
    keys = [(60, 40, 134), (67, 260, 330), (48, 440, 600)]  # (note, buffer pressed, buffer released)
    script = [(b, _on(n, 90)) for n, b, _ in keys] + [(b, _off(n)) for n, _, b in keys]
    mono = _render(script, "epiano", 4.5, tmp_path / "thru.wav")
    onsets = isolated_onsets(mono, SR, threshold=1e-7)
    assert len(onsets) == len(keys)
    release = default_release("epiano")
    for found, (note, pressed, lifted) in zip(onsets, keys):
        start, end = _at(pressed), _at(lifted)
        assert abs(found - start) * 1000 <= 0.5, (note, found, start)
        freqs, mags = spectrum(mono, SR, start + 0.05, end)
        assert abs(cents(band_peak(freqs, mags, hz(note), 1.0)[0], hz(note))) < 10
        held = _rms(mono, end - 0.06, end)
        after = _rms(mono, end + release + 0.01, end + release + 0.08)
        assert held > 1e-3 and after < held * 1e-2, (note, held, after)  # held to its note-off, then released


def test_sustain_pedal_holds_released_keys_until_it_lifts(tmp_path: Path):
    script = [(10, _pedal(True)), (20, _on(64)), (40, _off(64)), (300, _pedal(False))]
    mono = _render(script, "pad", 3.0, tmp_path / "pedal.wav")
    lifted, release = _at(300), default_release("pad")
    assert _rms(mono, _at(40) + 0.5, lifted) > 1e-3  # long after its note-off, the pedal still holds it
    assert _rms(mono, lifted + release + 0.05, lifted + release + 0.2) < 1e-5


def test_a_lost_note_off_cannot_hang(tmp_path: Path):
    mono = _render([(10, _on(57))], "pad", HOLD_LIMIT + 3.0, tmp_path / "lost.wav")
    assert _rms(mono, 30.0, 31.0) > 1e-3
    end = _at(10) + HOLD_LIMIT + default_release("pad")
    assert _rms(mono, end + 0.05, end + 1.0) < 1e-5


def test_no_thru_instrument_means_silence(tmp_path: Path):
    mono = _render([(10, _on(60)), (50, _off(60))], "", 1.0, tmp_path / "muted.wav")
    assert np.max(np.abs(mono)) == 0.0


def test_key_logic_repeats_channels_and_pedal():
    keys = ThruKeys(channel=2)  # the second channel: mido counts it 1
    assert keys.handle(_on(60, channel=0).bytes()) == []  # another channel
    assert keys.handle(_on(60, channel=1).bytes()) == [KeyOn((1, 60), 100)]
    assert keys.handle(_on(60, 70, channel=1).bytes()) == [KeyOff((1, 60)), KeyOn((1, 60), 70)]  # restruck
    assert keys.handle(mido.Message("note_on", note=60, velocity=0, channel=1).bytes()) == [KeyOff((1, 60))]
    assert keys.handle(_off(60, channel=1).bytes()) == []  # already up
    assert keys.handle(mido.Message("pitchwheel", pitch=100, channel=1).bytes()) == []


def _rig(tmp: Path, thru: str = "") -> Path:
    (tmp / "scene.toml").write_text(f"""
name = "keys"
tempo = 120
key = "C"
scale = "chromatic"
{thru}
[[voices]]
name = "lead"
instrument = "pluck"
register = [36, 96]
steering = {{ density = 2.0, register = 60, spread = 2, velocity = 90 }}
[[voices]]
name = "bed"
instrument = "pad"
register = [36, 72]
""")
    return write_rig(tmp, name="keys", scenes=["scene.toml"], model={"generator": "rules"})


def test_the_conductor_feeds_the_thru_voice_and_records_the_players_notes(tmp_path: Path):
    from performer.config.loading import load_rig
    from performer.generate.factory import rig_factory
    from performer.offline.render import CollectSink
    from performer.show.conductor import Conductor
    from sensors.events import PlayerMidi

    class Sink(CollectSink):
        def __init__(self) -> None:
            super().__init__()
            self.thrus: list[Thru] = []

        def thru(self, thru: Thru) -> None:
            self.thrus.append(thru)

    sink = Sink()
    loaded = load_rig(_rig(tmp_path))
    conductor = Conductor(loaded, sink, rig_factory(loaded), start=0.0)
    for t, message in [(2.0, _on(100, 77)), (2.1, _pedal(True)), (2.5, _off(100)), (3.0, _pedal(False))]:
        conductor.ingest(PlayerMidi(t, tuple(message.bytes())))
    conductor.advance_to(6.0)
    assert sink.thrus == [Thru("pluck", at=0.0)]  # the first voice, from the scene's start
    played = [n for n in sink.notes if n.voice == "player"]
    assert [(n.start, n.duration, n.pitch, n.velocity, n.instrument) for n in played] == [(2.0, 1.0, 100, 77, "pluck")]
    lead = [n for n in sink.notes if n.voice == "lead"]
    before = [n.pitch for n in lead if n.start < 2.0]
    after = [n.pitch for n in lead if n.start >= 2.0 + loaded.rig.engine.lookahead_ms / 1000]
    # the first note chosen after the key went on from it, high above (the register's pull brings it back later)
    assert after[0] > max(before) + 10, (before, after)


def test_a_scene_names_its_thru_voice_or_none(tmp_path: Path):
    from performer.config.loading import load_rig
    from performer.errors import ConfigError

    assert load_rig(_rig(tmp_path, 'thru = "bed"')).scenes[0].thru_voice.instrument == "pad"
    assert load_rig(_rig(tmp_path, 'thru = ""')).scenes[0].thru_voice is None
    try:
        load_rig(_rig(tmp_path, 'thru = "piano"'))
    except ConfigError as err:
        assert "scene.toml" in str(err) and "thru" in str(err) and "lead, bed" in str(err)
    else:
        raise AssertionError("an unknown thru voice must be refused")


def test_sessions_record_and_replay_the_players_keys(tmp_path: Path):
    from performer.config.session import read_session
    from performer.runtime.recording import SessionWriter
    from sensors.events import PlayerMidi

    writer = SessionWriter(tmp_path / "s.jsonl", origin=10.0)
    writer.write(PlayerMidi(12.5, (144, 60, 100)))
    writer.close()
    good = (tmp_path / "s.jsonl").read_text()
    for bad in ("[144, 300]", "[144, 60]", "[1]", "[144, 200, 255]", "[240, 1, 2]"):
        (tmp_path / "s.jsonl").write_text(good + f'{{"t": 3, "midi": {bad}}}\n')
        try:
            read_session(tmp_path / "s.jsonl")
        except Exception as err:
            assert "s.jsonl:3" in str(err) and "midi" in str(err)
        else:
            raise AssertionError(f"a bad midi record must be refused: {bad}")
    (tmp_path / "s.jsonl").write_text(good)
    assert read_session(tmp_path / "s.jsonl").events == [PlayerMidi(2.5, (144, 60, 100))]
