"""The engine process's loop: it boots pyo, then its main thread only receives OSC datagrams and hands them to
the audio callback; it runs no heavy Python, so pyo's callback never waits for the GIL.

The MIDI devices it plays through and sends to are opened by whoever starts it and passed in (``EngineDevices``),
so this package needs no MIDI backend of its own. On SIGTERM or SIGINT it stops the MIDI clock and closes the
master gate (all notes off), then stops the server."""

from __future__ import annotations

import logging
import signal
import socket
import time
from dataclasses import dataclass, field
from typing import Callable, Protocol

from synthesis.engine import Engine, MidiSource
from synthesis.midiout import MidiSender, all_notes_off
from synthesis.protocol import Clock, ClockMode, Health, Panic, decode
from synthesis.scheduler import FrameClock
from synthesis.server import make_server
from synthesis.settings import AudioSettings, EngineSettings
from synthesis.thru import KeysLost
from synthesis.xruns import open_counter

log = logging.getLogger("synthesis")

HEALTH_PERIOD = 1.0


class Linked(Protocol):
    """MIDI ports that join devices plugged in later (``link``, each second) and close after the audio stops."""

    def link(self) -> bool:
        """Join what appeared since; whether a source it reads went away (its held keys must be released)."""

    def close(self) -> None: ...


class MidiOutPort(MidiSender, Linked, Protocol):
    """The rig's MIDI out as the engine uses it."""


@dataclass
class EngineDevices:
    """The engine's MIDI devices: the player's inputs for the thru path, polled by the audio callback, and the
    rig's MIDI out. ``linked`` are the objects to re-link each second and close at the end."""

    midi_in: list[MidiSource] = field(default_factory=list)
    midi_out: MidiOutPort | None = None
    linked: list[Linked] = field(default_factory=list)


DeviceOpener = Callable[[AudioSettings], EngineDevices]


class EngineProcess:
    """The receive loop: datagrams in, messages to the engine, health out once a second."""

    def __init__(self, engine: Engine, sock: socket.socket, health_to: tuple[str, int] | None,
                 linked: list[Linked]) -> None:
        self.engine = engine
        self.linked = linked  # MIDI ports that join devices plugged in later
        self.sock = sock
        self.health_to = health_to
        self.malformed = 0
        self.stopping = False
        self._cpu_mark = (time.monotonic(), time.process_time())

    def serve(self) -> None:
        next_health = time.monotonic()
        self.sock.settimeout(0.1)
        while not self.stopping:
            try:
                dgram = self.sock.recv(65536)
            except socket.timeout:
                dgram = b""
            except InterruptedError:
                continue
            if dgram:
                self._handle(dgram)
            if time.monotonic() >= next_health:
                next_health += HEALTH_PERIOD
                self._each_second()

    def _each_second(self) -> None:
        """Health to the conductor, and the MIDI ports joined to devices plugged in since."""
        if self.health_to:
            self._send_health(self.engine.health(cpu=self._cpu_percent()), self.health_to)
        for ports in self.linked:
            try:
                if ports.link():
                    self.engine.submit(KeysLost())
            except Exception as err:  # the JACK server is going away; the audio side will say so
                log.warning("engine: MIDI: %s", err)

    def _handle(self, dgram: bytes) -> None:
        try:
            message = decode(dgram)
        except ValueError as err:
            self.malformed += 1
            if self.malformed == 1 or self.malformed % 1000 == 0:
                log.warning("engine: dropped %d bad packet(s); latest: %s", self.malformed, err)
            return
        if not isinstance(message, Health):
            self.engine.submit(message)

    def _cpu_percent(self) -> int:
        """CPU time of the whole process (audio thread included) per wall second since the last report, in %."""
        now, used = time.monotonic(), time.process_time()
        last_now, last_used = self._cpu_mark
        self._cpu_mark = (now, used)
        return round(100 * (used - last_used) / max(now - last_now, 1e-6))

    def _send_health(self, health: Health, to: tuple[str, int]) -> None:
        """One health report to the conductor at ``to``."""
        try:
            self.sock.sendto(health.to_osc(), to)
        except OSError:
            pass  # the conductor may be restarting; health is best effort


def run(settings: EngineSettings, open_devices: DeviceOpener, on_ready: Callable[[int], None]) -> int:
    """Boot the engine, say it is ready (with its UDP port), and serve until SIGTERM/SIGINT. Raises
    ``AudioDeviceError`` (one line) when the audio output is not there."""
    audio = settings.audio
    server = make_server(audio)
    # Open every other JACK client before the audio starts: opening one waits for a JACK cycle, and once pyo
    # runs, that cycle waits for the GIL, which python-rtmidi holds while it opens (the audio stalled for 3 s).
    xruns = open_counter(f"{audio.jack_name}-xruns") if audio.backend == "jack" else None
    devices = open_devices(audio)
    if devices.midi_out is not None:  # end any note a previous engine may have left on
        for data in all_notes_off(audio.midi_out_channels or tuple(range(1, 17))):
            devices.midi_out.send(data)
    engine = Engine(server, audio, FrameClock(audio.sample_rate, origin=None), live=True, midi_in=devices.midi_in,
                    midi_out=devices.midi_out, xruns=xruns)
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind((settings.host, settings.port))
    process = EngineProcess(engine, sock, (settings.host, settings.health) if settings.health else None,
                            devices.linked)

    def stop(signum: int, frame: object) -> None:
        process.stopping = True

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    server.start()
    on_ready(int(sock.getsockname()[1]))
    try:
        process.serve()
    finally:
        engine.submit(Clock(0.0, 0.0, 1.0, ClockMode.STOP))  # the MIDI clock, if it runs, stops now
        engine.submit(Panic())  # applied by the audio callback, like every other message
        time.sleep(0.05)  # let the gate close before the server stops: no click, no hanging note
        server.stop()
        # Only now close the other JACK clients: closing one waits for the current JACK cycle, and while pyo
        # runs, that cycle waits for the GIL, which python-rtmidi's close_port() holds: a deadlock.
        log.info("engine: stopped; %s, %d notes late", engine.counts.summary(), engine.scheduler.late)
        for ports in devices.linked:
            ports.close()
        if xruns is not None:
            xruns.close()
        server.shutdown()
        sock.close()
    return 0
