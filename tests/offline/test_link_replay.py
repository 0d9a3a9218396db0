"""A run that followed Ableton Link replays at the tempo and phase it had: its folder's link.jsonl drives the
scenes that follow Link in `performer render --replay` (the live half, a rig joining a real Link peer, is
tests/runtime/test_link.py)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from performer.config.loading import load_rig
from performer.config.settings import audio_settings
from performer.errors import ConfigError
from performer.music.linkreplay import RecordedLink
from performer.offline.layout import check_out, read_replay
from performer.offline.render import conduct
from tests.conftest import write_rig

CLOCK = 500.0  # the run's start on its conductor's clock
CHANGE = 6.0  # seconds into the show when the Link session went from 90 to 100 bpm


def _beat(t: float) -> float:
    """The recorded session's beat at ``t`` seconds into the show: 90 bpm from beat 1.3, then 100 bpm."""
    return 1.3 + min(t, CHANGE) * 1.5 + max(0.0, t - CHANGE) * 100 / 60


def _folder(tmp: Path) -> Path:
    """A run's folder as a Link-following run leaves it: the session (no events, 12 s) and Link's samples."""
    folder = tmp / "2026-11-26T15-04-05-linked"
    folder.mkdir()
    folder.joinpath("session.jsonl").write_text(json.dumps({"performer_session": 1, "clock": CLOCK}) + "\n"
                                                + json.dumps({"t": 12.0, "end": True}) + "\n")
    samples = [(t, 90.0 if t < CHANGE else 100.0) for t in [0.0, 1.0, 2.0, 3.0, 4.0, 5.0, CHANGE, 7.0, 9.0, 11.0]]
    folder.joinpath("link.jsonl").write_text("".join(
        json.dumps({"t": t + 3.0, "clock": CLOCK + t, "tempo": bpm, "beat": _beat(t), "peers": 1}) + "\n"
        for t, bpm in samples))  # "t" is off on purpose: the clock places samples
    return folder


def test_a_recorded_session_answers_as_it_did_at_each_moment():
    now = [0.0]
    link = RecordedLink([(0.0, 0.0, 120.0), (10.0, 20.0, 90.0)], lambda: now[0])
    assert link.tempo() == 120.0 and link.beat_at(12.0) == 24.0  # before the change was seen: 120 bpm on
    now[0] = 10.0
    assert link.tempo() == 90.0 and link.beat_at(12.0) == 23.0 and link.time_at_beat(23.0) == 12.0


def test_a_replay_follows_the_recorded_tempo_and_phase(tmp_path: Path):
    (tmp_path / "scene.toml").write_text('name = "Linked"\ntempo = 120\nlink = true\n[[voices]]\nname = "lead"\n'
                                         'instrument = "epiano"\nregister = [55, 79]\n'
                                         'steering = { density = 2.0, register = 67, spread = 4, velocity = 80 }\n')
    loaded = load_rig(write_rig(tmp_path, name="linked", scenes=["scene.toml"], model={"generator": "rules"},
                                link={"enabled": True, "quantum": 4}))
    replay = read_replay(_folder(tmp_path))
    assert [s.t for s in replay.link][:2] == [0.0, 1.0] and replay.session.duration == 12.0
    notes, trace, start = conduct(loaded, replay.session, audio_settings(loaded.rig), replay.link)
    beats = [_beat(n.start - start) for n in notes]
    assert len(notes) > 20 and beats[0] % 4 < 1e-6  # the scene began on the session's bar line
    settled = [b for n, b in zip(notes, beats) if not CHANGE - 0.1 < n.start - start < CHANGE + 0.6]
    assert all(abs(b * 4 - round(b * 4)) < 1e-3 for b in settled), beats  # on its sixteenths, at 90 then 100
    after = [n.start - start for n in notes if n.start - start > CHANGE + 0.6]
    assert len(after) >= 5


def test_a_render_never_writes_over_the_run_it_replays(tmp_path: Path):
    folder = _folder(tmp_path)
    with pytest.raises(ConfigError, match="the folder of the run being replayed"):
        check_out(read_replay(folder), folder)
    check_out(read_replay(folder), tmp_path / "out")
