"""The conductor's half of feedback suppression: what the engine's MIDI out will send for the notes the conductor
schedules, so that the conductor's own MIDI inputs drop those messages when they come back (see
synthesis/midiecho.py). The engine knows exactly when it sent each one; the conductor expects them at the notes'
start and end, which is where the engine sends them, within a buffer."""

from __future__ import annotations

import threading
from typing import Callable, Sequence

from performer.config.rig import MidiOutputConfig
from synthesis.midiecho import EchoFilter
from synthesis.midiout import NotesOut, note_off
from synthesis.protocol import Note


class ExpectedEchoes:
    """Thread-safe: the conductor's loop adds the notes it sends, the MIDI input thread asks about what it hears."""

    def __init__(self, config: MidiOutputConfig, now: Callable[[], float]) -> None:
        self.now = now  # the conductor's clock: a note sent after its start is played (and sent out) at once
        self.notes = NotesOut(tuple(config.channels))
        self.filter = EchoFilter(config.echo_window_ms / 1000.0)
        self._lock = threading.Lock()

    def scheduled(self, note: Note) -> None:
        """``note`` went to the engine: expect its note-on (and any retrigger) at its start, its note-off at its end."""
        start = max(note.start, self.now())
        with self._lock:
            self.notes.due(start)  # notes ended by then: their note-offs are expected already
            for data in self.notes.start(note.channel, note.pitch, note.velocity, start + note.duration):
                self.filter.sent(data, start)
            if self.notes.sends(note.channel):
                self.filter.sent(note_off(note.channel, note.pitch), start + note.duration)

    def is_echo(self, data: Sequence[int], t: float) -> bool:
        """Whether a message heard at ``t`` is one the engine sent out (it is then dropped)."""
        with self._lock:
            return self.filter.is_echo(data, t)

    @property
    def count(self) -> int:
        return self.filter.echoes
