"""A synthesized drum kit for a drum voice. The note's pitch picks the sound, as in General MIDI's drum map:
kick (35, 36), snare (38, 40) and rim or clap (37, 39), closed and open hats (42, 44; 46), and tuned
percussion (toms and the rest, pitched by the note). Velocity sets level and brightness; duration is ignored
except to cut an open hat."""

from __future__ import annotations

import pyo

from synthesis.instruments.envelope import SILENT, cheap_noise, midi_to_hz, note_start, strictly_increasing

KICK, SNARE, HAT, PERC = "kick", "snare", "hat", "perc"
KIT = {35: KICK, 36: KICK, 37: SNARE, 38: SNARE, 39: SNARE, 40: SNARE, 42: HAT, 44: HAT, 46: HAT}
OPEN_HAT = 46


def sound_of(pitch: int) -> str:
    """Which part of the kit a pitch plays."""
    return KIT.get(pitch, PERC)


class DrumVoice:
    DECAY = {KICK: 0.35, SNARE: 0.18, HAT: 0.05, PERC: 0.25}

    def __init__(self, params: dict[str, pyo.SigTo], ratio: pyo.PyoObject) -> None:  # a kit does not bend
        self.p = params
        self.trig = pyo.Trig()
        self.amps = {part: pyo.TrigLinseg(self.trig, SILENT) for part in (KICK, SNARE, HAT, PERC)}
        self.kick_freq = pyo.TrigLinseg(self.trig, [(0.0, 50.0), (0.001, 50.0)])
        self.perc_freq = pyo.Sig(200.0)
        self.hat_tone = pyo.Sig(7000.0)
        noise = cheap_noise()
        kick = pyo.Sine(freq=self.kick_freq, mul=self.amps[KICK])
        rattle, drum = pyo.ButBP(noise, freq=1800, q=0.8, mul=0.9), pyo.Sine(freq=185, mul=0.5)
        snare = pyo.Mix([rattle, drum], voices=1)
        hat = pyo.ButHP(noise, freq=self.hat_tone)
        perc = pyo.Sine(freq=self.perc_freq)
        self.tone = pyo.Mix([kick, snare * self.amps[SNARE], hat * self.amps[HAT], perc * self.amps[PERC]],
                            voices=1)
        self.nodes = [*self.amps.values(), self.kick_freq, noise, kick, rattle, drum, snare, hat, perc, self.tone]

    def sig(self) -> pyo.PyoObject:
        return self.tone

    def start(self, offset: float, pitch: int, velocity: int, duration: float, busy: bool) -> None:
        t0 = note_start(offset, busy)
        part = sound_of(pitch)
        hit = (velocity / 127.0) ** 1.2
        decay = 0.35 if pitch == OPEN_HAT else self.DECAY[part]
        if pitch == OPEN_HAT:
            decay = min(decay, max(0.05, duration))
        if part == KICK:
            self.kick_freq.setList(strictly_increasing([(0.0, 160.0), (t0, 160.0), (t0 + 0.04, 60.0),
                                                        (t0 + 0.3, 45.0)]))
        elif part == HAT:
            self.hat_tone.value = (5000.0 + 3000.0 * hit) * (0.7 + 0.6 * self.p["brightness"].value)
        elif part == PERC:
            self.perc_freq.value = midi_to_hz(pitch)
        for name, amp in self.amps.items():
            level = 0.8 * hit if name == part else 0.0
            current = float(amp.get()) if busy else 0.0
            amp.setList(strictly_increasing([(0.0, current), (t0, 0.0), (t0 + 0.001, level),
                                             (t0 + 0.001 + decay * 0.3, level * 0.35), (t0 + 0.001 + decay, 0.0)]))
        self.trig.play()

    def release(self, offset: float) -> None:
        """Drums are one-shots: a key's release changes nothing."""

    def silence(self) -> None:
        for amp in self.amps.values():
            amp.setList(SILENT)
        self.trig.play()
