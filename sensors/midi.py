"""MIDI controllers: mido messages onto the bus (pure), and input ports opened by name pattern (I/O).

CC n becomes ``midi/cc/n``, a note becomes ``midi/note/n`` (velocity/127, 0 when released), pitch bend
``midi/bend``, channel pressure ``midi/pressure``."""

from __future__ import annotations

from typing import Callable

import mido

from performer.errors import DeviceError
from performer.events import ControlEvent, Event
from performer.rigfile import MidiConfig
from sensors.midiports import NoMidi, open_inputs


def translate(message: mido.Message, t: float) -> list[Event]:
    """Bus events for one MIDI message received at clock time ``t``."""
    if message.type == "control_change":
        return [ControlEvent(t, f"midi/cc/{message.control}", message.value / 127.0)]
    if message.type == "note_on":
        return [ControlEvent(t, f"midi/note/{message.note}", message.velocity / 127.0)]
    if message.type == "note_off":
        return [ControlEvent(t, f"midi/note/{message.note}", 0.0)]
    if message.type == "pitchwheel":
        return [ControlEvent(t, "midi/bend", (message.pitch + 8192) / 16383.0)]
    if message.type == "aftertouch":
        return [ControlEvent(t, "midi/pressure", message.value / 127.0)]
    return []


def is_key(message: mido.Message) -> bool:
    """Whether a message is a player's key or sustain pedal, which the thru path plays."""
    return message.type in ("note_on", "note_off") or (message.type == "control_change" and message.control == 64)


class MidiInputs:
    """Opens every input port whose name matches one of the rig's patterns. A pattern that matches nothing
    gets one line and the rig goes on without it."""

    def __init__(self, config: MidiConfig, callback: Callable[[mido.Message], None]) -> None:
        try:
            self.ports = open_inputs(config.api.value, [spec.port for spec in config.inputs], callback)
        except NoMidi as err:
            raise DeviceError(str(err)) from err

    def close(self) -> None:
        for port in self.ports:
            port.close()
        self.ports.clear()
