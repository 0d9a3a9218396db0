"""pyo instruments: each a pool of voices of one class, mixed to one signal. A voice class offers
``sig()``, ``start(offset, pitch, velocity, duration, stolen)``, ``silence()`` and ``RELEASE`` (its tail after
the note's duration, in seconds)."""

from __future__ import annotations

import pyo

from synthesis.catalog import INSTRUMENTS
from synthesis.instruments.bass import BassVoice
from synthesis.instruments.drums import DrumVoice
from synthesis.instruments.epiano import EPianoVoice
from synthesis.instruments.pad import PadVoice
from synthesis.instruments.pluck import PluckVoice

VOICE_CLASSES = {"epiano": EPianoVoice, "pluck": PluckVoice, "pad": PadVoice, "bass": BassVoice,
                 "drums": DrumVoice}
# Default effect sends (reverb, delay), 0..1: scenes may change them.
SENDS = {"epiano": (0.12, 0.0), "pluck": (0.25, 0.12), "pad": (0.35, 0.15), "bass": (0.04, 0.0),
         "drums": (0.1, 0.0)}
assert set(VOICE_CLASSES) == set(INSTRUMENTS), "catalog and voice classes disagree"


class Instrument:
    """A named pool of voices of one class, mixed to one signal."""

    def __init__(self, name: str, voices: int) -> None:
        self.name = name
        self.voices = [VOICE_CLASSES[name]() for _ in range(voices)]
        self.release = VOICE_CLASSES[name].RELEASE
        # FM at ratio 1 folds a component onto 0 Hz; the DC blocker keeps it out of the mix and the limiter.
        self.mix = pyo.DCBlock(pyo.Mix([v.sig() for v in self.voices], voices=1))
        reverb, delay = SENDS[name]
        self.reverb_send = pyo.SigTo(reverb, time=0.05)
        self.delay_send = pyo.SigTo(delay, time=0.05)
