"""A live run's session folder (issue 17, item 5), on a real jackd: `performer run` steered by real UDP OSC and
played by keys on a real JACK MIDI port writes its dated folder, with an old run's folder pruned first; the
folder's files are sane (notes.mid with a track per voice and the player's, health lines, a summary picture), and
`performer render --replay` of its session.jsonl gives the notes the run sent."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
import uuid
from pathlib import Path

import mido
import pytest
from pythonosc.udp_client import SimpleUDPClient

from performer.bench.jackd import JackServer
from performer.config.session import read_session
from performer.runtime.supervisor import free_port
from sensors.events import ControlEvent, PlayerMidi
from tests.conftest import wait_until, write_rig

SCENE = """
name = "Folder"
tempo = 120
key = "C"
scale = "major"
[[voices]]
name = "lead"
instrument = "epiano"
register = [48, 84]
steering = { density = 2.0, register = 64, spread = 4, velocity = 90 }
[[voices]]
name = "bass"
instrument = "bass"
register = [28, 52]
steering = { density = 0.5, register = 40, spread = 3, velocity = 80 }
[[mappings]]
signal = "test/density"
voice = "lead"
param = "density"
range = [0.5, 4.0]
default = 0.4
[[mappings]]
signal = "test/register"
voice = "lead"
param = "register"
range = [52, 80]
default = 0.4
"""
SETTLE = 0.1  # seconds before the run's end: notes sent then start after it, where the replay stops


def _old_run(sessions: Path) -> Path:
    """A run's folder from 2020, last written then: the new run prunes it (keep_days = 1)."""
    old = sessions / "2020-01-01T00-00-00-folder"
    old.mkdir(parents=True)
    (old / "session.jsonl").write_text('{"performer_session": 1}\n')
    for path in (old / "session.jsonl", old):
        os.utime(path, (1.6e9, 1.6e9))
    return old


def _play(osc: SimpleUDPClient, keys: mido.ports.BaseOutput) -> None:
    """About 8 s of steering over OSC, with a key pressed and released now and then."""
    for step in range(16):
        osc.send_message("/test/density", (step % 5) / 4)
        osc.send_message("/test/register", ((step * 3) % 7) / 6)
        if step % 4 == 1:
            keys.send(mido.Message("note_on", note=60 + step, velocity=100))
        time.sleep(0.25)
        if step % 4 == 1:
            keys.send(mido.Message("note_off", note=60 + step))
        time.sleep(0.25)


@pytest.mark.slow
def test_a_run_writes_its_session_folder_which_replays_to_the_same_notes(
        jack_server: JackServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, performer_cmd: list[str]) -> None:
    tag = uuid.uuid4().hex[:6]
    osc_port = free_port()
    (tmp_path / "scene.toml").write_text(SCENE)
    rig = write_rig(tmp_path, name="folder", scenes=["scene.toml"], jack=f"folder-{tag}",
                    midi={"api": "jack", "inputs": [{"port": f"keys-{tag}"}]},
                    osc={"host": "127.0.0.1", "port": osc_port}, sessions={"keep_days": 1, "max_mb": 50})
    sessions = tmp_path / "sessions"
    old = _old_run(sessions)
    monkeypatch.setenv("JACK_DEFAULT_SERVER", jack_server.env["JACK_DEFAULT_SERVER"])  # for rtmidi here
    keys = mido.Backend("mido.backends.rtmidi/UNIX_JACK", load=True).open_output("keys", virtual=True,
                                                                                 client_name=f"keys-{tag}")
    run = subprocess.Popen(performer_cmd + ["run", str(rig)], env=jack_server.env, stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, text=True)
    try:
        wait_until(lambda: any(f.name.endswith("-folder") and (f / "notes.jsonl").exists()
                               and (f / "notes.jsonl").stat().st_size for f in sessions.iterdir()), 60,
                   "the run's first note in its folder", process=run)
        time.sleep(1.0)  # the engine's JACK port joined the keyboard's (it looks each second)
        _play(SimpleUDPClient("127.0.0.1", osc_port), keys)
        run.send_signal(signal.SIGTERM)
        output, _ = run.communicate(timeout=90)
    finally:
        if run.poll() is None:
            run.kill()
        keys.close()
    assert run.returncode == 0 and "Traceback" not in output, output
    assert not old.exists(), output  # pruned: older than keep_days
    [folder] = [f for f in sessions.iterdir()]
    assert folder.name.startswith(time.strftime("%Y-")) and folder.name.endswith("-folder")
    _check_files(folder, output)
    _check_replay(folder, rig, tmp_path / "render", performer_cmd)


def _check_files(folder: Path, output: str) -> None:
    """What the folder holds: a session with the OSC signals and the keys, a track per voice and the player's,
    the engine's health each second, and the summary."""
    import matplotlib.image

    assert sorted(p.name for p in folder.iterdir()) == ["health.jsonl", "notes.jsonl", "notes.mid", "scenes.jsonl",
                                                         "session.jsonl", "summary.png"], output
    events = read_session(folder / "session.jsonl").events
    assert {e.name for e in events if isinstance(e, ControlEvent)} >= {"test/density", "test/register"}
    assert sum(isinstance(e, PlayerMidi) for e in events) >= 6, output  # 4 keys, on and off
    midi = mido.MidiFile(folder / "notes.mid")
    names = [track.name for track in midi.tracks]
    assert names[0] == "performer" and {"lead", "bass", "player"} <= set(names[1:]), names
    assert any(m.type == "set_tempo" and m.tempo == mido.bpm2tempo(120) for m in midi.tracks[0])
    assert sum(m.type == "note_on" for m in midi.tracks[names.index("player")]) >= 3
    health = [json.loads(line) for line in (folder / "health.jsonl").read_text().splitlines()]
    assert len(health) >= 5 and all({"late", "xruns", "cpu", "voices", "dropped", "conductor_late"} <= set(h)
                                    for h in health)
    image = matplotlib.image.imread(folder / "summary.png")
    assert image.shape[0] > 400 and image[..., :3].std() > 0.05
    assert f"{folder}: " in output and "notes.mid, summary.png" in output  # the after-show's one line


def _check_replay(folder: Path, rig: Path, out: Path, performer_cmd: list[str]) -> None:
    """The render of the folder's session.jsonl sends the notes the run sent: the same voices, pitches and
    velocities in the same order, each onset within 1 ms of the run's (times are from the show's start on both
    sides; the session stamps events to the microsecond)."""
    result = subprocess.run(performer_cmd + ["render", str(rig), "--replay", str(folder / "session.jsonl"), "--out",
                                             str(out)], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert {"audio.wav", "notes.mid", "summary.png", "session.jsonl", "notes.jsonl"} <= {p.name for p in out.iterdir()}
    end = read_session(folder / "session.jsonl").duration - SETTLE
    live, replayed = (_notes(path / "notes.jsonl", end) for path in (folder, out))
    assert len(live) > 20 and any(n[1] == "player" for n in live), live
    assert [n[1:] for n in replayed] == [n[1:] for n in live]
    assert max(abs(a[0] - b[0]) for a, b in zip(live, replayed)) < 1e-3


def _notes(path: Path, end: float) -> list[tuple[float, str, int, int]]:
    """A notes log's notes that start before ``end``: onset, voice, pitch, velocity, in order."""
    notes = [json.loads(line) for line in path.read_text().splitlines()]
    return sorted((n["t"], n["voice"], n["pitch"], n["velocity"]) for n in notes if n["t"] < end)
