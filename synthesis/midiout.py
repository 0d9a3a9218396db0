"""The rig's MIDI out, as pure logic: which note-on and note-off bytes go out when, for notes on the voices'
MIDI channels, so an external synth or a DAW plays along. The engine sends the bytes from its audio callback.

A note that starts while the same key still sounds on its channel first ends the older one (MIDI has one state
per key and channel), and the older note's own note-off is then skipped, so a key is never cut short twice."""

from __future__ import annotations

import heapq
from typing import Protocol

NOTE_OFF, NOTE_ON, CONTROL = 0x80, 0x90, 0xB0
ALL_NOTES_OFF = 123  # the controller number that ends every note on a channel


class MidiSender(Protocol):
    """Where the bytes go: sensors.midiports.MidiOut live, a list in tests."""

    def send(self, data: list[int]) -> None: ...


def note_on(channel: int, pitch: int, velocity: int) -> list[int]:
    """Note-on bytes; ``channel`` is 1-16, as players count."""
    return [NOTE_ON | (channel - 1), pitch, velocity]


def note_off(channel: int, pitch: int) -> list[int]:
    """Note-off bytes, velocity 0."""
    return [NOTE_OFF | (channel - 1), pitch, 0]


def all_notes_off(channels: tuple[int, ...] | list[int]) -> list[list[int]]:
    """All-notes-off (CC 123) on each channel."""
    return [[CONTROL | (channel - 1), ALL_NOTES_OFF, 0] for channel in sorted(channels)]


class NotesOut:
    """Sounding keys and their pending note-offs. Times are in any unit that grows (the engine uses frames)."""

    def __init__(self, channels: tuple[int, ...] = ()) -> None:
        self.channels = frozenset(channels)  # the voices' channels sent out; empty: every channel
        self.sounding: dict[tuple[int, int], float] = {}  # (channel, pitch) -> when its note-off is due
        self._offs: list[tuple[float, int, int]] = []  # heap of (due, channel, pitch)
        self.used: set[int] = set()  # channels a note has gone out on: where all-notes-off is sent

    def sends(self, channel: int) -> bool:
        """Whether notes on ``channel`` go out."""
        return not self.channels or channel in self.channels

    def start(self, channel: int, pitch: int, velocity: int, end: float) -> list[list[int]]:
        """The bytes to send now for a note that starts now and ends at ``end``."""
        if not self.sends(channel):
            return []
        key = (channel, pitch)
        out = [note_off(channel, pitch)] if key in self.sounding else []
        self.sounding[key] = end
        heapq.heappush(self._offs, (end, channel, pitch))
        self.used.add(channel)
        return out + [note_on(channel, pitch, velocity)]

    def due(self, until: float) -> list[list[int]]:
        """Note-offs due before ``until``, skipping those of notes a later one already ended."""
        out = []
        while self._offs and self._offs[0][0] < until:
            end, channel, pitch = heapq.heappop(self._offs)
            if self.sounding.get((channel, pitch)) == end:
                del self.sounding[(channel, pitch)]
                out.append(note_off(channel, pitch))
        return out

    def all_off(self) -> list[list[int]]:
        """A note-off for every sounding key, then all-notes-off on every channel used: nothing left hanging."""
        out = [note_off(channel, pitch) for channel, pitch in sorted(self.sounding)]
        out += all_notes_off(sorted(self.used))
        self.sounding.clear()
        self._offs.clear()
        return out
