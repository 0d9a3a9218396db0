"""A rig played live on a real jackd (dummy driver): MIDI CC through a real JACK MIDI port, OSC through real UDP,
and the engine's output recorded by a JACK client (jack_rec). Then a clean stop on SIGTERM."""

from __future__ import annotations

import json
import os
import signal
import statistics
import subprocess
import time
import uuid
from pathlib import Path

import mido
import numpy as np
import pytest
import soundfile as sf
from pythonosc.udp_client import SimpleUDPClient

from performer.bench.analysis import rms_dbfs
from performer.bench.jackd import JackServer
from performer.runtime.supervisor import free_port
from tests.conftest import jack_ports, wait_until, write_rig, written

PHASE = 4.0  # seconds per steering setting


SCENE = """
name = "live"
tempo = 120
key = "C"
scale = "major"
[[voices]]
name = "lead"
instrument = "epiano"
register = [36, 96]
steering = { density = 1.0, register = 60, spread = 3, velocity = 90 }
[[mappings]]
signal = "midi/cc/1"
param = "register"
range = [45, 84]
default = 0.0
[[mappings]]
signal = "test/density"
param = "density"
range = [0.5, 4.0]
default = 0.0
"""


def _rig(tmp: Path, tag: str, osc_port: int) -> Path:
    """A rig on the test's jackd whose scene maps a MIDI CC (from a JACK MIDI port ctl-TAG) and an OSC signal."""
    (tmp / "scene.toml").write_text(SCENE)
    return write_rig(tmp, name="live-test", scenes=["scene.toml"], jack=f"engine-{tag}", engine={"lookahead_ms": 80},
                     midi={"api": "jack", "inputs": [{"port": f"ctl-{tag}"}]},
                     osc={"host": "127.0.0.1", "port": osc_port})


def children_of(pid: int) -> list[int]:
    """The ids of ``pid``'s child processes."""
    out = subprocess.run(["ps", "-e", "-o", "pid=,ppid="], capture_output=True, text=True).stdout.split("\n")
    pairs = [tuple(int(x) for x in line.split()) for line in out if line.strip()]
    return [p for p, parent in pairs if parent == pid]


def processes_mentioning(text: str) -> list[int]:
    """Every live process whose command line contains ``text`` (orphans included, wherever reparented)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and entry.name != str(os.getpid()):
            try:
                cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            except OSError:
                continue
            if text in cmdline:
                found.append(int(entry.name))
    return found


@pytest.mark.slow
def test_live_rig_on_jack_is_steered_by_midi_and_osc(jack_server: JackServer, tmp_path: Path, monkeypatch,
                                                     performer_cmd: list[str]) -> None:
    tag = uuid.uuid4().hex[:6]
    osc_port = free_port()
    rig = _rig(tmp_path, tag, osc_port)
    notes_log = tmp_path / "notes.jsonl"
    env = jack_server.env
    monkeypatch.setenv("JACK_DEFAULT_SERVER", env["JACK_DEFAULT_SERVER"])  # for rtmidi in this process
    backend = mido.Backend("mido.backends.rtmidi/UNIX_JACK", load=True)
    knob = backend.open_output("knobs", virtual=True, client_name=f"ctl-{tag}")
    run = subprocess.Popen(performer_cmd + ["run", str(rig), "--notes-log", str(notes_log)],
                           env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        wait_until(lambda: f"engine-{tag}:output_1" in jack_ports(jack_server), 30, "the engine's JACK ports",
                   process=run)
        wait_until(lambda: written(notes_log), 30, "the first note", process=run)
        recording = tmp_path / "out.wav"
        rec_start = time.monotonic()
        rec = subprocess.Popen(["jack_rec", "-f", str(recording), "-d", str(2 * PHASE + 1), "-b", "16",
                                f"engine-{tag}:output_1"], env=env, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
        osc = SimpleUDPClient("127.0.0.1", osc_port)
        knob.send(mido.Message("control_change", control=1, value=0))
        osc.send_message("/test/density", 0.0)
        phase_a = time.monotonic()
        time.sleep(PHASE)
        knob.send(mido.Message("control_change", control=1, value=127))
        osc.send_message("/test/density", 1.0)
        phase_b = time.monotonic()
        time.sleep(PHASE)
        rec.wait(timeout=15)
        run.send_signal(signal.SIGTERM)
        output, _ = run.communicate(timeout=15)
    finally:
        if run.poll() is None:
            run.kill()
        knob.close()
    assert run.returncode == 0, output
    assert "Traceback" not in output, output
    assert processes_mentioning(tag) == processes_mentioning(str(rig)) == []  # no engine, no conductor left
    assert f"engine-{tag}" not in jack_ports(jack_server)  # the engine left JACK: its process is gone

    notes = [json.loads(line) for line in notes_log.read_text().splitlines()]
    lookahead = 0.08 + 0.05
    a = [n for n in notes if phase_a + lookahead <= n["clock"] < phase_b]
    b = [n for n in notes if phase_b + lookahead <= n["clock"] < phase_b + PHASE]
    assert len(a) >= 3 and len(b) >= 3, (len(a), len(b))
    assert statistics.mean(n["pitch"] for n in b) > statistics.mean(n["pitch"] for n in a) + 12, output
    assert len(b) / (PHASE - lookahead) > 2 * len(a) / (phase_b - phase_a - lookahead)

    audio, sr = sf.read(recording)
    assert audio.ndim == 1 or audio.shape[1] == 1
    audio = audio.reshape(-1)
    assert len(audio) > sr * PHASE
    assert rms_dbfs(audio) > -45.0, "the engine's JACK output is silent"

    def window(t0: float, t1: float) -> np.ndarray:
        return audio[int((t0 - rec_start) * sr):int((t1 - rec_start) * sr)]

    # A control change reaches the notes from the next decision on (up to one note and the lookahead later),
    # and the walk then climbs within a few notes; judge the audio after that.
    low = strongest(window(phase_a + 0.5, phase_b + 0.5), sr)
    high = strongest(window(phase_b + 2.0, phase_b + PHASE), sr)
    assert high > 2.0 * low, (low, high)  # the register change is heard, not only logged


def strongest(audio: np.ndarray, sr: int) -> float:
    """Frequency of the strongest spectral peak between 50 Hz and 3 kHz."""
    mags = np.abs(np.fft.rfft(audio * np.hanning(len(audio))))
    freqs = np.fft.rfftfreq(len(audio), 1 / sr)
    band = (freqs > 50) & (freqs < 3000)
    return float(freqs[band][np.argmax(mags[band])])


@pytest.mark.slow
def test_supervisor_restarts_a_dead_engine(jack_server: JackServer, tmp_path: Path, performer_cmd: list[str]) -> None:
    tag = uuid.uuid4().hex[:6]
    rig = _rig(tmp_path, tag, free_port())
    notes_log = tmp_path / "notes.jsonl"
    run = subprocess.Popen(performer_cmd + ["run", str(rig), "--notes-log", str(notes_log)],
                           env=jack_server.env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        wait_until(lambda: f"engine-{tag}:output_1" in jack_ports(jack_server), 30, "the engine's JACK ports",
                   process=run)
        wait_until(lambda: len(children_of(run.pid)) == 2, 30, "engine and conductor", process=run)
        engine = next(p for p in children_of(run.pid)
                      if "performer.runtime.engine_process" in Path(f"/proc/{p}/cmdline").read_text())
        os.kill(engine, signal.SIGKILL)  # a crash: no clean stop
        wait_until(lambda: engine not in children_of(run.pid) and len(children_of(run.pid)) == 2, 30,
                   "a new engine process", process=run)
        wait_until(lambda: f"engine-{tag}:output_1" in jack_ports(jack_server), 30, "the new engine's JACK ports",
                   process=run)
        run.send_signal(signal.SIGTERM)
        output, _ = run.communicate(timeout=15)
    finally:
        if run.poll() is None:
            run.kill()
    assert run.returncode == 0, output
    assert "engine exited unexpectedly (exit -9); restarting it" in output
    assert processes_mentioning(tag) == processes_mentioning(str(rig)) == []
