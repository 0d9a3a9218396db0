"""The audio bench's JACK half, on a jackd of its own (``jackd -d dummy``): how many sounding voices the engine
carries without xruns, and how long a key takes from a JACK MIDI port to the engine's JACK output.

The engine runs as in a show, in its own process (``performer.runtime.engine_process``). A probe client in this
process sends the keys and records the engine's output, both on JACK's frame clock, so the latency is counted in
samples and owes nothing to Python's timing."""

from __future__ import annotations

import math
import socket
import subprocess
import time
from dataclasses import dataclass, field

from performer.bench.jackd import JackServer
from performer.runtime.commands import engine_argv
from performer.runtime.handshake import Ready, ReadyPipe
from synthesis.protocol import Health, Note, Thru, decode
from synthesis.settings import AudioSettings, EngineSettings

LOAD_INSTRUMENTS = ("epiano", "pluck", "pad", "bass")  # held notes sound for as long as the trial; drums do not
ENGINE = "engine"  # the engine's JACK client name in the bench
READY_TIMEOUT = 20.0  # seconds the engine has to say it is ready


@dataclass
class EngineRun:
    """An engine process on the bench's jackd, with its UDP port and a socket that hears its health."""

    server: JackServer
    settings: AudioSettings
    proc: subprocess.Popen = field(init=False)
    sock: socket.socket = field(init=False)
    port: int = 0

    def __enter__(self) -> "EngineRun":
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", 0))
        settings = EngineSettings(self.settings, port=0, health=self.sock.getsockname()[1])
        pipe = ReadyPipe()
        self.proc = subprocess.Popen(engine_argv(settings), env=pipe.env(self.server.env),
                                     pass_fds=pipe.pass_fds)
        outcome = pipe.wait(self.proc, READY_TIMEOUT)
        if not isinstance(outcome, Ready):
            self.__exit__()
            raise RuntimeError(f"the engine did not start: {outcome}")
        self.port = int(outcome.info["port"])
        return self

    def send(self, message: Note | Thru) -> None:
        self.sock.sendto(message.to_osc(), ("127.0.0.1", self.port))

    def health(self, timeout: float = 3.0) -> Health:
        """The engine's next health report, sent after this call (older ones queued meanwhile are skipped)."""
        self.sock.setblocking(False)
        try:
            while self.sock.recv(4096):
                pass
        except BlockingIOError:
            pass
        self.sock.settimeout(timeout)
        while True:
            message = decode(self.sock.recv(4096))
            if isinstance(message, Health):
                return message

    def __exit__(self, *exc: object) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.sock.close()


def engine_settings(voices_per_instrument: int, effects: bool = True, thru: tuple[str, ...] = ()) -> AudioSettings:
    """The engine as a show runs it on JACK, not connected to system playback."""
    return AudioSettings(backend="jack", jack_name=ENGINE, jack_connect=False, voices=voices_per_instrument,
                         effects=effects, thru_api="jack", thru_ports=thru)


def xrun_trial(server: JackServer, voices: int, seconds: float) -> dict:
    """Hold ``voices`` notes across the pitched instruments for ``seconds``; count the xruns JACK logs meanwhile,
    by cause, and the engine process's CPU time."""
    per = max(1, math.ceil(voices / len(LOAD_INSTRUMENTS)))
    with EngineRun(server, engine_settings(per)) as engine:
        now = time.monotonic()
        for i in range(voices):
            engine.send(Note(now + 0.3, seconds + 10.0, 36 + (i * 7) % 48, 96,
                             LOAD_INSTRUMENTS[i % len(LOAD_INSTRUMENTS)]))
        time.sleep(1.0)
        sounding = engine.health().voices
        before, cpu0 = server.xruns(), cpu_seconds(engine.proc.pid)
        time.sleep(seconds)
        log, cpu = server.xruns().since(before), (cpu_seconds(engine.proc.pid) - cpu0) / seconds
    return {"voices": voices, "sounding": sounding, "xruns": log.total, "xruns_engine_late": log.clients.get(ENGINE, 0),
            "xruns_driver": log.driver, "late_cycles": log.cycles, "engine_cpu_percent": round(100 * cpu, 1)}


def idle_server_xruns(server: JackServer, seconds: float) -> int:
    """The xruns the bench's jackd logs with no client at all: what this machine does on its own."""
    before = server.xruns()
    time.sleep(seconds)
    return server.xruns().since(before).total


def cpu_seconds(pid: int) -> float:
    """User plus system CPU time of a process, from /proc."""
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / 100.0  # utime, stime in clock ticks (USER_HZ = 100)
