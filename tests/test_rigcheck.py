"""`performer check`'s warnings: a rig that loads but will not do what it seems to say gets one line each."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from performer.loading import load_rig
from performer.rigcheck import rig_warnings

ROOT = Path(__file__).resolve().parent.parent


def _rig(tmp_path: Path, extra: str) -> Path:
    rig = tmp_path / "rig.toml"
    rig.write_text(f'name = "t"\nscenes = ["{ROOT}/scenes/dawn.toml"]\n{extra}')
    return rig


@pytest.mark.parametrize("extra, expected", [
    ('[osc]\nenabled = false\n[[cameras]]\nmotion = true\n', "cameras: their signals go to the rig's OSC port"),
    ('[osc]\nhost = "192.168.1.20"\n[[cameras]]\nmotion = true\n', "osc.host: cameras send to 127.0.0.1"),
    ('[osc]\nallow = ["10.0.0.0/8"]\n[[cameras]]\nmotion = true\n', "osc.allow: cameras send from 127.0.0.1"),
    ('[midi.output]\nchannels = [1, 9]\n', "midi.output.channels: no voice of any scene plays on channel 9"),
])
def test_a_rig_that_cannot_work_as_written_is_warned_about(tmp_path, extra, expected):
    warnings = rig_warnings(load_rig(_rig(tmp_path, extra)))
    assert len(warnings) == 1 and expected in warnings[0], warnings
    assert warnings[0].startswith(str(tmp_path / "rig.toml"))


def test_performer_check_prints_the_warning_and_still_passes(tmp_path, performer_cmd):
    rig = _rig(tmp_path, '[osc]\nenabled = false\n[[cameras]]\nhands = 1\n')
    done = subprocess.run(performer_cmd + ["check", str(rig)], capture_output=True, text=True)
    assert done.returncode == 0
    assert [line for line in done.stdout.splitlines() if line.startswith("warning: ")] == [
        f"warning: {rig}: cameras: their signals go to the rig's OSC port, but osc.enabled is false, so nothing "
        "will hear them"]


@pytest.mark.parametrize("rig", sorted((ROOT / "rigs").glob("*.toml")), ids=lambda p: p.stem)
def test_the_shipped_rigs_have_no_warnings(rig):
    assert rig_warnings(load_rig(rig)) == []
