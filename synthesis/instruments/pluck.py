"""Plucked string: a pick's pulse and a little noise excite a waveguide (Karplus-Strong style); brighter when
struck harder.

The pulse, one cycle of the note's own sine, gives every note's fundamental the same start; a noise burst alone
leaves it to chance (measured at one pitch and velocity: the fundamental from 15 dB under its octave to 19 dB
over it, note to note). A single voice is struck again on a repeated pitch (synthesis/voices.py)."""

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

NOISE, PULSE, WIDTH = 0.25, 0.4, 1.0 # the excitation at full velocity: noise, the pulse, its length in periods


class PluckVoice:
    def __init__(self, params: dict[str, pyo.SigTo], ratio: pyo.PyoObject) -> None:
        self.p = params
        self.trig = pyo.Trig()
        self.burst = pyo.TrigLinseg(self.trig, SILENT)
        self.pick = pyo.TrigLinseg(self.trig, SILENT)
        self.amp = pyo.TrigLinseg(self.trig, SILENT)
        self.freq = pyo.Sig(220.0)
        pitch = self.freq * ratio
        self.struck = pyo.Sig(4000.0)  # how bright the velocity makes the note; brightness moves it while it sounds
        bright = self.struck * (0.4 + 1.2 * params["brightness"])
        noise = cheap_noise(mul=self.burst)
        pulse = pyo.Sine(freq=pitch, mul=self.pick)
        excite = pyo.ButLP(noise + pulse, freq=bright)
        self.string = pyo.Waveguide(excite, freq=pitch, dur=4.0, minfreq=20)
        # The pick's click goes straight out too: the string itself answers only after one period.
        self.tone = pyo.ButLP(self.string + excite * 0.1, freq=bright * 1.5, mul=self.amp)
        self.nodes = [self.burst, self.pick, self.amp, self.freq, pitch, self.struck, bright, noise, pulse, excite,
                      self.string, self.tone]

    def sig(self) -> pyo.PyoObject:
        return self.tone

    def start(self, offset: float, pitch: int, velocity: int, duration: float, busy: bool) -> None:
        t0 = note_start(offset, busy)
        if not busy:  # a silent voice's string still rings inside, unheard: damp it, so each pluck starts alike
            self.string.reset()
        hit = (velocity / 127.0) ** 1.3
        hz = midi_to_hz(pitch)
        self.freq.value = hz
        self.struck.value = 1500.0 + 6000.0 * hit
        self.burst.setList(strictly_increasing([(0.0, 0.0), (t0, 0.0), (t0 + 0.0005, NOISE * hit),
                                                (t0 + 0.006, 0.0), (t0 + 0.0061, 0.0)]))
        self.pick.setList(strictly_increasing([(0.0, 0.0), (t0, 0.0), (t0 + WIDTH / 2 / hz, PULSE * hit),
                                               (t0 + WIDTH / hz, 0.0), (t0 + WIDTH / hz + 0.0001, 0.0)]))
        self.amp.setList(ahdsr(float(self.amp.get()) if busy else 0.0, t0, 1.8, 0.001, duration, 1.2,
                               self.p["release"].value))
        self.trig.play()

    def release(self, offset: float) -> None:
        """End a held note: damp the string over the release time."""
        self.amp.setList(release_points(float(self.amp.get()), offset, self.p["release"].value))
        self.burst.setList(SILENT)
        self.pick.setList(SILENT)
        self.trig.play()

    def silence(self) -> None:
        self.amp.setList(SILENT)
        self.burst.setList(SILENT)
        self.pick.setList(SILENT)
        self.trig.play()
