"""MIDI-to-audio latency through the thru path, measured by a JACK client that plays the keys and records the
engine's output on the same frame clock: latency = first sample of the note - frame of its note-on.

The probe's process callback only copies the input buffer and writes scheduled MIDI events; everything else
happens after the run."""

from __future__ import annotations

import random
import time

import numpy as np

from performer.bench.jackbench import ENGINE, EngineRun, engine_settings
from performer.bench.jackd import JackServer
from performer.bench.recorder import Recorder
from synthesis.protocol import Thru

PROBE = "latency-probe"
NOTE_SPACING = 0.6  # seconds between keys: each note (0.1 s, release 0.3 s) rings out before the next
THRESHOLD = 1e-4  # -80 dBFS: the first sample above it is the note's first sample (the engine is silent between)


class Probe:
    """A recording JACK client (``Recorder``) with a MIDI output too: the keyboard."""

    def __init__(self, server: JackServer, notes: int, seed: int = 1) -> None:
        self.recorder = Recorder(server, PROBE, notes * NOTE_SPACING + 1.0)
        self.client = self.recorder.client
        self.keys = self.client.midi_outports.register("keys")
        self.period = self.client.blocksize
        rate = self.client.samplerate
        rng = random.Random(seed)
        start = int(0.5 * rate)  # frames after arming; each key anywhere within a period
        self.events: list[tuple[int, tuple[int, int, int]]] = []
        for i in range(notes):
            frame, pitch = start + int(i * NOTE_SPACING * rate) + rng.randrange(self.period), 48 + i % 36
            self.events += [(frame, (0x90, pitch, 100)), (frame + int(0.1 * rate), (0x80, pitch, 0))]
        self.events.sort()
        self.sent: list[int] = []  # frame of each note-on, counted from arming
        self.length = start + int((notes * NOTE_SPACING + 0.5) * rate)
        self.client.set_process_callback(self._process)

    def _process(self, frames: int) -> None:
        self.keys.clear_buffer()
        at = self.recorder.process(frames)
        if at is None:
            return
        while self.events and self.events[0][0] < at + frames:
            frame, data = self.events.pop(0)
            offset = max(0, frame - at)
            self.keys.write_midi_event(offset, data)
            if data[0] == 0x90:
                self.sent.append(at + offset)

    @property
    def seconds(self) -> float:
        return self.length / self.client.samplerate

    def latencies_ms(self, rate: int) -> list[float]:
        """For each key sent, the first sample above the threshold after it, minus its frame, in ms."""
        loud = np.abs(self.recorder.audio) > THRESHOLD
        out = []
        for frame in self.sent:
            window = np.nonzero(loud[frame:frame + int(0.05 * rate)])[0]
            if len(window):
                out.append(1000.0 * window[0] / rate)
        return out


def midi_to_audio(server: JackServer, notes: int) -> dict:
    """Play ``notes`` keys into the engine's thru path over JACK MIDI; latencies of those that sounded."""
    probe = Probe(server, notes)
    probe.client.activate()
    try:
        with EngineRun(server, engine_settings(16, effects=False, thru=(f"{PROBE}:keys",))) as engine:
            server.connect(f"{ENGINE}:output_1", f"{PROBE}:in")
            engine.send(Thru("epiano"))
            time.sleep(0.5)
            probe.recorder.armed = True  # the engine listens: start the keys and the recording
            time.sleep(probe.seconds + 0.5)
            heard = engine.health().thru
        latencies = probe.latencies_ms(probe.client.samplerate)
    finally:
        probe.client.deactivate()
        probe.client.close()
    values = np.array(latencies) if latencies else np.array([np.nan])
    return {"midi_to_audio_ms_p50": round(float(np.percentile(values, 50)), 3),
            "midi_to_audio_ms_p99": round(float(np.percentile(values, 99)), 3),
            "midi_to_audio_ms_max": round(float(values.max()), 3),
            "midi_keys_sent": len(probe.sent), "midi_keys_heard": len(latencies), "engine_thru_count": heard}
