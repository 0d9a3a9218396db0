"""Opening MIDI input ports by name pattern (I/O), over rtmidi's ALSA or JACK API.

The conductor opens the rig's inputs through mido, with a callback (controls, and the player's notes for the
model). The engine opens the same ports raw and polls them from its audio callback: no Python thread has to wake
for a key-down to sound, and nothing else in the engine's process competes for the GIL. ALSA and JACK both let
several readers share a port."""

from __future__ import annotations

import logging
import re
from typing import Callable

import mido
import rtmidi

log = logging.getLogger(__name__)

MIDO_BACKENDS = {"alsa": "mido.backends.rtmidi/LINUX_ALSA", "jack": "mido.backends.rtmidi/UNIX_JACK"}
RTMIDI_APIS = {"alsa": rtmidi.API_LINUX_ALSA, "jack": rtmidi.API_UNIX_JACK}


class NoMidi(OSError):
    """The MIDI system itself (ALSA's sequencer, or a JACK server) is not there."""


def matching(names: list[str], patterns: list[str], who: str) -> list[str]:
    """The port names that match any pattern (regular expressions, case-insensitive), in order; a pattern that
    matches nothing gets one line."""
    found: list[str] = []
    for pattern in patterns:
        matches = [n for n in names if re.search(pattern, n, re.IGNORECASE)]
        if not matches:
            log.warning("%s: no input port matches %r (ports: %s); going on without it", who, pattern,
                        ", ".join(names) or "none")
        found += [n for n in matches if n not in found]
    return found


def open_inputs(api: str, patterns: list[str], callback: Callable[[mido.Message], None],
                who: str = "MIDI") -> list[mido.ports.BaseInput]:
    """mido input ports, with ``callback`` called from rtmidi's thread for every message."""
    if not patterns:
        return []
    backend = mido.Backend(MIDO_BACKENDS[api], load=True)
    try:
        names = backend.get_input_names()
    except Exception as err:  # rtmidi raises its own SystemError subclasses when the API is unavailable
        raise NoMidi(f"{who} ({api}): no MIDI system available: {err}") from err
    ports = []
    for name in matching(names, patterns, who):
        # No client_name: mido would then open a virtual port instead of connecting to this one.
        ports.append(backend.open_input(name, callback=callback))
        log.info("%s: listening to %s", who, name)
    return ports


def open_polled(api: str, patterns: list[str], client: str, who: str = "MIDI") -> list[rtmidi.MidiIn]:
    """Raw rtmidi inputs without a callback: rtmidi queues each message in C++ until ``get_message()``."""
    if not patterns:
        return []
    try:
        lister = rtmidi.MidiIn(RTMIDI_APIS[api], client)
    except Exception as err:
        raise NoMidi(f"{who} ({api}): no MIDI system available: {err}") from err
    names = lister.get_ports()
    lister.delete()  # on JACK every MidiIn is a client of its own: keep only those that listen
    ports = []
    for name in matching(names, patterns, who):
        port = rtmidi.MidiIn(RTMIDI_APIS[api], client)
        port.open_port(port.get_ports().index(name), "thru")
        ports.append(port)
        log.info("%s: listening to %s", who, name)
    return ports


class PolledInputs:
    """The rig's inputs as raw rtmidi ports without callbacks, read by ``poll()`` from the caller's own thread
    (so no Python runs in JACK's process thread), and kept in step with the ports that exist by ``rescan()``:
    a controller unplugged is closed, and opened again when it comes back (hot-plug)."""

    def __init__(self, api: str, patterns: list[str], client: str, who: str = "MIDI") -> None:
        self.api, self.patterns, self.client, self.who = api, patterns, client, who
        self.ports: dict[str, rtmidi.MidiIn] = {}
        self._lister: rtmidi.MidiIn | None = None
        self._missing_logged: set[str] = set()
        if patterns:
            try:
                self._lister = rtmidi.MidiIn(RTMIDI_APIS[api], f"{client}-list")
            except Exception as err:
                raise NoMidi(f"{who} ({api}): no MIDI system available: {err}") from err
            self.rescan()

    def rescan(self) -> None:
        """Open ports that appeared, close ports that went away."""
        if self._lister is None:
            return
        names = self._lister.get_ports()
        for name in [n for n in self.ports if n not in names]:
            self.ports.pop(name).close_port()
            log.warning("%s: %s went away; listening for it to come back", self.who, name)
        for pattern in self.patterns:
            matches = [n for n in names if re.search(pattern, n, re.IGNORECASE)]
            if not matches and pattern not in self._missing_logged:
                log.warning("%s: no input port matches %r (ports: %s); going on without it", self.who, pattern,
                            ", ".join(names) or "none")
                self._missing_logged.add(pattern)
            for name in [n for n in matches if n not in self.ports]:
                port = rtmidi.MidiIn(RTMIDI_APIS[self.api], self.client)
                port.ignore_types(sysex=True, timing=True, active_sense=True)
                port.open_port(port.get_ports().index(name), "in")
                self.ports[name] = port
                log.info("%s: listening to %s", self.who, name)

    def poll(self) -> list[mido.Message]:
        """Every message queued since the last poll, oldest first per port; malformed bytes are skipped."""
        out = []
        for port in self.ports.values():
            while (item := port.get_message()) is not None:
                try:
                    out.append(mido.Message.from_bytes(item[0]))
                except ValueError:
                    continue
        return out

    def close(self) -> None:
        for port in self.ports.values():
            port.close_port()
        self.ports.clear()
        if self._lister is not None:
            self._lister.delete()
            self._lister = None
