"""pyo instruments: each a pool of voices of one class, mixed to one signal. Every voice class is a ``Voice``
(synthesis/instruments/voice.py), built with its instrument's shared parameter signals."""

from __future__ import annotations

import pyo

from synthesis.catalog import INSTRUMENTS, PARAMS, TAIL
from synthesis.instruments.bass import BassVoice
from synthesis.instruments.drums import DrumVoice
from synthesis.instruments.epiano import EPianoVoice
from synthesis.instruments.pad import PadVoice
from synthesis.instruments.pluck import PluckVoice
from synthesis.instruments.voice import Voice, VoiceClass
from synthesis.voices import VoicePool

GLIDE = 0.01  # seconds every parameter glides to a new value: the conductor's control tick, so its 100 Hz steps
# join into lines (no zipper), and a hand's move is heard at once

VOICE_CLASSES: dict[str, VoiceClass] = {"epiano": EPianoVoice, "pluck": PluckVoice, "pad": PadVoice, "bass": BassVoice,
                 "drums": DrumVoice}
assert set(VOICE_CLASSES) == set(INSTRUMENTS), "catalog and voice classes disagree"


def sleep(voice: Voice) -> None:
    """Stop a voice's pyo objects; a stopped object outputs zeros and costs nothing."""
    for node in voice.nodes:
        node.stop()


class Instrument:
    """A named pool of voices of one class, mixed to one signal."""

    def __init__(self, name: str, voices: int) -> None:
        self.name = name
        self.params = {p: pyo.SigTo(default, time=GLIDE) for p, (default, _, _) in PARAMS[name].items()}
        # 2 ** (bend / 12): one ratio for the instrument, so a bend moves every note that sounds on it at once
        self.ratio = pyo.Pow(2.0, self.params["bend"] / 12.0) if "bend" in self.params else pyo.Sig(1.0)
        self.voices: list[Voice] = [VOICE_CLASSES[name](self.params, self.ratio) for _ in range(voices)]
        self.pool = VoicePool(voices)
        self.awake: set[int] = set()  # voices whose pyo objects are running
        for voice in self.voices:
            sleep(voice)
        # FM at ratio 1 folds a component onto 0 Hz; the DC blocker keeps it out of the mix and the limiter.
        self.mix = pyo.DCBlock(pyo.Mix([v.sig() for v in self.voices], voices=1)) * self.params["expression"]
        self.reverb_send, self.delay_send = self.params["reverb"], self.params["delay"]

    @property
    def release(self) -> float:
        """Seconds a note sounds after its duration, for voice allocation."""
        return self.params["release"].value if "release" in self.params else TAIL

    def play(self, start: int, silent_at: int, offset: float, pitch: int, velocity: int, duration: float) -> int:
        """Start a note on a voice from the pool (frames ``start`` to ``silent_at``), waking it if it sleeps;
        return the voice's index."""
        index, busy = self.pool.allocate(start, silent_at, pitch)
        voice = self.voices[index]
        if index not in self.awake:
            for node in voice.nodes:
                node.play()
            self.awake.add(index)
        voice.start(offset, pitch, velocity, duration, busy)
        return index

    def release_voice(self, index: int, started: int, silent_at: int) -> None:
        """End the held note that voice ``index`` started at frame ``started`` (unless it was stolen since)."""
        if self.pool.started[index] != started or self.pool.silent_at[index] <= silent_at:
            return
        self.voices[index].release(0.0)
        self.pool.silent_at[index] = silent_at

    def sleep_idle(self, frame: int) -> None:
        """Stop processing the voices that have fallen silent: an idle voice costs no CPU."""
        for index in [i for i in self.awake if self.pool.silent_at[i] < frame]:
            sleep(self.voices[index])
            self.awake.discard(index)

    def silence(self) -> None:
        """Every voice to zero and asleep, and the pool free (after a panic)."""
        for voice in self.voices:
            voice.silence()
            sleep(voice)
        self.awake.clear()
        self.pool.clear()

    def set(self, name: str, value: float) -> None:
        """Glide a parameter to an already-clamped value."""
        self.params[name].value = value
