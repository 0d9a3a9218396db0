"""The rig's MIDI ports (I/O), over rtmidi's ALSA or JACK API: inputs found by name pattern and read without
callbacks, and the rig's MIDI out.

rtmidi queues each message in C++ until it is polled, so no Python runs in JACK's process thread. The conductor
polls from a thread of its own and rescans for hot-plugged controllers; the engine polls the same ports from its
audio callback (the thru path), so no other thread in its process wakes for a key-down. ALSA and JACK both let
several readers share a port."""

from __future__ import annotations

import logging
import re
import threading
import time
from typing import Callable

import mido
import rtmidi

from sensors.errors import InputUnavailable

log = logging.getLogger(__name__)

RTMIDI_APIS = {"alsa": rtmidi.API_LINUX_ALSA, "jack": rtmidi.API_UNIX_JACK}


class NoMidi(InputUnavailable):
    """The MIDI system itself (ALSA's sequencer, or a JACK server) is not there."""


class PolledInputs:
    """The rig's inputs as raw rtmidi ports without callbacks, read by ``poll()`` from the caller's own thread
    (so no Python runs in JACK's process thread), and kept in step with the ports that exist by ``rescan()``:
    a controller unplugged is closed, and opened again when it comes back (hot-plug). MIDI clock and its
    transport are dropped unless ``timing`` asks for them (the rig's incoming clock)."""

    def __init__(self, api: str, patterns: list[str], client: str, who: str = "MIDI", hotplug: bool = True,
                 own: str = "", timing: bool = False) -> None:
        self.api, self.patterns, self.client, self.who, self.timing = api, patterns, client, who, timing
        self.own = own  # the name prefix of the rig's own MIDI out, never read back (a feedback loop)
        self.ports: dict[str, rtmidi.MidiIn] = {}
        self._held: dict[str, set[tuple[int, int]]] = {}  # port -> (channel, note) down on it
        self._lost: list[mido.Message] = []  # note-offs for keys a vanished port held, for the next poll
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
        names = [n for n in self._lister.get_ports() if not (self.own and n.startswith(self.own))]
        for name in [n for n in self.ports if n not in names]:
            self.ports.pop(name).close_port()
            held = sorted(self._held.pop(name, set()))
            self._lost += [mido.Message("note_off", channel=channel, note=note) for channel, note in held]
            log.warning("%s: %s went away%s; listening for it to come back", self.who, name,
                        f" with {len(held)} key(s) down, released" if held else "")
        for pattern in self.patterns:
            matches = [n for n in names if re.search(pattern, n, re.IGNORECASE)]
            if not matches and pattern not in self._missing_logged:
                log.warning("%s: no input port matches %r (ports: %s); going on without it", self.who, pattern,
                            ", ".join(names) or "none")
                self._missing_logged.add(pattern)
            for name in [n for n in matches if n not in self.ports]:
                port = rtmidi.MidiIn(RTMIDI_APIS[self.api], self.client)
                port.ignore_types(sysex=True, timing=not self.timing, active_sense=True)
                port.open_port(port.get_ports().index(name), "in")
                self.ports[name] = port
                log.info("%s: listening to %s", self.who, name)

    def poll(self) -> list[mido.Message]:
        """Every message queued since the last poll, oldest first per port, after the note-offs of keys held on
        a port that went away (theirs will never come); malformed bytes are skipped."""
        out, self._lost = self._lost, []
        for name, port in self.ports.items():
            held = self._held.setdefault(name, set())
            while (item := port.get_message()) is not None:
                try:
                    message = mido.Message.from_bytes(item[0])
                except (ValueError, IndexError, TypeError):  # mido's IndexError: a message cut short ([0xE0])
                    continue
                _track(held, message)
                out.append(message)
        return out

    def close(self) -> None:
        for port in self.ports.values():
            port.close_port()
        self.ports.clear()
        if self._lister is not None:
            self._lister.delete()
            self._lister = None


class PollThread:
    """Reads ``inputs`` on a thread of its own: ``read`` every ``POLL`` seconds and a rescan for ports plugged in
    or pulled out every ``RESCAN`` (a rescan that fails, the MIDI system itself gone, is logged and tried again).
    ``close`` stops it and closes the inputs."""

    POLL = 0.002  # seconds between polls: well under a control tick (10 ms) and a MIDI clock (20 ms at 125 bpm)
    RESCAN = 1.0

    def __init__(self, inputs: PolledInputs, read: Callable[[], None], name: str, what: str) -> None:
        self.inputs, self.read, self.what = inputs, read, what
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)

    def start(self) -> PollThread:
        self._thread.start()
        return self

    def _run(self) -> None:
        next_scan = time.monotonic() + self.RESCAN
        while not self._stop.wait(self.POLL):
            self.read()
            if (now := time.monotonic()) >= next_scan:
                next_scan = now + self.RESCAN
                try:
                    self.inputs.rescan()
                except Exception as err:  # the MIDI system itself went away; keep trying
                    log.warning("%s: rescan failed: %s", self.what, err)

    def close(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(1.0)
        self.inputs.close()


def _track(held: set[tuple[int, int]], message: mido.Message) -> None:
    """Keep ``held`` (channel, note) in step with one message."""
    if message.type == "note_on" and message.velocity > 0:
        held.add((message.channel, message.note))
    elif message.type in ("note_on", "note_off"):
        held.discard((message.channel, message.note))


class JackLinks:
    """Keeps a JACK MIDI port of ours joined to every port whose name matches one of ``patterns``: ``link()``
    (each second, from any thread but the audio one) joins those that appeared since, so a controller or a synth
    plugged in later is heard or played without reopening rtmidi ports (closing one under a running pyo deadlocks
    on the GIL). Its own JACK client's calls release the GIL, so the audio callback is never kept waiting."""

    def __init__(self, client: str, ours: str, patterns: list[str], ours_is_input: bool, who: str,
                 exclude: str = "") -> None:
        import jack  # JACK-Client

        self.ours, self.patterns, self.ours_is_input = ours, patterns, ours_is_input
        self.who, self.exclude = who, exclude
        self.client = jack.Client(client, no_start_server=True)
        self._missing: set[str] = set()  # patterns logged as matching nothing, until they do
        self._joined: set[str] = set()  # what was joined at the last look

    def link(self) -> bool:
        """Join the ports that appeared since the last look; whether one that was joined has gone."""
        ports = [p.name for p in self.client.get_ports(is_midi=True, is_output=self.ours_is_input,
                                                       is_input=not self.ours_is_input)
                 if p.name != self.ours and not (self.exclude and p.name.startswith(self.exclude))]
        linked = {p.name for p in self.client.get_all_connections(self.ours)}
        gone = self._joined - linked
        for name in sorted(gone):
            log.warning("%s: %s went away; joining it again when it comes back", self.who, name)
        for pattern in self.patterns:
            matches = [name for name in ports if re.search(pattern, name, re.IGNORECASE)]
            if not matches and pattern not in self._missing:
                log.warning("%s: no port matches %r yet; joining it when one appears", self.who, pattern)
                self._missing.add(pattern)
            for name in [n for n in matches if n not in linked]:
                source, destination = (name, self.ours) if self.ours_is_input else (self.ours, name)
                self.client.connect(source, destination)
                linked.add(name)
                self._missing.discard(pattern)
                log.info("%s: joined %s", self.who, name)
        self._joined = linked
        return bool(gone)

    def close(self) -> None:
        self.client.close()


class ThruPorts:
    """The player's inputs for the engine's thru path, without callbacks: the audio callback polls ``ports``.
    On JACK, one port of our own (``CLIENT:in``) joined to every matching source, and rejoined by ``link()`` when
    a controller comes back; on ALSA, the matching ports opened once at start."""

    def __init__(self, api: str, patterns: list[str], client: str, own: str = "") -> None:
        self.links: JackLinks | None = None
        self._polled: PolledInputs | None = None
        if api != "jack":
            self._polled = PolledInputs(api, patterns, client, who="engine thru", hotplug=False, own=own)
            self.ports = list(self._polled.ports.values())
            return
        try:
            port = rtmidi.MidiIn(RTMIDI_APIS[api], client)
        except Exception as err:
            raise NoMidi(f"engine thru ({api}): no MIDI system available: {err}") from err
        port.ignore_types(sysex=True, timing=True, active_sense=True)
        port.open_virtual_port("in")
        self.ports = [port]
        self.links = JackLinks(f"{client}-link", f"{client}:in", patterns, ours_is_input=True, who="engine thru",
                               exclude=own)
        self.link()

    def link(self) -> bool:
        """Join the sources that appeared since (JACK only); whether one went away (its keys must be released)."""
        return self.links.link() if self.links is not None else False

    def close(self) -> None:
        """Close the ports (after the audio has stopped: closing waits for the JACK cycle)."""
        if self._polled is not None:
            self._polled.close()
        if self.links is not None:
            for port in self.ports:
                port.close_port()
            self.links.close()


class MidiOut:
    """The rig's MIDI out: a port of its own (``CLIENT:out`` on JACK) that the engine writes note bytes to, joined
    to every destination whose name matches ``pattern`` (on JACK also those plugged in later: ``link()``). On ALSA
    the first match is opened at start, and a virtual port otherwise."""

    def __init__(self, api: str, client: str, pattern: str = "") -> None:
        try:
            self.port = rtmidi.MidiOut(RTMIDI_APIS[api], client)
        except Exception as err:
            raise NoMidi(f"MIDI out ({api}): no MIDI system available: {err}") from err
        self.name = f"{client}:out"
        self.links: JackLinks | None = None
        names = self.port.get_ports()
        matches = [n for n in names if pattern and re.search(pattern, n, re.IGNORECASE)]
        if api == "alsa" and matches:
            self.port.open_port(names.index(matches[0]), "out")
            log.info("MIDI out: sending to %s", matches[0])
            return
        self.port.open_virtual_port("out")
        if api == "jack" and pattern:
            self.links = JackLinks(f"{client}-link", self.name, [pattern], ours_is_input=False, who="MIDI out")
            self.link()
        elif pattern:
            log.warning("MIDI out: no output port matches %r (ports: %s); others may connect to %s", pattern,
                        ", ".join(names) or "none", self.name)

    def send(self, data: list[int]) -> None:
        """Send one message's bytes now (rtmidi queues it; on JACK it goes out in the next cycle)."""
        self.port.send_message(data)

    def link(self) -> bool:
        """Join the destinations that appeared since (JACK only). A destination going away holds no key: False."""
        if self.links is not None:
            self.links.link()
        return False

    def close(self) -> None:
        """Close the port (after the audio has stopped: closing waits for the JACK cycle)."""
        self.port.close_port()
        if self.links is not None:
            self.links.close()
