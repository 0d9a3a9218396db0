"""FM electric piano: a 4 ms attack, a bright index that decays into a soft body, and a two-stage release."""

from __future__ import annotations

import pyo

from synthesis.instruments.envelope import (
    SILENT,
    hold_points,
    midi_to_hz,
    note_start,
    release_points,
    strictly_increasing,
)


class EPianoVoice:
    def __init__(self, params: dict[str, pyo.SigTo], ratio: pyo.PyoObject) -> None:
        self.p = params
        self.trig = pyo.Trig()
        self.amp = pyo.TrigLinseg(self.trig, SILENT)
        self.index = pyo.TrigLinseg(self.trig, SILENT)
        self.freq = pyo.Sig(440.0)
        pitch = self.freq * ratio
        self.tone = pyo.FM(carrier=pitch, ratio=1.0, index=self.index, mul=self.amp)
        self.nodes = [self.amp, self.index, self.freq, pitch, self.tone]

    def sig(self) -> pyo.PyoObject:
        return self.tone

    def start(self, offset: float, pitch: int, velocity: int, duration: float, busy: bool) -> None:
        """Play a note ``offset`` seconds into the coming buffer."""
        level = 0.32 * (velocity / 127.0) ** 1.6
        fade_from = float(self.amp.get()) if busy else 0.0
        t0 = note_start(offset, busy)
        attack, decay, release = self.p["attack"].value, 0.6, self.p["release"].value
        held = max(duration, attack + 0.001)
        sustain = level * (1.0 - 0.45 * min(1.0, (held - attack) / decay))
        amp = [(0.0, fade_from), (t0, 0.0), (t0 + attack, level), (t0 + held, sustain),
               (t0 + held + release * 0.27, sustain * 0.3), (t0 + held + release, 0.0)]
        # Below index 1.84 the fundamental (J0 - J2 at ratio 1) never cancels, so the pitch stays clear.
        bright = min(1.6, (0.7 + 0.9 * velocity / 127.0) * (0.5 + self.p["brightness"].value))
        index = [(0.0, 0.0), (t0, 0.0), (t0 + 0.002, bright), (t0 + 0.35, 0.35), (t0 + 0.351, 0.35)]
        self.freq.value = midi_to_hz(pitch)
        self.amp.setList(strictly_increasing(amp))
        self.index.setList(strictly_increasing(index))
        self.trig.play()

    def release(self, offset: float) -> None:
        """End a held note: fade from where it is over the release time; the tone stays as it is."""
        self.amp.setList(release_points(float(self.amp.get()), offset, self.p["release"].value))
        self.index.setList(hold_points(float(self.index.get())))
        self.trig.play()

    def silence(self) -> None:
        """Drop to zero at once (used behind the master gate during a panic)."""
        self.amp.setList(SILENT)
        self.trig.play()
