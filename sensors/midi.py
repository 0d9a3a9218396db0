"""MIDI controllers: messages onto the bus (pure), and the rig's input ports, polled and hot-plugged (I/O).

CC n becomes ``midi/cc/n``; a 14-bit pair (CC n < 32 then its LSB, CC n + 32) also ``midi/cc14/n``; a note
``midi/note/n`` (velocity/127, 0 when released); pitch bend ``midi/bend``; channel pressure ``midi/pressure`` and
polyphonic pressure ``midi/pressure/n``; a program change selects scene n (a cue ``#n``)."""

from __future__ import annotations

import logging
from typing import Callable

import mido

from sensors.cues import numbered
from sensors.events import ControlEvent, CueEvent, Event
from sensors.midiports import PolledInputs, PollThread

log = logging.getLogger(__name__)



def source_of(message: mido.Message) -> str | None:
    """The control a message comes from, as MIDI learn names it: ``cc/74``, ``note/60``, ``bend``, ``pressure``."""
    if message.type == "control_change":
        return f"cc/{message.control}"
    if message.type == "note_on" and message.velocity > 0:
        return f"note/{message.note}"
    return {"pitchwheel": "bend", "aftertouch": "pressure"}.get(message.type)


class MidiTranslator:
    """Bus events for MIDI messages. It remembers each controller's last MSB (CC 0-31) to pair 14-bit values,
    and also publishes a learned control under its learned name (``learned``: source -> signal)."""

    def __init__(self, learned: dict[str, str] | None = None) -> None:
        self._msb: dict[tuple[int, int], int] = {}
        self._names = {source: signal for signal, source in (learned or {}).items()}

    def events(self, message: mido.Message, t: float) -> list[Event]:
        """Bus events for one message received at clock time ``t``."""
        events = self._events(message, t)
        if self._names and (source := source_of(message) or _released(message)) in self._names:
            first = events[0]
            if isinstance(first, ControlEvent):
                events.append(ControlEvent(t, self._names[source], first.value))
        return events

    def _events(self, message: mido.Message, t: float) -> list[Event]:
        kind = message.type
        if kind == "control_change":
            return self._control(message, t)
        if kind in ("note_on", "note_off"):
            velocity = message.velocity if kind == "note_on" else 0
            return [ControlEvent(t, f"midi/note/{message.note}", velocity / 127.0)]
        if kind == "pitchwheel":
            return [ControlEvent(t, "midi/bend", (message.pitch + 8192) / 16383.0)]
        if kind == "aftertouch":
            return [ControlEvent(t, "midi/pressure", message.value / 127.0)]
        if kind == "polytouch":
            return [ControlEvent(t, f"midi/pressure/{message.note}", message.value / 127.0)]
        if kind == "program_change":
            return [CueEvent(t, numbered(message.program))]
        return []

    def _control(self, message: mido.Message, t: float) -> list[Event]:
        number, value = message.control, message.value
        out: list[Event] = [ControlEvent(t, f"midi/cc/{number}", value / 127.0)]
        if number < 32:
            self._msb[(message.channel, number)] = value
        elif number < 64 and (message.channel, number - 32) in self._msb:
            msb = self._msb[(message.channel, number - 32)]
            out.append(ControlEvent(t, f"midi/cc14/{number - 32}", ((msb << 7) | value) / 16383.0))
        return out


def _released(message: mido.Message) -> str | None:
    """A note's source when it is released, so a learned key goes back to 0."""
    return f"note/{message.note}" if message.type in ("note_on", "note_off") else None


def is_key(message: mido.Message) -> bool:
    """Whether a message is a player's key or sustain pedal, which the thru path plays."""
    return message.type in ("note_on", "note_off") or (message.type == "control_change" and message.control == 64)


class MidiInputs:
    """The rig's MIDI inputs, found by name pattern, polled by a thread of their own, and reconnected when a
    controller comes back. A pattern that matches nothing gets one line and the rig goes on without it; a
    message the callback fails on is logged and counted (``failed``), and the thread reads on.

    Raises ``NoMidi`` (an ``InputUnavailable``) when there is no MIDI system at all."""

    def __init__(self, api: str, patterns: list[str], callback: Callable[[mido.Message], None],
                 client: str = "performer", own: str = "") -> None:
        self.inputs = PolledInputs(api, patterns, client, own=own)
        self.callback = callback
        self.failed = 0  # messages the callback raised on
        self._thread = PollThread(self.inputs, self._read, "midi-in", "MIDI")
        if patterns:
            self._thread.start()

    def _read(self) -> None:
        for message in self.inputs.poll():
            self._deliver(message)

    def _deliver(self, message: mido.Message) -> None:
        try:
            self.callback(message)
        except Exception:  # one bad message must not end the input thread
            self.failed += 1
            if self.failed == 1 or self.failed % 1000 == 0:
                log.exception("MIDI: %d message(s) could not be handled; latest: %s", self.failed, message)

    def close(self) -> None:
        self._thread.close()
