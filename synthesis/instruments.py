"""pyo instruments: each a pool of voices that start at a sample offset within the coming buffer.

Every envelope is a TrigLinseg restarted by a Trig in the buffer the note starts in; a leading flat segment
of ``offset`` seconds puts the attack on the exact sample."""

from __future__ import annotations

import pyo

from synthesis.catalog import INSTRUMENTS

STEAL_FADE = 0.003  # seconds to fade a stolen voice before its new note


def midi_to_hz(pitch: float) -> float:
    return 440.0 * 2.0 ** ((pitch - 69.0) / 12.0)


class EPianoVoice:
    """FM electric piano: a 4 ms attack, a bright index that decays into a soft body, and a two-stage release."""

    RELEASE = 0.3

    def __init__(self) -> None:
        self.trig = pyo.Trig()
        self.amp = pyo.TrigLinseg(self.trig, [(0.0, 0.0), (0.001, 0.0)])
        self.index = pyo.TrigLinseg(self.trig, [(0.0, 0.0), (0.001, 0.0)])
        self.freq = pyo.Sig(440.0)
        self.tone = pyo.FM(carrier=self.freq, ratio=1.0, index=self.index, mul=self.amp)

    def sig(self) -> pyo.PyoObject:
        return self.tone

    def start(self, offset: float, pitch: int, velocity: int, duration: float, stolen: bool) -> None:
        """Play a note ``offset`` seconds into the coming buffer."""
        level = 0.32 * (velocity / 127.0) ** 1.6
        fade_from = float(self.amp.get()) if stolen else 0.0
        t0 = max(offset, STEAL_FADE) if stolen else offset
        attack, decay = 0.004, 0.6
        held = max(duration, attack + 0.001)
        sustain = level * (1.0 - 0.45 * min(1.0, (held - attack) / decay))
        amp = [(0.0, fade_from), (t0, 0.0), (t0 + attack, level), (t0 + held, sustain),
               (t0 + held + 0.08, sustain * 0.3), (t0 + held + self.RELEASE, 0.0)]
        # Below index 1.84 the fundamental (J0 - J2 at ratio 1) never cancels, so the pitch stays clear.
        bright = 0.7 + 0.9 * velocity / 127.0
        index = [(0.0, 0.0), (t0, 0.0), (t0 + 0.002, bright), (t0 + 0.35, 0.35), (t0 + 0.351, 0.35)]
        self.freq.value = midi_to_hz(pitch)
        self.amp.setList(_strictly_increasing(amp))
        self.index.setList(_strictly_increasing(index))
        self.trig.play()

    def silence(self) -> None:
        """Drop to zero at once (used behind the master gate during a panic)."""
        self.amp.setList([(0.0, 0.0), (0.001, 0.0)])
        self.trig.play()


def _strictly_increasing(points: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """TrigLinseg needs increasing times; merge points closer than one microsecond."""
    out = [points[0]]
    for t, v in points[1:]:
        if t > out[-1][0] + 1e-6:
            out.append((t, v))
        else:
            out[-1] = (out[-1][0], v)
    return out


VOICE_CLASSES = {"epiano": EPianoVoice}
assert set(VOICE_CLASSES) == set(INSTRUMENTS), "catalog and voice classes disagree"


class Instrument:
    """A named pool of voices of one class, mixed to one signal."""

    def __init__(self, name: str, voices: int) -> None:
        self.name = name
        self.voices = [VOICE_CLASSES[name]() for _ in range(voices)]
        self.release = VOICE_CLASSES[name].RELEASE
        # FM at ratio 1 folds a component onto 0 Hz; the DC blocker keeps it out of the mix and the limiter.
        self.mix = pyo.DCBlock(pyo.Mix([v.sig() for v in self.voices], voices=1))
