"""`performer bench clock`: the rig's MIDI clock out, timed on JACK's frame clock. A rig plays live (`performer
run`, as a user starts it) on a jackd of our own and sends its clock to a JACK MIDI client here, which stamps each
message with the frame it arrived on (the cycle's ``last_frame_time`` plus the event's offset). Against the
scene's tempo: clocks a beat, the mean interval, and the jitter: each clock's distance from the straight line
fitted through all of them (max and RMS, in ms).

The engine sends each clock in the buffer whose frames it falls on; python-rtmidi's JACK port then puts every
message at the start of the next JACK cycle, so the clock is quantised to the period (the jitter is at most a
period wide, about a period over the square root of 12 RMS). Now and then JACK runs the port's client after the
engine's in the same cycle instead, and that clock goes out a period early (``clocks_beyond_half_a_period``)."""

from __future__ import annotations

import subprocess
import tempfile
import time
import uuid
from pathlib import Path
from typing import Callable

import numpy as np
import tomlkit

from performer.bench.jackd import JackServer
from performer.bench.live import start_run
from synthesis.clockout import PPQ, START, STOP, TICK

SCENE = """name = "clock"
tempo = {tempo}
link = {follow}
key = "C"
scale = "major"
[[voices]]
name = "lead"
instrument = "epiano"
register = [48, 72]
steering = {{ density = 1.0, register = 60, spread = 3, velocity = 80 }}
"""


class ClockProbe:
    """A JACK client with one MIDI input, ``NAME:in``, that keeps every message with the JACK frame it came on, and
    one output, ``NAME:out``, that can play a master clock on exact frames (``play``, then ``stop``). Its process
    callback only copies and writes; everything else happens after the run."""

    def __init__(self, server: JackServer, name: str) -> None:
        import jack  # libjack; only the JACK bench and tests need it

        self.client = jack.Client(name, no_start_server=True, servername=server.name)
        self.port = self.client.midi_inports.register("in")
        self.out = self.client.midi_outports.register("out")
        self.rate, self.period = self.client.samplerate, self.client.blocksize
        self.heard: list[tuple[int, bytes]] = []
        self.played: list[tuple[int, int]] = []  # (frame, status) of each master message written
        self._master: tuple[float, float] | None = None  # (frame of Start, frames a clock), once playing
        self._tempo = 0.0
        self._stop = False
        self.client.set_process_callback(self._process)
        self.client.activate()

    def play(self, tempo: float) -> None:
        """Start a master clock at ``tempo`` from the next cycle on: Start, then 24 clocks a beat."""
        self._tempo = tempo

    def stop(self) -> None:
        """Stop the master clock in the next cycle."""
        self._stop = True

    def _process(self, frames: int) -> None:
        base = self.client.last_frame_time
        for offset, data in self.port.incoming_midi_events():
            self.heard.append((base + offset, bytes(data)))
        self.out.clear_buffer()
        if self._tempo and self._master is None:
            self._master = (float(base), 60.0 / self._tempo / PPQ * self.rate)
            self._write(0, START, base)
        if self._master is not None:
            self._clocks(base, frames)

    def _clocks(self, base: int, frames: int) -> None:
        """This cycle's clocks of the master, or its Stop."""
        assert self._master is not None
        first, step = self._master
        if self._stop:
            self._write(0, STOP, base)
            self._master, self._tempo, self._stop = None, 0.0, False
            return
        k = max(0, int(np.ceil((base - first) / step - 1e-9)))
        while round(first + k * step) < base + frames:
            self._write(round(first + k * step) - base, TICK, base)
            k += 1

    def _write(self, offset: int, status: int, base: int) -> None:
        self.out.write_midi_event(offset, (status,))
        self.played.append((base + offset, status))

    def close(self) -> None:
        self.client.deactivate()
        self.client.close()


def write_clock_rig(folder: Path, engine: str, probe: str, tempo: float, follow: bool = False) -> Path:
    """A rig on the bench's jackd playing one scene at ``tempo``, its MIDI out (notes and clock) to ``probe``'s
    input; with ``follow``, the scene follows the MIDI clock from ``probe``'s output instead."""
    (folder / "clock.toml").write_text(SCENE.format(tempo=tempo, follow=str(follow).lower()))
    midi = {"api": "jack", "thru": False, "output": {"port": f"^{probe}:in", "clock": True}}
    rig = {"name": "clock-bench", "scenes": ["clock.toml"],
           "audio": {"backend": "jack", "jack_name": engine, "jack_connect": False},
           "model": {"generator": "rules"}, "osc": {"enabled": False},
           "midi": {**midi, "clock_in": f"^{probe}:out"} if follow else midi}
    path = folder / "rig.toml"
    path.write_text(tomlkit.dumps(rig))
    return path


def clock_figures(heard: list[tuple[int, bytes]], rate: int, period: int, tempo: float) -> dict:
    """What the clock heard says: Start before the first clock, clocks a beat and the jitter about the fitted
    grid (ms), and a Stop after the last."""
    starts = [frame for frame, data in heard if data[:1] == bytes([START])]
    first_start = starts[0] if starts else None
    ticks = np.array([frame for frame, data in heard if data[:1] == bytes([TICK]) and
                      (first_start is not None and frame >= first_start)], dtype=np.float64)
    if len(ticks) < 2 * PPQ:
        raise RuntimeError(f"heard {len(ticks)} clocks after a Start; expected a few beats' worth")
    index = np.arange(len(ticks))
    slope, intercept = np.polyfit(index, ticks, 1)
    residual_ms = 1000.0 * (ticks - (slope * index + intercept)) / rate
    expected = 60.0 / tempo / PPQ * rate
    stops = [frame for frame, data in heard if data[:1] == bytes([STOP])]
    return {"tempo_bpm": tempo, "sample_rate": rate, "period_frames": period,
            "period_ms": round(1000.0 * period / rate, 3), "clocks": len(ticks),
            "beats": round(len(ticks) / PPQ, 2), "clocks_per_beat": round(PPQ * expected / slope, 4),
            "mean_interval_ms": round(1000.0 * slope / rate, 4),
            "expected_interval_ms": round(1000.0 * expected / rate, 4),
            "interval_error_pct": round(100.0 * (slope - expected) / expected, 4),
            "jitter_max_ms": round(float(np.abs(residual_ms).max()), 3),
            "jitter_rms_ms": round(float(np.sqrt(np.mean(residual_ms ** 2))), 3),
            "clocks_beyond_half_a_period": int(np.sum(np.abs(residual_ms) > 500.0 * period / rate + 0.25)),
            "start_before_first_clock": bool(first_start is not None and first_start <= ticks[0]),
            "stop_after_last_clock": bool(stops and stops[-1] >= ticks[-1])}


def clock_run(server: JackServer, folder: Path, tempo: float, seconds: float) -> dict:
    """`performer run` of a one-scene rig at ``tempo`` for ``seconds``, its clock heard by a probe; the figures,
    and the xruns jackd logged meanwhile."""
    tag = uuid.uuid4().hex[:6]
    probe = ClockProbe(server, f"clock-probe-{tag}")
    before = server.xruns()
    try:
        run = start_run(write_clock_rig(folder, f"clock-engine-{tag}", probe.client.name, tempo), server, seconds,
                        stderr=subprocess.PIPE)
        _, err = run.communicate(timeout=seconds + 60)
    finally:
        probe.close()
    if run.returncode != 0:
        raise RuntimeError(f"performer run exited {run.returncode}: {err[-800:]}")
    return {**clock_figures(probe.heard, probe.rate, probe.period, tempo),
            "xruns": server.xruns().since(before).total}


def follow_run(server: JackServer, folder: Path, tempo: float, seconds: float) -> dict:
    """`performer run` of a rig whose scene (at 90 bpm) follows an incoming MIDI clock: the probe plays a master
    clock at ``tempo`` for ``seconds`` once the rig listens, then stops it; the figures of the rig's own clock out
    against the master's tempo, and how long after the master's Start and Stop the rig's came."""
    tag = uuid.uuid4().hex[:6]
    probe = ClockProbe(server, f"clock-probe-{tag}")
    run = start_run(write_clock_rig(folder, f"clock-engine-{tag}", probe.client.name, 90.0, follow=True), server,
                    seconds + 60, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 30
        while not probe.client.get_all_connections(probe.out) and time.monotonic() < deadline and run.poll() is None:
            time.sleep(0.1)
        time.sleep(1.0)  # the conductor has placed its first scene, and waits for the master
        probe.play(tempo)
        time.sleep(seconds)
        probe.stop()
        time.sleep(3.0)  # the rig stops on its next bar line
    finally:
        run.terminate()
        _, err = run.communicate(timeout=30)
        probe.close()
    if run.returncode != 0:
        raise RuntimeError(f"performer run exited {run.returncode}: {err[-800:]}")
    figures = clock_figures(probe.heard, probe.rate, probe.period, tempo)
    return {**figures, "start_after_master_ms": _after(probe, START, min),
            "stop_after_master_ms": _after(probe, STOP, max)}


def _after(probe: ClockProbe, status: int, which: Callable[[list[int]], int]) -> float | None:
    """How long after the master's first (or last) ``status`` message the rig's came, in ms."""
    master = [frame for frame, played in probe.played if played == status]
    ours = [frame for frame, data in probe.heard if data[:1] == bytes([status])]
    return round(1000.0 * (which(ours) - which(master)) / probe.rate, 1) if master and ours else None


def bench_clock(seconds: float = 30.0, tempi: tuple[float, ...] = (120.0, 97.0)) -> dict:
    """The clock of a live rig on a jackd of our own (48 kHz, 256 frames), at each tempo for ``seconds``; then the
    rig following a master clock at 110 bpm for as long."""
    with JackServer() as server, tempfile.TemporaryDirectory() as tmp:
        runs = [clock_run(server, Path(tmp), tempo, seconds) for tempo in tempi]
        following = follow_run(server, Path(tmp), 110.0, seconds)
    return {"runs": runs, "jitter_max_ms": max(r["jitter_max_ms"] for r in runs),
            "jitter_rms_ms": max(r["jitter_rms_ms"] for r in runs),
            "interval_error_pct_max": max(abs(r["interval_error_pct"]) for r in runs), "following": following}
