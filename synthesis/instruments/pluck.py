"""Plucked string: a filtered noise burst excites a waveguide (Karplus-Strong style); brighter when struck harder."""

from __future__ import annotations

import pyo

from synthesis.instruments.envelope import (
    SILENT,
    ahdsr,
    cheap_noise,
    midi_to_hz,
    note_start,
    release_points,
    strictly_increasing,
)


class PluckVoice:
    def __init__(self, params: dict[str, pyo.SigTo]) -> None:
        self.p = params
        self.trig = pyo.Trig()
        self.burst = pyo.TrigLinseg(self.trig, SILENT)
        self.amp = pyo.TrigLinseg(self.trig, SILENT)
        self.freq = pyo.Sig(220.0)
        self.bright = pyo.Sig(4000.0)
        noise = cheap_noise(mul=self.burst)
        excite = pyo.ButLP(noise, freq=self.bright)
        self.string = pyo.Waveguide(excite, freq=self.freq, dur=4.0, minfreq=20)
        # The pick's click goes straight out too: the string itself answers only after one period.
        self.tone = pyo.ButLP(self.string + excite * 0.1, freq=self.bright * 1.5, mul=self.amp)
        self.nodes = [self.burst, self.amp, noise, excite, self.string, self.tone]

    def sig(self) -> pyo.PyoObject:
        return self.tone

    def start(self, offset: float, pitch: int, velocity: int, duration: float, stolen: bool) -> None:
        t0 = note_start(offset, stolen)
        hit = (velocity / 127.0) ** 1.3
        self.freq.value = midi_to_hz(pitch)
        self.bright.value = (1500.0 + 6000.0 * hit) * (0.4 + 1.2 * self.p["brightness"].value)
        self.burst.setList(strictly_increasing([(0.0, 0.0), (t0, 0.0), (t0 + 0.0005, 0.9 * hit),
                                                (t0 + 0.006, 0.0), (t0 + 0.0061, 0.0)]))
        self.amp.setList(ahdsr(float(self.amp.get()) if stolen else 0.0, t0, 1.8, 0.001, duration, 1.2,
                               self.p["release"].value))
        self.trig.play()

    def release(self, offset: float) -> None:
        """End a held note: damp the string over the release time."""
        self.amp.setList(release_points(float(self.amp.get()), offset, self.p["release"].value))
        self.burst.setList(SILENT)
        self.trig.play()

    def silence(self) -> None:
        self.amp.setList(SILENT)
        self.burst.setList(SILENT)
        self.trig.play()
