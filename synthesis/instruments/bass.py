"""Bass: a saw and a sub-octave sine through a low-pass whose cutoff snaps open at the attack and closes."""

from __future__ import annotations

import pyo

from synthesis.instruments.envelope import (
    SILENT,
    ahdsr,
    hold_points,
    midi_to_hz,
    note_start,
    release_points,
    strictly_increasing,
)


class BassVoice:
    def __init__(self, params: dict[str, pyo.SigTo], ratio: pyo.PyoObject) -> None:
        self.p = params
        self.trig = pyo.Trig()
        self.amp = pyo.TrigLinseg(self.trig, SILENT)
        self.sweep = pyo.TrigLinseg(self.trig, [(0.0, 200.0), (0.001, 200.0)])
        self.freq = pyo.Sig(55.0)
        pitch = self.freq * ratio
        sources = [pyo.Sine(freq=pitch, mul=0.6), pyo.Sine(freq=pitch * 0.5, mul=0.2),
                   pyo.LFO(freq=pitch, type=1, mul=0.3)]  # LFO type 1: a band-limited saw
        body = pyo.Mix(sources, voices=1)
        self.tone = pyo.ButLP(body, freq=self.sweep, mul=self.amp)
        self.nodes = [self.amp, self.sweep, self.freq, pitch, *sources, body, self.tone]

    def sig(self) -> pyo.PyoObject:
        return self.tone

    def start(self, offset: float, pitch: int, velocity: int, duration: float, busy: bool) -> None:
        t0 = note_start(offset, busy)
        hz = midi_to_hz(pitch)
        hit = velocity / 127.0
        self.freq.value = hz
        top = min(8000.0, hz * (4 + 12 * hit) * (0.4 + 1.2 * self.p["brightness"].value))
        self.sweep.setList(strictly_increasing([(0.0, top), (t0, top), (t0 + 0.25, hz * 2.5), (t0 + 0.26, hz * 2.5)]))
        self.amp.setList(ahdsr(float(self.amp.get()) if busy else 0.0, t0, 0.45 * hit ** 1.2, self.p["attack"].value,
                               duration, 0.38 * hit ** 1.2, self.p["release"].value))
        self.trig.play()

    def release(self, offset: float) -> None:
        """End a held note: fade from where it is over the release time, the filter where it is."""
        self.amp.setList(release_points(float(self.amp.get()), offset, self.p["release"].value))
        self.sweep.setList(hold_points(float(self.sweep.get())))
        self.trig.play()

    def silence(self) -> None:
        self.amp.setList(SILENT)
        self.trig.play()
