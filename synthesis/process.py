"""The engine process: ``python -m synthesis.process``. It boots pyo, then its main thread only receives OSC
datagrams and hands them to the audio callback; it runs no heavy Python, so pyo's callback never waits for the GIL.

On SIGTERM or SIGINT it closes the master gate (all notes off), then stops the server and exits 0."""

from __future__ import annotations

import argparse
import logging
import signal
import socket
import sys
import time
from typing import Sequence

from sensors.midiports import MidiOut, NoMidi, ThruPorts
from synthesis.engine import Engine
from synthesis.midiout import all_notes_off
from synthesis.protocol import Health, Panic, decode
from synthesis.scheduler import FrameClock
from synthesis.server import AudioDeviceError, AudioSettings, make_server
from synthesis.xruns import open_counter

log = logging.getLogger("synthesis")

EXIT_NO_AUDIO = 3
HEALTH_PERIOD = 1.0


def _args(argv: Sequence[str] | None) -> tuple[argparse.Namespace, AudioSettings]:
    p = argparse.ArgumentParser(prog="synthesis.process")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, required=True, help="UDP port for notes (0 picks one)")
    p.add_argument("--health", type=int, default=0, help="UDP port on --host for health reports (0: none)")
    for name, kind, default in (("backend", str, "portaudio"), ("device", str, ""), ("jack-name", str, "performer"),
                                ("sample-rate", int, 48000), ("buffer-size", int, 256), ("channels", int, 2),
                                ("ceiling-db", float, -1.0), ("gain-db", float, -6.0), ("voices", int, 16)):
        p.add_argument(f"--{name}", type=kind, default=default)
    p.add_argument("--no-jack-connect", action="store_true")
    p.add_argument("--no-effects", action="store_true", help="no reverb or delay sends")
    p.add_argument("--instrument-voices", action="append", default=[], metavar="NAME=N",
                   help="voices for one instrument (else --voices)")
    p.add_argument("--max-loudness-db", type=float, default=None, help="a loudness cap (RMS dBFS) before the limiter")
    p.add_argument("--thru-api", choices=["alsa", "jack"], default="alsa")
    p.add_argument("--thru-port", action="append", default=[], help="a MIDI input to play through (name pattern)")
    p.add_argument("--thru-channel", type=int, default=0, choices=range(17), help="1-16, or 0 for every channel")
    p.add_argument("--midi-out", action="store_true", help="send notes to a MIDI out port (on --thru-api)")
    p.add_argument("--midi-out-port", default="", help="name pattern of the MIDI out's destinations")
    p.add_argument("--midi-out-channel", type=int, action="append", default=[], choices=range(1, 17),
                   help="a voice channel whose notes go out (repeat; none: every channel)")
    p.add_argument("--echo-window-ms", type=float, default=100.0, help="feedback suppression window (0: off)")
    a = p.parse_args(argv)
    settings = AudioSettings(backend=a.backend, device=a.device, jack_name=a.jack_name,
                             jack_connect=not a.no_jack_connect, sample_rate=a.sample_rate,
                             buffer_size=a.buffer_size, channels=a.channels, ceiling_db=a.ceiling_db,
                             gain_db=a.gain_db, voices=a.voices, effects=not a.no_effects, thru_api=a.thru_api,
                             instrument_voices=tuple((n, int(c)) for n, c in
                                                     (item.split("=", 1) for item in a.instrument_voices)),
                             max_loudness_db=a.max_loudness_db,
                             thru_ports=tuple(a.thru_port),
                             thru_channel=a.thru_channel, midi_out=a.midi_out, midi_out_port=a.midi_out_port,
                             midi_out_channels=tuple(a.midi_out_channel), echo_window=a.echo_window_ms / 1000.0)
    return a, settings


def settings_argv(settings: AudioSettings) -> list[str]:
    """The command-line arguments that reproduce ``settings`` in an engine process."""
    argv = ["--backend", settings.backend, "--device", settings.device, "--jack-name", settings.jack_name,
            "--sample-rate", str(settings.sample_rate), "--buffer-size", str(settings.buffer_size),
            "--channels", str(settings.channels), "--ceiling-db", str(settings.ceiling_db),
            "--gain-db", str(settings.gain_db), "--voices", str(settings.voices), "--thru-api", settings.thru_api,
            "--thru-channel", str(settings.thru_channel)]
    argv += [arg for pattern in settings.thru_ports for arg in ("--thru-port", pattern)]
    argv += [arg for name, count in settings.instrument_voices for arg in ("--instrument-voices", f"{name}={count}")]
    if settings.max_loudness_db is not None:
        argv += ["--max-loudness-db", str(settings.max_loudness_db)]
    if settings.midi_out:
        argv += ["--midi-out", "--midi-out-port", settings.midi_out_port,
                 "--echo-window-ms", str(settings.echo_window * 1000.0)]
        argv += [arg for channel in settings.midi_out_channels for arg in ("--midi-out-channel", str(channel))]
    flags = [flag for flag, on in (("--no-jack-connect", settings.jack_connect), ("--no-effects", settings.effects))
             if not on]
    return argv + flags


class EngineProcess:
    """The receive loop: datagrams in, messages to the engine, health out once a second."""

    def __init__(self, engine: Engine, sock: socket.socket, health_to: tuple[str, int] | None) -> None:
        self.engine = engine
        self.linked: list[ThruPorts | MidiOut] = []  # MIDI ports that join devices plugged in later
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
            self._send_health(self.engine.health(cpu=self._cpu_percent()))
        for ports in self.linked:
            try:
                ports.link()
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

    def _send_health(self, health: Health) -> None:
        try:
            self.sock.sendto(health.to_osc(), self.health_to)
        except OSError:
            pass  # the conductor may be restarting; health is best effort


def _thru_inputs(settings: AudioSettings) -> ThruPorts | None:
    """The player's MIDI inputs, without callbacks: the audio callback polls them, so a key-down sounds in the next
    buffer without waking any other thread. Missing ones are logged, and on JACK joined when they appear."""
    if not settings.thru_ports:
        return None
    try:
        return ThruPorts(settings.thru_api, list(settings.thru_ports), f"{settings.jack_name}-thru",
                         own=f"{settings.jack_name}-midi:")
    except NoMidi as err:
        log.warning("%s; the thru path is off", err)
        return None


def _midi_out(settings: AudioSettings) -> MidiOut | None:
    """The rig's MIDI out, which first ends any note a previous engine may have left on (all-notes-off)."""
    if not settings.midi_out:
        return None
    try:
        out = MidiOut(settings.thru_api, f"{settings.jack_name}-midi", settings.midi_out_port)
    except (NoMidi, OSError) as err:
        log.warning("%s; going on without MIDI out", err)
        return None
    for data in all_notes_off(settings.midi_out_channels or tuple(range(1, 17))):
        out.send(data)
    return out


def main(argv: Sequence[str] | None = None) -> int:
    """Boot the engine and serve until SIGTERM/SIGINT."""
    logging.basicConfig(level=logging.INFO, format="%(message)s", stream=sys.stderr)
    args, settings = _args(argv)
    try:
        server = make_server(settings)
    except AudioDeviceError as err:
        print(f"engine: {err}", file=sys.stderr)
        return EXIT_NO_AUDIO
    engine = Engine(server, settings, FrameClock(settings.sample_rate, origin=None), live=True)
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind((args.host, args.port))
    process = EngineProcess(engine, sock, (args.host, args.health) if args.health else None)

    def stop(signum: int, frame: object) -> None:
        process.stopping = True

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    # Open every other JACK client before the audio starts: opening one waits for a JACK cycle, and once pyo
    # runs, that cycle waits for the GIL, which python-rtmidi holds while it opens (the audio stalled for 3 s).
    if settings.backend == "jack":
        engine.xruns = open_counter(f"{settings.jack_name}-xruns")
    thru = _thru_inputs(settings)
    engine.midi_in = list(thru.ports) if thru is not None else []
    midi_out = engine.midi_out = _midi_out(settings)
    process.linked = [ports for ports in (thru, midi_out) if ports is not None]
    server.start()
    print(f"engine ready port={sock.getsockname()[1]} backend={settings.backend} sr={settings.sample_rate} "
          f"buffer={settings.buffer_size}", flush=True)
    try:
        process.serve()
    finally:
        engine.submit(Panic())  # applied by the audio callback, like every other message
        time.sleep(0.05)  # let the gate close before the server stops: no click, no hanging note
        server.stop()
        # Only now close the other JACK clients: closing one waits for the current JACK cycle, and while pyo
        # runs, that cycle waits for the GIL, which python-rtmidi's close_port() holds: a deadlock.
        log.info("engine: stopped; %s", engine.counts.summary())
        for ports in (thru, midi_out):
            if ports is not None:
                ports.close()
        if engine.xruns is not None:
            engine.xruns.close()
        server.shutdown()
        sock.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
