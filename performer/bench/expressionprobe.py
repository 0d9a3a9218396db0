"""Expression to audio: an OSC control that moves a sounding note's expression, through the conductor and the
engine as `performer run` starts them, to the first sample of the engine's JACK output that shows it.

A probe JACK client records the engine's output on JACK's frame clock; the control is sent from this process with
the frame JACK's clock gives at that moment, so the lag is counted in frames. The voice holds long notes on A5 (880 Hz,
a cycle every 55 samples): each change toggles the expression between full and a quarter (12 dB); the change
shows when a cycle's peak has moved 1 dB from the level before it."""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

import numpy as np
from pythonosc.udp_client import SimpleUDPClient

from performer.bench.jackd import JackServer
from performer.bench.live import ENGINE, start_run, write_live_rig
from performer.bench.recorder import Recorder
from performer.runtime.supervisor import free_port

PROBE = "expression-probe"
CYCLE = 55  # samples per cycle of A5 at 48 kHz, near enough: the peak is taken per cycle
SHOWS_DB = 1.0  # the first cycle this far from the level before the change, toward the new one
SCENE = """name = "Tone"
tempo = 20
key = "A"
scale = "chromatic"
[[voices]]
name = "tone"
instrument = "epiano"
register = [81, 82]
steering = { density = 0.125, register = 81, spread = 0, velocity = 110 }
[[mappings]]
signal = "bench/level"
voice = "tone"
param = "expression"
range = [0.25, 1.0]
default = 1.0
"""


def _shown_at(audio: np.ndarray, frame: int, down: bool) -> int | None:
    """Frames from ``frame`` to the first cycle whose peak moved SHOWS_DB toward the new level; None when the level
    before was not steady (a note starting or ending) or the change never came."""
    before = audio[frame - 40 * CYCLE:frame]
    peaks = np.abs(before).reshape(-1, CYCLE).max(axis=1)
    level = float(np.median(peaks))
    if level < 1e-3 or peaks.min() < level * 10 ** (-0.5 / 20):
        return None
    after = np.abs(audio[frame:frame + 40 * CYCLE]).reshape(-1, CYCLE).max(axis=1)
    bound = level * 10 ** ((-SHOWS_DB if down else SHOWS_DB) / 20)
    moved = np.nonzero(after < bound if down else after > bound)[0]
    if not len(moved):
        return None
    k = int(moved[0])
    chunk = np.abs(audio[frame + k * CYCLE:frame + (k + 1) * CYCLE])
    inside = np.nonzero(chunk < bound if down else chunk > bound)[0]  # the sample within the cycle
    return k * CYCLE + int(inside[0]) if len(inside) else k * CYCLE


def expression_to_audio(server: JackServer, folder: Path, changes: int = 100) -> dict:
    """Toggle the tone's expression ``changes`` times, 0.3 s apart, while the rig plays live; lag percentiles."""
    (folder / "tone.toml").write_text(SCENE)
    port = free_port()
    rig = write_live_rig(folder, 120.0, port, scenes=["tone.toml"])
    seconds = 3.0 + changes * 0.3 + 2.0
    recorder = Recorder(server, PROBE, seconds)
    recorder.client.activate()
    proc = start_run(rig, server, seconds, stderr=subprocess.DEVNULL)
    sent: list[tuple[int, bool]] = []
    try:
        time.sleep(2.0)
        server.connect(f"{ENGINE}:output_1", f"{PROBE}:in")
        recorder.armed = True
        time.sleep(1.0)
        osc = SimpleUDPClient("127.0.0.1", port)
        for i in range(changes):
            down = i % 2 == 0
            frame = recorder.client.frame_time
            osc.send_message("/bench/level", 0.0 if down else 1.0)
            sent.append((frame, down))
            time.sleep(0.3)
        proc.wait(timeout=seconds + 30)
    finally:
        if proc.poll() is None:
            proc.kill()
        recorder.client.deactivate()
        recorder.client.close()
    return _summary(recorder, sent)


def _summary(recorder: Recorder, sent: list[tuple[int, bool]]) -> dict:
    rate, period = recorder.rate, recorder.period
    first = recorder.first_frame or 0
    lags = [_shown_at(recorder.audio, frame - first, down) for frame, down in sent if frame - first > 40 * CYCLE]
    found = np.array([1000.0 * lag / rate for lag in lags if lag is not None]) if any(
        lag is not None for lag in lags) else np.array([np.nan])
    return {"expression_to_audio_ms_p50": round(float(np.percentile(found, 50)), 2),
            "expression_to_audio_ms_p99": round(float(np.percentile(found, 99)), 2),
            "expression_to_audio_ms_max": round(float(found.max()), 2),
            "expression_changes_sent": len(sent), "expression_changes_measured": int(np.isfinite(found).sum()),
            "period_ms": round(1000.0 * period / rate, 2)}
