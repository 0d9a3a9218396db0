"""The rig's MIDI input ports, found by name pattern (I/O), over rtmidi's ALSA or JACK API, without callbacks.

rtmidi queues each message in C++ until it is polled, so no Python runs in JACK's process thread. The conductor
polls from a thread of its own and rescans for hot-plugged controllers; the engine polls the same ports from its
audio callback (the thru path), so no other thread in its process wakes for a key-down. ALSA and JACK both let
several readers share a port."""

from __future__ import annotations

import logging
import re

import mido
import rtmidi

log = logging.getLogger(__name__)

RTMIDI_APIS = {"alsa": rtmidi.API_LINUX_ALSA, "jack": rtmidi.API_UNIX_JACK}


class NoMidi(OSError):
    """The MIDI system itself (ALSA's sequencer, or a JACK server) is not there."""


class PolledInputs:
    """The rig's inputs as raw rtmidi ports without callbacks, read by ``poll()`` from the caller's own thread
    (so no Python runs in JACK's process thread), and kept in step with the ports that exist by ``rescan()``:
    a controller unplugged is closed, and opened again when it comes back (hot-plug)."""

    def __init__(self, api: str, patterns: list[str], client: str, who: str = "MIDI", hotplug: bool = True) -> None:
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
            if not hotplug:  # on JACK the lister is a client of its own: keep none that only idles
                self._lister.delete()
                self._lister = None

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
