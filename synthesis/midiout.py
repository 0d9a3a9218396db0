"""The rig's MIDI out: which note-on and note-off bytes go out when, for notes on the voices' MIDI channels, so an
external synth or a DAW plays along (``NotesOut``, pure), and the sending from the audio callback, each message
remembered so that its echo is recognised (``MidiOutput``, with the port passed in).

A note that starts while the same key still sounds on its channel first ends the older one (MIDI has one state
per key and channel), and the older note's own note-off is then skipped, so a key is never cut short twice."""

from __future__ import annotations

import heapq
from typing import Protocol

from synthesis.clockout import ClockOut, FrameOf, Segment
from synthesis.counts import EngineCounts
from synthesis.midiecho import EchoFilter
from synthesis.protocol import Clock

NOTE_OFF, NOTE_ON, CONTROL = 0x80, 0x90, 0xB0
ALL_NOTES_OFF = 123  # the controller number that ends every note on a channel


class MidiSender(Protocol):
    """Where the bytes go: the rig's MIDI out port live (sensors.midiports.MidiOut), a list in tests."""

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


class MidiOutput:
    """The rig's MIDI out as the audio callback drives it: the bytes of each note as it starts and ends go to
    ``sender`` at once, and each is remembered (``echo``) so that hearing it back is not taken for the player.
    The MIDI clock (``clock``) goes out on the same port, in the buffer each clock falls in; inputs never read
    clock messages, so they are not remembered."""

    def __init__(self, sender: MidiSender, channels: tuple[int, ...], echo_window: float,
                 counts: EngineCounts) -> None:
        self.sender, self.counts = sender, counts
        self.notes = NotesOut(channels)
        self.echo = EchoFilter(echo_window)  # in the caller's unit of time (the engine's: frames)
        self.clock = ClockOut()

    def start(self, channel: int, pitch: int, velocity: int, end: float, now: float) -> None:
        """A note on ``channel`` starts ``now`` and ends at ``end``."""
        self._send(self.notes.start(channel, pitch, velocity, end), now)

    def flush(self, until: float, now: float) -> None:
        """The note-offs due before ``until``."""
        self._send(self.notes.due(until), now)

    def all_off(self, now: float) -> None:
        """Every sounding key off, then all-notes-off on each channel used (a panic, the engine stopping)."""
        self._send(self.notes.all_off(), now)

    def plan_clock(self, clock: Clock) -> bool:
        """A segment of the clock's tempo map; False for one no tempo map can hold (dropped)."""
        segment = Segment.of(clock)
        if segment is not None:
            self.clock.plan(segment)
        return segment is not None

    def send_clock(self, end: int, frame_of: FrameOf) -> None:
        """The clock messages that fall before frame ``end``."""
        for data in self.clock.due(end, frame_of):
            self.sender.send(data)
            self.counts.midi_out += 1

    def is_echo(self, data: list[int], now: float) -> bool:
        """Whether a message heard on an input ``now`` is one of ours coming back."""
        return self.echo.is_echo(data, now)

    def _send(self, messages: list[list[int]], now: float) -> None:
        for data in messages:
            self.sender.send(data)
            self.echo.sent(data, now)
            self.counts.midi_out += 1
