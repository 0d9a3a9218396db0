"""The master chain and the panic: the instruments' mix and their shared reverb and delay, then gain, the panic
gate, a gallery's slow leveller, the limiter and a hard clip at the ceiling, so no sample ever exceeds it."""

from __future__ import annotations

import math

import pyo

from synthesis.instruments import Instrument
from synthesis.protocol import SILENT_CDB
from synthesis.settings import AudioSettings

PANIC_FADE = 0.01  # seconds for the master gate to close
PANIC_REOPEN = 0.04  # seconds after a panic the gate reopens: the DC blockers' step transients have died by then
FX_CLEAR = 4.0  # seconds the effect returns stay shut after a panic: the reverb's tail (2.2 s) and the delay's
DELAY_TIME = 0.375  # seconds: a dotted eighth at 120 bpm
DELAY_FEEDBACK = 0.35  # each echo this much quieter than the one before
LEVELLER_RATIO = 50  # above the gallery's maximum loudness, 50 dB in give 1 dB out
METER_FALL = 0.43  # seconds for the level meter to fall 1/e (about 20 dB a second), as a peak meter does
LIMITER_LOOKAHEAD = 0.002  # seconds the limiter delays the signal; notes start this much earlier to cancel it


class MasterChain:
    """Owns the pyo graph after the instruments, and the panic's timing: ``panic`` closes the gate, ``step`` (once
    a buffer) silences every voice once it is shut and reopens the gate and then the effects."""

    def __init__(self, instruments: list[Instrument], settings: AudioSettings) -> None:
        self.instruments, self.sr, self.effects = instruments, settings.sample_rate, settings.effects
        dry = pyo.Mix([i.mix for i in instruments], voices=1)
        bus = self._with_effects(dry) if settings.effects else dry
        self.gate = pyo.SigTo(1.0, time=PANIC_FADE)
        gain = 10 ** (settings.gain_db / 20.0)
        ceiling = 10 ** (settings.ceiling_db / 20.0)
        bus = bus * self.gate * gain
        self.leveller: pyo.Compress | None = None
        self.max_loudness = settings.max_loudness_db  # the rig's own cap, which quiet hours lower for a while
        if settings.max_loudness_db is not None:  # a gallery's cap: a slow leveller, so the room never gets loud
            bus = self.leveller = pyo.Compress(bus, thresh=settings.max_loudness_db, ratio=LEVELLER_RATIO,
                                               risetime=0.15, falltime=3.0, knee=0.5)
        self.limiter = pyo.Compress(bus, thresh=settings.ceiling_db - 3.0, ratio=20, risetime=0.001,
                                    falltime=0.15, lookahead=LIMITER_LOOKAHEAD * 1000, knee=0.3)
        self.ceiling = pyo.Clip(self.limiter, min=-ceiling, max=ceiling)
        self.output = pyo.Mix(self.ceiling, voices=settings.channels).out()
        self.meter = pyo.Follower2(self.ceiling, risetime=0.001, falltime=METER_FALL)  # what the room hears
        self._silence_at: int | None = None
        self._reopen_at: int | None = None
        self._fx_reopen_at: int | None = None

    def _with_effects(self, dry: pyo.PyoObject) -> pyo.PyoObject:
        """The dry mix plus a shared reverb and a shared delay, each fed by every instrument's send."""
        to_reverb = pyo.Mix([i.mix * i.reverb_send for i in self.instruments], voices=1)
        to_delay = pyo.Mix([i.mix * i.delay_send for i in self.instruments], voices=1)
        self.reverb = pyo.STRev(to_reverb, revtime=2.2, cutoff=6000, bal=1.0, roomSize=0.9)
        self.delay_line = pyo.SmoothDelay(to_delay, delay=DELAY_TIME, feedback=DELAY_FEEDBACK, maxdelay=2.0)
        self.delay = pyo.ButLP(self.delay_line, freq=4000)
        self.fx_gate = pyo.SigTo(1.0, time=PANIC_FADE)  # stays shut after a panic until the tails have died
        return pyo.Mix([dry, pyo.Mix([self.reverb, self.delay], voices=1) * self.fx_gate], voices=1)

    def peak_cdb(self) -> int:
        """The output's level now, in hundredths of a dBFS (SILENT_CDB for silence)."""
        level = float(self.meter.get())
        return max(SILENT_CDB, round(2000 * math.log10(level))) if level > 1e-6 else SILENT_CDB

    def panic(self, frame: int) -> None:
        """Close the gate at ``frame`` (and the effect returns, whose tails would come back when it reopens)."""
        self.gate.value = 0.0
        if self.effects:
            self.fx_gate.value = 0.0
            self._fx_reopen_at = frame + round(FX_CLEAR * self.sr)
        self._silence_at = frame + math.ceil(1.5 * PANIC_FADE * self.sr)
        self._reopen_at = frame + math.ceil(PANIC_REOPEN * self.sr)

    def step(self, frame: int) -> None:
        """Once a buffer: the panic's later stages that are due by ``frame``."""
        if self._silence_at is not None and frame >= self._silence_at:
            self._silence()
        if self._reopen_at is not None and frame >= self._reopen_at:
            self.gate.value, self._reopen_at = 1.0, None
        if self._fx_reopen_at is not None and frame >= self._fx_reopen_at:
            self.reverb.reset()  # whatever is left of the tail (below -80 dB by now) goes too
            self.fx_gate.value, self._fx_reopen_at = 1.0, None

    def _silence(self) -> None:
        if self.effects:
            self.delay_line.reset()
        for instrument in self.instruments:
            instrument.silence()
        self._silence_at = None

    def set_loudness(self, max_db: float) -> bool:
        """Quiet hours: a lower cap for the leveller (NaN: the rig's own); False for a rig without a leveller."""
        if self.leveller is None:
            return False
        self.leveller.thresh = self.max_loudness if math.isnan(max_db) else min(0.0, max(-60.0, max_db))
        return True
