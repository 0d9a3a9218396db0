"""Rig and scene validation: `performer check`, one-line errors and exit code 2."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from performer.config.loading import load_rig, load_scene
from performer.errors import ConfigError
from tests.conftest import RIGS, SCENES, write_rig

LAPTOP = RIGS / "laptop.toml"


def check(performer_cmd: list[str], rig: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(performer_cmd + ["check", str(rig)], capture_output=True, text=True, timeout=60)


def test_laptop_rig_checks(performer_cmd: list[str]) -> None:
    result = check(performer_cmd, LAPTOP)
    assert result.returncode == 0, result.stderr
    assert "Dawn" in result.stdout and "Bloom" in result.stdout


def test_misspelled_rig_field_is_one_line_exit_2(tmp_path: Path, performer_cmd: list[str]) -> None:
    rig = write_rig(tmp_path, "[audio]\nsampel_rate = 44100\n")
    result = check(performer_cmd, rig)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert str(rig) in lines[0] and "audio.sampel_rate" in lines[0] and "unknown field" in lines[0]
    assert result.stdout == ""


@pytest.mark.parametrize(("scene_text", "field", "expected"), [
    ('tempo = "fast"', "tempo", "number"),
    ('scale = "dorain"', "scale", "dorian"),
    ('key = "H"', "key", "expected a key"),
    ('[[mappings]]\nsignal = "midi/cc/1"\nparam = "register"\nrange = [60, 80]\ncurve = "cubic"',
     "mappings[5].curve", "linear"),
    ('[[mappings]]\nsignal = "midi/cc/1"\nparam = "loudness"\nrange = [0, 1]', "mappings[5].param", "density"),
    ('[[mappings]]\nsignal = "midi/cc/1"\nparam = "register"\nrange = [60, 200]', "mappings[5]", "21..108"),
    ('[[mappings]]\nsignal = "midi/cc/1"\nparam = "register"\nrange = [60, 80]\nvoice = "lead"',
     "mappings[5].voice", "melody"),
])
def test_scene_errors_name_file_and_field(tmp_path: Path, scene_text: str, field: str, expected: str) -> None:
    base = (SCENES / "dawn.toml").read_text()
    base = "\n".join(line for line in base.splitlines() if not line.startswith(("tempo", "scale", "key")))
    header = 'tempo = 90\nscale = "dorian"\nkey = "D"\n'
    for key in ("tempo", "scale", "key"):
        if scene_text.startswith(key):
            header = "\n".join(x for x in header.splitlines() if not x.startswith(key)) + "\n"
    # Top-level keys must come before the first table in TOML.
    top = scene_text if not scene_text.startswith("[[") else ""
    tail = scene_text if scene_text.startswith("[[") else ""
    scene = tmp_path / "scene.toml"
    scene.write_text(header + top + "\n" + base + "\n" + tail + "\n")
    rig = write_rig(tmp_path, scenes=[scene])
    with pytest.raises(ConfigError) as err:
        load_rig(rig)
    message = str(err.value)
    assert "\n" not in message
    assert message.startswith(f"{scene}: {field}"), message
    assert expected in message


def test_unknown_instrument_names_the_field(tmp_path: Path) -> None:
    text = (SCENES / "dawn.toml").read_text().replace('"epiano"', '"theremin"', 1)
    scene = tmp_path / "s.toml"
    scene.write_text(text)
    rig = write_rig(tmp_path, scenes=[scene])
    expected = r"voices\[0\]\.instrument: expected one of bass, drums, epiano, pad, pluck, got 'theremin'"
    with pytest.raises(ConfigError, match=expected):
        load_rig(rig)


def test_missing_scene_file_and_bad_toml(tmp_path: Path) -> None:
    rig = write_rig(tmp_path, scenes=["nowhere.toml"])
    with pytest.raises(ConfigError, match=r"scenes\[0\]: scene file not found"):
        load_rig(rig)
    rig.write_text('name = "t\n')
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_rig(rig)


DRUM_SCENE = '''
name = "Kit"
tempo = 100
key = "A"
scale = "minor_pentatonic"

[[voices]]
name = "melody"
instrument = "epiano"
register = [57, 88]

[[voices]]
name = "snare"
instrument = "drums"
scale = "chromatic"
register = [37, 40]
channel = 10
'''


def test_voice_scale_overrides_the_scenes_for_that_voice_only(tmp_path: Path) -> None:
    """A drum voice naming "chromatic" samples every kit piece in its register; the other voices keep the
    scene's scale."""
    from performer.generate.factory import rule_factory
    from performer.music.scales import Scale, pitch_classes
    from performer.show.scenerun import SceneRun

    scene = tmp_path / "kit.toml"
    scene.write_text(DRUM_SCENE)
    rig = write_rig(tmp_path, scenes=[scene])
    spec = load_rig(rig).scenes[0]
    assert [v.scale for v in spec.voices] == [None, Scale.chromatic]
    run = SceneRun(spec, start=0.0, seed=1, lookahead=0.1, control_rate=100.0, factory=rule_factory)
    melody, snare = run.voices
    assert melody.constraints.pitch_classes == pitch_classes("A", Scale.minor_pentatonic)
    assert snare.constraints.allowed_pitches() == [37, 38, 39, 40]  # C#, D#: not in A minor pentatonic
    pitches = set()
    for _ in range(40):
        pitches |= {note.pitch for note in run.decide() if note.voice == "snare"}
    assert pitches and pitches <= {37, 38, 39, 40}


def test_bad_voice_scale_names_the_field(tmp_path: Path, performer_cmd: list[str]) -> None:
    scene = tmp_path / "kit.toml"
    scene.write_text(DRUM_SCENE.replace('scale = "chromatic"', 'scale = "chromatc"'))
    rig = write_rig(tmp_path, scenes=[scene])
    result = check(performer_cmd, rig)
    assert result.returncode == 2
    assert f"{scene}: voices[1].scale" in result.stderr and "chromatic" in result.stderr, result.stderr
    scene.write_text(DRUM_SCENE)
    assert check(performer_cmd, rig).returncode == 0


@pytest.mark.parametrize(("text", "field", "expected"), [
    ("[engine]\ninstrument_voices = { drum = 4 }\n", "engine.instrument_voices", "drums"),
    ("[engine]\ninstrument_voices = { pad = 0 }\n", "engine.instrument_voices", "1..256"),
    ("[audio]\nmax_loudness_db = 6\n", "audio.max_loudness_db", "0"),
    ("[midi]\nthru_channel = 17\n", "midi.thru_channel", "16"),
    ("[[cameras]]\nhands = 3\n", "cameras[0].hands", "2"),
    ('[osc]\nallow = ["my-phone"]\n', "osc.allow", "192.168.1.0/24"),
    ('[midi.learned]\n"stage/filter" = "knob 3"\n', "midi.learned", "cc/N"),
    ('[[cameras]]\nzones = [{ name = "door", rect = [0.5, 0, 0.2, 1] }]\n', "cameras[0].zones[0].rect", "x0 < x1"),
])
def test_engine_and_thru_settings_name_the_field(tmp_path: Path, text: str, field: str, expected: str) -> None:
    with pytest.raises(ConfigError) as err:
        load_rig(write_rig(tmp_path, text))
    assert field in str(err.value) and expected in str(err.value), str(err.value)


def test_engine_and_thru_settings_reach_the_engine(tmp_path: Path) -> None:
    from performer.config.settings import audio_settings

    text = ('[audio]\nmax_loudness_db = -20\n[engine]\ninstrument_voices = { pad = 6 }\n'
            '[midi]\napi = "jack"\nthru_channel = 2\n[[midi.inputs]]\nport = "KeyStep"\n')
    settings = audio_settings(load_rig(write_rig(tmp_path, text)).rig)
    assert settings.voices_of("pad") == 6 and settings.voices_of("bass") == 16
    assert settings.max_loudness_db == -20 and settings.thru_channel == 2
    assert settings.thru_api == "jack" and settings.thru_ports == ("KeyStep",)


@pytest.mark.parametrize("signal, expected", [
    ("hand/middle/x", "expected hand/left/FEATURE"), ("hand/left/wave", "expected hand/left/FEATURE"),
    ("audience/energie", "expected audience/"), ("midi/cc/300", "expected midi/cc/0-127"),
    ("midi/cc14/40", "expected midi/cc/0-127"), ("key/f12", "expected key/"),
])
def test_a_misspelt_sensor_signal_is_one_line(tmp_path, signal, expected):
    scene = tmp_path / "scene.toml"
    text = (SCENES / "dawn.toml").read_text()
    scene.write_text(text.replace('signal = "midi/cc/1"', f'signal = "{signal}"'))
    with pytest.raises(ConfigError) as caught:
        load_scene(scene)
    assert str(caught.value).startswith(f"{scene}: mappings[0].signal: {expected}"), caught.value
    assert repr(signal) in str(caught.value) and "\n" not in str(caught.value)


@pytest.mark.parametrize("name", ["stop", "Next", "go", "#2"])
def test_a_scene_named_after_a_cue_word_is_refused_by_check(tmp_path: Path, performer_cmd: list[str],
                                                             name: str) -> None:
    scene = tmp_path / "drift.toml"
    text = (SCENES / "drift.toml").read_text()
    scene.write_text(text.replace('name = "Drift"', f'name = "{name}"', 1))
    rig = write_rig(tmp_path, scenes=[scene])
    result = check(performer_cmd, rig)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"{scene}: name: expected a scene name"), result.stderr
