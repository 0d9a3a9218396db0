"""The engine: instruments, the master chain, the thru player and the MIDI out, driven by the per-buffer scheduler
callback. The same class runs live (JACK, PortAudio) and offline."""

from __future__ import annotations

import logging
import math
import queue
import time
from typing import Sequence

import pyo

from synthesis.catalog import INSTRUMENTS, clamp_param
from synthesis.counts import EngineCounts
from synthesis.held import HeldNotes
from synthesis.instruments import Instrument
from synthesis.master import LIMITER_LOOKAHEAD, MasterChain
from synthesis.midiout import MidiOutput, MidiSender
from synthesis.protocol import Clock, Cut, Health, Loudness, Message, Note, Panic, Param, Thru
from synthesis.scheduler import FrameClock, Scheduler
from synthesis.settings import AudioSettings
from synthesis.thru import KeysLost
from synthesis.thruplayer import MidiSource, ThruPlayer
from synthesis.xruns import XrunCounter

log = logging.getLogger(__name__)

SLEEP_CHECK = 4096  # frames between looks for voices that have fallen silent


class Engine:
    """Owns the instruments and the parts around them. Messages arrive through ``submit`` from any thread; the
    audio callback applies them. Constructed whole: its MIDI devices and xrun counter are passed in."""

    def __init__(self, server: pyo.Server, settings: AudioSettings, clock: FrameClock, live: bool,
                 midi_in: Sequence[MidiSource] = (), midi_out: MidiSender | None = None,
                 xruns: XrunCounter | None = None) -> None:
        self.server, self.settings, self.clock, self.live = server, settings, clock, live
        self.sr, self.bs = settings.sample_rate, settings.buffer_size
        self.frame = 0
        self.counts = EngineCounts()
        self.latency = round(LIMITER_LOOKAHEAD * self.sr)
        self.scheduler = Scheduler()
        self.held = HeldNotes()
        self.inbox: queue.SimpleQueue[Message | KeysLost] = queue.SimpleQueue()
        self.instruments = {name: Instrument(name, settings.voices_of(name)) for name in INSTRUMENTS}
        self.master = MasterChain(list(self.instruments.values()), settings)
        self.xruns = xruns  # JACK's xrun count, on the JACK backend
        self.midi_out = None if midi_out is None else MidiOutput(
            midi_out, settings.midi_out_channels, settings.echo_window * self.sr, self.counts)  # frames, as all here
        self.thru = ThruPlayer(self.instruments, midi_in, settings.thru_channel, self.sr, self.counts,
                               is_echo=self.midi_out.is_echo if self.midi_out is not None else None)
        self._next_sleep_check = SLEEP_CHECK
        self._last_wall: float | None = None
        server.setCallback(self._on_buffer)

    def submit(self, message: Message | KeysLost) -> None:
        """Hand a message to the audio callback (thread-safe, never blocks)."""
        self.inbox.put(message)

    def _on_buffer(self) -> None:
        """Runs in the audio thread before each buffer: keep it short."""
        if self.live:
            self._observe_time()
        self._drain()
        self.thru.poll(self.frame)
        if self.midi_out is not None:
            self.midi_out.send_clock(self.frame + self.bs, self._frame_of)
        for offset, item in self.scheduler.due(self.frame, self.bs, self._frame_of):
            if isinstance(item, Note):
                self._start(offset, item)
            elif isinstance(item, Thru):
                self.thru.instrument = item.instrument
            elif isinstance(item, Cut):
                self._cut(item.voice)
            elif isinstance(item, Loudness):
                self._set_loudness(item.max_db)
            else:
                self._set_param(item)
        if self.midi_out is not None:
            self.midi_out.flush(self.frame + self.bs, self.frame)
        if self.frame >= self._next_sleep_check:
            self._next_sleep_check += SLEEP_CHECK
            for instrument in self.instruments.values():
                instrument.sleep_idle(self.frame)
        self.master.step(self.frame)
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
            elif isinstance(message, (Param, Thru, Loudness, Cut)):
                self._accept_timed(message)
            elif isinstance(message, KeysLost):
                self.thru.release_all(self.frame)
            elif isinstance(message, Clock) and self.midi_out is not None:
                self.counts.dropped += not self.midi_out.plan_clock(message)

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
        if self.live:
            self.counts.arrived(self._frame_of(note.start) - self.frame, self.sr)
        self.scheduler.push(note, note.start)

    def _accept_timed(self, message: Param | Thru | Loudness | Cut) -> None:
        """At its time like a note's start, or at the next buffer."""
        at = message.at if message.at > 0 and math.isfinite(message.at) else None
        self.scheduler.push(message, -math.inf if at is None else at)

    def _frame_of(self, t: float) -> int:
        """The frame at which something due at conductor time ``t`` starts: early by the limiter's lookahead."""
        return self.clock.frame_of(t) - self.latency

    def _set_loudness(self, max_db: float) -> None:
        """Quiet hours: a lower cap for the leveller (NaN: the rig's own). A rig without a leveller drops it."""
        if not self.master.set_loudness(max_db):
            self.counts.dropped += 1

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
        index = instrument.play(start, end, offset / self.sr, note.pitch, note.velocity, note.duration)
        self.held.add(note.voice, note.instrument, index, start, start + round(note.duration * self.sr), self.frame)
        self.counts.played += 1
        if self.midi_out is not None:
            self.midi_out.start(note.channel, note.pitch, note.velocity, start + round(note.duration * self.sr),
                                self.frame)

    def _cut(self, voice: str) -> None:
        """Release the voice's held notes now, each over its instrument's release (MIDI out keeps its note-offs)."""
        for name, index, started in self.held.cut(voice, self.frame):
            instrument = self.instruments[name]
            instrument.release_voice(index, started, self.frame + round(instrument.release * self.sr))

    def panic(self) -> None:
        """All notes off: forget pending notes and held keys, end what went out as MIDI, close the master gate;
        the master chain then silences every voice and reopens."""
        self.scheduler.clear()
        self.held.clear()
        if self.midi_out is not None:
            self.midi_out.all_off(self.frame)
        self.thru.clear()
        self.master.panic(self.frame)

    def health(self, cpu: int = -1) -> Health:
        """A snapshot of the engine's counters; ``cpu`` is the process's load as its caller measured it."""
        voices = sum(i.pool.active(self.frame) for i in self.instruments.values())
        return Health(gaps=self.counts.gaps, voices=voices, late=self.scheduler.late, played=self.counts.played,
                      dropped=self.counts.dropped, clamped=self.counts.clamped,
                      xruns=self.xruns.count if self.xruns is not None else -1, cpu=cpu, thru=self.counts.thru,
                      midi_out=self.counts.midi_out, echoes=self.counts.echoes, margin_us=self.counts.margin_us,
                      peak_cdb=self.master.peak_cdb())
