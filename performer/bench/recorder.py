"""A JACK client that records its audio input on JACK's frame clock, for probes that time something against the
engine's output in samples (MIDI to audio, expression to audio)."""

from __future__ import annotations

import numpy as np

from performer.bench.jackd import JackServer


class Recorder:
    """Records its input ``in`` from the first cycle after ``armed``; ``audio[i]`` is frame ``first_frame + i``.
    A probe with ports of its own sets the client's process callback to its own, which calls ``process``."""

    def __init__(self, server: JackServer, name: str, seconds: float) -> None:
        import jack  # libjack; only the JACK bench needs it

        self.client = jack.Client(name, no_start_server=True, servername=server.name)
        self.input = self.client.inports.register("in")
        self.rate, self.period = self.client.samplerate, self.client.blocksize
        self.audio = np.zeros(int(seconds * self.rate) + 2 * self.period, dtype=np.float32)
        self.first_frame: int | None = None
        self.armed = False
        self.client.set_process_callback(self.process)

    def process(self, frames: int) -> int | None:
        """Copy this cycle's input; return its frame counted from arming (None before)."""
        if not self.armed:
            return None
        if self.first_frame is None:
            self.first_frame = self.client.last_frame_time
        at = self.client.last_frame_time - self.first_frame
        if at + frames <= len(self.audio):
            self.audio[at:at + frames] = self.input.get_array()
        return at
