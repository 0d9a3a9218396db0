"""Detuned pad: a SuperSaw through a resonant low-pass, with a slow attack and a long release."""

from __future__ import annotations

import pyo

from synthesis.instruments.envelope import SILENT, ahdsr, midi_to_hz, note_start, release_points


class PadVoice:
    def __init__(self, params: dict[str, pyo.SigTo], ratio: pyo.PyoObject) -> None:
        self.p = params
        self.trig = pyo.Trig()
        self.amp = pyo.TrigLinseg(self.trig, SILENT)
        self.freq = pyo.Sig(220.0)
        self.cutoff = pyo.Sig(1800.0)
        pitch = self.freq * ratio
        self.saw = pyo.SuperSaw(freq=pitch, detune=params["detune"], bal=0.7)
        cutoff = pyo.Clip(self.cutoff * (0.3 + 1.4 * params["brightness"]), 40.0, 16000.0)
        self.tone = pyo.MoogLP(self.saw, freq=cutoff, res=0.25, mul=self.amp)
        self.nodes = [self.amp, self.freq, pitch, self.saw, cutoff, self.tone]

    def sig(self) -> pyo.PyoObject:
        return self.tone

    def start(self, offset: float, pitch: int, velocity: int, duration: float, busy: bool) -> None:
        t0 = note_start(offset, busy)
        level = 1.6 * (velocity / 127.0) ** 1.2  # SuperSaw through the low-pass is about 20 dB below a sine
        self.freq.value = midi_to_hz(pitch)
        self.cutoff.value = min(12000.0, midi_to_hz(pitch) * (3.0 + 6.0 * velocity / 127.0))
        attack = min(self.p["attack"].value, max(0.005, duration / 3))
        self.amp.setList(ahdsr(float(self.amp.get()) if busy else 0.0, t0, level, attack, duration, level * 0.85,
                               self.p["release"].value))
        self.trig.play()

    def release(self, offset: float) -> None:
        """End a held note: fade from where it is over the release time."""
        self.amp.setList(release_points(float(self.amp.get()), offset, self.p["release"].value))
        self.trig.play()

    def silence(self) -> None:
        self.amp.setList(SILENT)
        self.trig.play()
