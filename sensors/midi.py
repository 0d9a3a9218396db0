"""MIDI controllers: mido messages onto the bus (pure), and input ports opened by name pattern (I/O).

CC n becomes ``midi/cc/n``, a note becomes ``midi/note/n`` (velocity/127, 0 when released), pitch bend
``midi/bend``, channel pressure ``midi/pressure``."""

from __future__ import annotations

import logging
import re
from typing import Callable

import mido

from performer.errors import DeviceError
from performer.events import ControlEvent, Event
from performer.rigfile import MidiApi, MidiConfig

log = logging.getLogger(__name__)

BACKENDS = {MidiApi.alsa: "mido.backends.rtmidi/LINUX_ALSA", MidiApi.jack: "mido.backends.rtmidi/UNIX_JACK"}


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


class MidiInputs:
    """Opens every input port whose name matches one of the rig's patterns. A pattern that matches nothing
    gets one line and the rig goes on without it."""

    def __init__(self, config: MidiConfig, callback: Callable[[mido.Message], None]) -> None:
        self.ports: list[mido.ports.BaseInput] = []
        if not config.inputs:
            return
        backend = mido.Backend(BACKENDS[config.api], load=True)
        try:
            names = backend.get_input_names()
        except Exception as err:  # rtmidi raises its own SystemError subclasses when the API is unavailable
            raise DeviceError(f"MIDI ({config.api.value}): no MIDI system available: {err}") from err
        for spec in config.inputs:
            matches = [n for n in names if re.search(spec.port, n, re.IGNORECASE)]
            if not matches:
                log.warning("MIDI: no input port matches %r (ports: %s); going on without it", spec.port,
                            ", ".join(names) or "none")
            for name in matches:
                # No client_name: mido would then open a virtual port instead of connecting to this one.
                self.ports.append(backend.open_input(name, callback=callback))
                log.info("MIDI: listening to %s", name)

    def close(self) -> None:
        for port in self.ports:
            port.close()
        self.ports.clear()
