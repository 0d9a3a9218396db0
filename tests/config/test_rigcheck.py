"""`performer check`'s warnings: a rig that loads but will not do what it seems to say gets one line each."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from performer.config.loading import load_rig
from performer.config.warnings import rig_warnings
from tests.conftest import RIGS, ROOT, SCENES, write_rig


def _rig(tmp_path: Path, extra: str) -> Path:
    return write_rig(tmp_path, '[[midi.inputs]]\nport = "knobs"\n' + extra)


@pytest.mark.parametrize("extra, expected", [
    ('[midi.output]\nchannels = [1, 9]\n', "midi.output.channels: no voice of any scene plays on channel 9"),
])
def test_a_rig_that_cannot_work_as_written_is_warned_about(tmp_path, extra, expected):
    warnings = rig_warnings(load_rig(_rig(tmp_path, extra)))
    assert len(warnings) == 1 and expected in warnings[0], warnings
    assert warnings[0].startswith(str(tmp_path / "rig.toml"))


def test_signals_nothing_in_the_rig_sends_are_warned_about(tmp_path):
    rig = write_rig(tmp_path, '[[cameras]]\nmotion = true\nzones = [{ name = "stage", rect = [0, 0, 0.5, 1] }]\n',
                    name="quiet", scenes=[SCENES / "dawn.toml", SCENES / "room.toml"])
    warnings = rig_warnings(load_rig(rig))
    assert [w.split(": ")[1] for w in warnings] == ["mappings[0].signal", "mappings[1].signal", "mappings[2].signal",
                                                    "mappings[4].signal", "mappings[4].signal"]  # Dawn's 4: tension
    assert "sends midi/ signals, so midi/cc/1 stays at its default" in warnings[0]
    assert "no camera of rig 'quiet' has a zone named 'door'" in warnings[4]


def test_performer_check_prints_the_warning_and_still_passes(tmp_path, performer_cmd):
    rig = _rig(tmp_path, '[midi.output]\nchannels = [1, 9]\n')
    done = subprocess.run(performer_cmd + ["check", str(rig)], capture_output=True, text=True)
    assert done.returncode == 0
    assert [line for line in done.stdout.splitlines() if line.startswith("warning: ")] == [
        f"warning: {rig}: midi.output.channels: no voice of any scene plays on channel 9"]


@pytest.mark.parametrize("rig", sorted(RIGS.glob("*.toml")), ids=lambda p: p.stem)
def test_the_shipped_rigs_have_no_warnings(rig):
    assert rig_warnings(load_rig(rig)) == []


def test_the_gallery_unit_starts_the_gallery_rig_and_restarts_it():
    """rigs/systemd/performer-gallery.service: a user unit (documented in the README) that runs the gallery rig
    from the repository's venv, and always restarts it."""
    import configparser

    unit = configparser.ConfigParser(strict=False, interpolation=None)
    unit.optionxform = str  # keys are case-sensitive in systemd
    unit.read(RIGS / "systemd" / "performer-gallery.service")
    service = unit["Service"]
    assert service["ExecStart"] == "@REPO@/.venv/bin/performer run rigs/gallery.toml"
    assert service["WorkingDirectory"] == "@REPO@" and service["Restart"] == "always"
    assert unit["Install"]["WantedBy"] == "default.target"
    assert rig_warnings(load_rig(RIGS / "gallery.toml")) == []
    assert "performer-gallery.service" in (ROOT / "README.md").read_text()


def test_systemd_accepts_the_gallery_unit(tmp_path):
    """systemd's own checker, on the unit as the README installs it (the repository's path filled in)."""
    import shutil

    if shutil.which("systemd-analyze") is None:
        pytest.skip("systemd-analyze missing (no systemd here): the unit's fields are checked above")
    unit = tmp_path / "performer-gallery.service"
    unit.write_text((RIGS / "systemd" / "performer-gallery.service").read_text().replace("@REPO@", str(ROOT)))
    done = subprocess.run(["systemd-analyze", "verify", str(unit)], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "performer-gallery.service" not in done.stderr, done.stderr  # no warning about the unit itself


@pytest.mark.parametrize("show", sorted(SCENES.glob("*.show.toml")), ids=lambda p: p.stem)
def test_performer_check_passes_the_shipped_shows(show, performer_cmd):
    done = subprocess.run(performer_cmd + ["check", str(show)], capture_output=True, text=True)
    assert done.returncode == 0 and ": ok, show of " in done.stdout, done.stdout + done.stderr


def test_the_demo_show_has_four_contrasting_scenes():
    from performer.config.loading import load_show

    scenes = load_show(SCENES / "demo.show.toml").scenes
    assert len(scenes) >= 4
    assert len({s.tempo for s in scenes}) == len(scenes) and len({(s.key, s.scale) for s in scenes}) == len(scenes)


def test_check_takes_a_scene_file(tmp_path, performer_cmd):
    """`performer check scene.toml` checks it as a scene (it used to call its tempo an unknown rig field)."""
    ok = subprocess.run([*performer_cmd, "check", str(SCENES / "dawn.toml")], capture_output=True, text=True,
                        timeout=60)
    assert ok.returncode == 0 and ok.stdout.strip().endswith("ok, scene 'Dawn', 3 voice(s): melody, pad, bass"), ok
    bad = tmp_path / "bad.toml"
    bad.write_text('name = "X"\ntempo = "fast"\n[[voices]]\nname = "a"\ninstrument = "pad"\n')
    out = subprocess.run([*performer_cmd, "check", str(bad)], capture_output=True, text=True, timeout=60)
    lines = (out.stdout + out.stderr).strip().splitlines()
    assert out.returncode == 2 and len(lines) == 1 and lines[0].startswith(f"{bad}: tempo: "), lines
