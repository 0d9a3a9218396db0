"""The engine: instruments, the master chain (gain, panic gate, limiter, hard ceiling) and the per-buffer
scheduler callback. The same class runs live (JACK, PortAudio) and offline."""

from __future__ import annotations

import logging
import math
import queue
import time
from dataclasses import dataclass

import pyo

from synthesis.midiecho import EchoFilter
from synthesis.catalog import INSTRUMENTS, clamp_param
from synthesis.instruments import Instrument
from synthesis.midiout import MidiSender, NotesOut
from synthesis.protocol import Health, Loudness, Message, Note, Panic, Param, Thru
from synthesis.scheduler import FrameClock, Scheduler
from synthesis.server import AudioSettings
from synthesis.thru import HOLD_LIMIT, Key, KeyOn, ThruKeys
from synthesis.xruns import XrunCounter

log = logging.getLogger(__name__)

SLEEP_CHECK = 4096  # frames between looks for voices that have fallen silent
PANIC_FADE = 0.01  # seconds for the master gate to close
PANIC_REOPEN = 0.04  # seconds after a panic the gate reopens: the DC blockers' step transients have died by then
FX_CLEAR = 4.0  # seconds the effect returns stay shut after a panic: the reverb's tail (2.2 s) and the delay's
DELAY_TIME = 0.375  # seconds: a dotted eighth at 120 bpm
DELAY_FEEDBACK = 0.35  # each echo this much quieter than the one before
LEVELLER_RATIO = 50  # above the gallery's maximum loudness, 50 dB in give 1 dB out
LIMITER_LOOKAHEAD = 0.002  # seconds the limiter delays the signal; notes start this much earlier to cancel it


@dataclass
class EngineCounts:
    """What the engine reports in its health messages."""

    played: int = 0
    dropped: int = 0
    clamped: int = 0
    gaps: int = 0
    thru: int = 0
    midi_out: int = 0  # messages sent on the rig's MIDI out
    echoes: int = 0  # messages heard back from the MIDI out on a thru input, and dropped

    def summary(self) -> str:
        """One line for the log."""
        return (f"played {self.played} notes, {self.thru} thru keys, {self.midi_out} MIDI out messages, "
                f"{self.echoes} echoes dropped, {self.dropped} dropped, {self.clamped} clamped")


class Engine:
    """Owns the pyo graph. Messages arrive through ``submit`` from any thread; the audio callback applies them."""

    def __init__(self, server: pyo.Server, settings: AudioSettings, clock: FrameClock, live: bool) -> None:
        self.server = server
        self.settings = settings
        self.clock = clock
        self.live = live
        self.sr = settings.sample_rate
        self.bs = settings.buffer_size
        self.frame = 0
        self.counts = EngineCounts()
        self.latency = round(LIMITER_LOOKAHEAD * self.sr)
        self.scheduler = Scheduler()
        self.inbox: queue.SimpleQueue[Message] = queue.SimpleQueue()
        self.instruments = {name: Instrument(name, settings.voices_of(name)) for name in INSTRUMENTS}
        self._build_master()
        self.xruns: XrunCounter | None = None  # set by the engine process on the JACK backend
        self.midi_in: list = []  # the player's MIDI inputs (rtmidi.MidiIn, no callback): polled once per buffer
        self.midi_out: MidiSender | None = None  # the rig's MIDI out, set by the engine process
        self.notes_out = NotesOut(settings.midi_out_channels)
        self.echo = EchoFilter(settings.echo_window * self.sr)  # in frames, like everything in the callback
        self.thru = ThruKeys(channel=settings.thru_channel)
        self.thru_instrument = ""
        self.held: dict[Key, tuple[Instrument, int, int]] = {}  # key -> (instrument, voice, frame it started)
        self._next_sleep_check = SLEEP_CHECK
        self._panic_until: int | None = None
        self._reopen_at: int | None = None
        self._fx_reopen_at: int | None = None
        self._last_wall: float | None = None
        server.setCallback(self._on_buffer)

    def _build_master(self) -> None:
        s = self.settings
        instruments = list(self.instruments.values())
        dry = pyo.Mix([i.mix for i in instruments], voices=1)
        bus = self._with_effects(dry, instruments) if s.effects else dry
        self.gate = pyo.SigTo(1.0, time=PANIC_FADE)
        gain = 10 ** (s.gain_db / 20.0)
        ceiling = 10 ** (s.ceiling_db / 20.0)
        bus = bus * self.gate * gain
        self.leveller: pyo.Compress | None = None
        self.max_loudness = s.max_loudness_db  # the rig's own cap, which quiet hours lower for a while
        if s.max_loudness_db is not None:  # a gallery's cap: a slow leveller, so the room never gets too loud
            bus = self.leveller = pyo.Compress(bus, thresh=s.max_loudness_db, ratio=LEVELLER_RATIO, risetime=0.15,
                                               falltime=3.0, knee=0.5)
        self.limiter = pyo.Compress(bus, thresh=s.ceiling_db - 3.0, ratio=20, risetime=0.001,
                                    falltime=0.15, lookahead=LIMITER_LOOKAHEAD * 1000, knee=0.3)
        self.ceiling = pyo.Clip(self.limiter, min=-ceiling, max=ceiling)
        self.output = pyo.Mix(self.ceiling, voices=s.channels).out()

    def _with_effects(self, dry: pyo.PyoObject, instruments: list[Instrument]) -> pyo.PyoObject:
        """The dry mix plus a shared reverb and a shared delay, each fed by every instrument's send."""
        to_reverb = pyo.Mix([i.mix * i.reverb_send for i in instruments], voices=1)
        to_delay = pyo.Mix([i.mix * i.delay_send for i in instruments], voices=1)
        self.reverb = pyo.STRev(to_reverb, revtime=2.2, cutoff=6000, bal=1.0, roomSize=0.9)
        self.delay_line = pyo.SmoothDelay(to_delay, delay=DELAY_TIME, feedback=DELAY_FEEDBACK, maxdelay=2.0)
        self.delay = pyo.ButLP(self.delay_line, freq=4000)
        self.fx_gate = pyo.SigTo(1.0, time=PANIC_FADE)  # stays shut after a panic until the tails have died
        return pyo.Mix([dry, pyo.Mix([self.reverb, self.delay], voices=1) * self.fx_gate], voices=1)

    def submit(self, message: Message) -> None:
        """Hand a message to the audio callback (thread-safe, never blocks)."""
        self.inbox.put(message)

    def _on_buffer(self) -> None:
        """Runs in the audio thread before each buffer: keep it short."""
        if self.live:
            self._observe_time()
        self._drain()
        for port in self.midi_in:
            while (message := port.get_message()) is not None:
                if self.midi_out is not None and self.echo.is_echo(message[0], self.frame):
                    self.counts.echoes += 1
                else:
                    self._play_thru(message[0])
        for offset, item in self.scheduler.due(self.frame, self.bs, self._frame_of):
            if isinstance(item, Note):
                self._start(offset, item)
            elif isinstance(item, Thru):
                self.thru_instrument = item.instrument
            elif isinstance(item, Loudness):
                self._set_loudness(item.max_db)
            else:
                self._set_param(item)
        if self.midi_out is not None:
            self._send_midi(self.notes_out.due(self.frame + self.bs))
        if self.frame >= self._next_sleep_check:
            self._next_sleep_check += SLEEP_CHECK
            for instrument in self.instruments.values():
                instrument.sleep_idle(self.frame)
        if self._panic_until is not None and self.frame >= self._panic_until:
            self._finish_panic()
        if self._reopen_at is not None and self.frame >= self._reopen_at:
            self.gate.value, self._reopen_at = 1.0, None
        if self._fx_reopen_at is not None and self.frame >= self._fx_reopen_at:
            self.reverb.reset()  # whatever is left of the tail (below -80 dB by now) goes too
            self.fx_gate.value, self._fx_reopen_at = 1.0, None
        self.frame += self.bs

    def _observe_time(self) -> None:
        now = time.monotonic()
        settled = self.frame > 16 * self.bs  # the first buffers after start-up are irregular on every backend
        if settled and self._last_wall is not None and now - self._last_wall > 1.5 * self.bs / self.sr:
            self.counts.gaps += 1
        self._last_wall = now
        self.clock.observe(now, self.frame)

    def _drain(self) -> None:
        while True:
            try:
                message = self.inbox.get_nowait()
            except queue.Empty:
                return
            if isinstance(message, Note):
                self._accept(message)
            elif isinstance(message, Panic):
                self.panic()
            elif isinstance(message, (Param, Thru, Loudness)):
                self._accept_timed(message)

    def _accept(self, note: Note) -> None:
        """Check a note where it enters: unknown instruments are dropped, wild values clamped and counted."""
        if note.instrument not in self.instruments or not math.isfinite(note.start) or not math.isfinite(
                note.duration):
            self.counts.dropped += 1
            return
        pitch = min(127, max(0, note.pitch))
        velocity = min(127, max(1, note.velocity))
        duration = min(60.0, max(0.005, note.duration))
        if (pitch, velocity, duration) != (note.pitch, note.velocity, note.duration):
            self.counts.clamped += 1
            note = Note(note.start, duration, pitch, velocity, note.instrument, note.voice, note.channel)
        self.scheduler.push(note, note.start)

    def _accept_timed(self, message: Param | Thru | Loudness) -> None:
        """At its time like a note's start, or at the next buffer."""
        at = message.at if message.at > 0 and math.isfinite(message.at) else None
        self.scheduler.push(message, -math.inf if at is None else at)

    def _frame_of(self, t: float) -> int:
        """The frame at which something due at conductor time ``t`` starts: early by the limiter's lookahead."""
        return self.clock.frame_of(t) - self.latency

    def _set_loudness(self, max_db: float) -> None:
        """Quiet hours: a lower cap for the leveller (NaN: the rig's own). A rig without a leveller drops it."""
        if self.leveller is None:
            self.counts.dropped += 1
            return
        self.leveller.thresh = self.max_loudness if math.isnan(max_db) else min(0.0, max(-60.0, max_db))

    def _set_param(self, param: Param) -> None:
        """Unknown instruments or parameters, and NaN, are dropped and counted; values are clamped to range."""
        value = clamp_param(param.instrument, param.name, param.value)
        if value is None:
            self.counts.dropped += 1
            return
        if value != param.value:
            self.counts.clamped += 1
        self.instruments[param.instrument].set(param.name, value)

    def _start(self, offset: int, note: Note) -> None:
        instrument = self.instruments[note.instrument]
        start = self.frame + offset
        end = start + round((note.duration + instrument.release) * self.sr)
        instrument.play(start, end, offset / self.sr, note.pitch, note.velocity, note.duration)
        self.counts.played += 1
        if self.midi_out is not None:
            self._send_midi(self.notes_out.start(note.channel, note.pitch, note.velocity,
                                                 start + round(note.duration * self.sr)))

    def _send_midi(self, messages: list[list[int]]) -> None:
        """Out on the rig's MIDI out now, remembered so that their echoes are not taken for the player's."""
        assert self.midi_out is not None
        for data in messages:
            self.midi_out.send(data)
            self.echo.sent(data, self.frame)
            self.counts.midi_out += 1

    def _play_thru(self, message: list[int]) -> None:
        """A player's MIDI message: key-downs start at once on the thru instrument, key-ups release."""
        for action in self.thru.handle(message):
            if isinstance(action, KeyOn):
                instrument = self.instruments.get(self.thru_instrument)
                if instrument is None:
                    continue
                end = self.frame + round((HOLD_LIMIT + instrument.release) * self.sr)
                voice = instrument.play(self.frame, end, 0.0, action.key[1], action.velocity, HOLD_LIMIT)
                self.held[action.key] = (instrument, voice, self.frame)
                self.counts.thru += 1
            elif action.key in self.held:
                instrument, voice, started = self.held.pop(action.key)
                instrument.release_voice(voice, started, self.frame + round(instrument.release * self.sr))

    def panic(self) -> None:
        """All notes off: close the master gate, forget pending notes, then silence every voice and reopen."""
        self.scheduler.clear()
        if self.midi_out is not None:
            self._send_midi(self.notes_out.all_off())
        self.held.clear()
        self.thru.clear()
        self.gate.value = 0.0
        if self.settings.effects:  # their tails would come back when the gate reopens: keep them shut meanwhile
            self.fx_gate.value = 0.0
            self._fx_reopen_at = self.frame + round(FX_CLEAR * self.sr)
        self._panic_until = self.frame + math.ceil(1.5 * PANIC_FADE * self.sr)
        self._reopen_at = self.frame + math.ceil(PANIC_REOPEN * self.sr)

    def _finish_panic(self) -> None:
        if self.settings.effects:
            self.delay_line.reset()
        for instrument in self.instruments.values():
            instrument.silence()
        self._panic_until = None

    def health(self, cpu: int = -1) -> Health:
        """A snapshot of the engine's counters; ``cpu`` is the process's load as its caller measured it."""
        voices = sum(i.pool.active(self.frame) for i in self.instruments.values())
        return Health(gaps=self.counts.gaps, voices=voices, late=self.scheduler.late, played=self.counts.played,
                      dropped=self.counts.dropped, clamped=self.counts.clamped,
                      xruns=self.xruns.count if self.xruns is not None else -1, cpu=cpu, thru=self.counts.thru,
                      midi_out=self.counts.midi_out, echoes=self.counts.echoes)
