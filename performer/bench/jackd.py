"""A jackd of our own on JACK's dummy driver, under a unique server name, for the audio bench and the tests.

Its stderr is kept in a file so xruns can be attributed: jackd names a client that was not finished by the next
cycle ("JackEngine::XRun: client = NAME was not finished"), and the dummy driver reports its own timer misses
("JackTimedDriver::Process XRun"), which happen on this kind of machine even with no client connected."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

CLIENT_LATE = re.compile(r"JackEngine::XRun: client (?:= )?(\S+) (?:was not finished|finished after)")
DRIVER_LATE = "JackTimedDriver::Process XRun"
CYCLE_LATE = "ProcessGraphAsyncMaster: Process error"  # once per cycle whose graph did not finish in time


@dataclass(frozen=True)
class XrunLog:
    """What jackd logged: driver timer misses, cycles whose graph was late, and per client how many runs of late
    cycles it was among the unfinished at the start of (jackd names a client once, not every cycle it stays
    late, and may name several clients in one cycle)."""

    driver: int
    cycles: int
    clients: dict[str, int]

    @property
    def total(self) -> int:
        """Xruns as JACK counts them (its clients' xrun callbacks, which the engine's health reports): one per
        timer miss and one per late client named; a long stall is one xrun however many cycles it lasts, and
        ``cycles`` counts those."""
        return self.driver + sum(self.clients.values())

    def since(self, earlier: "XrunLog") -> "XrunLog":
        names = set(self.clients) | set(earlier.clients)
        return XrunLog(self.driver - earlier.driver, self.cycles - earlier.cycles,
                       {n: self.clients.get(n, 0) - earlier.clients.get(n, 0) for n in names})


class JackUnavailable(RuntimeError):
    """jackd is not installed or would not start."""


def jack_env(name: str) -> dict[str, str]:
    """The environment that points libjack (and the jack_* tools) at server ``name``."""
    env = dict(os.environ, JACK_DEFAULT_SERVER=name, JACK_NO_AUDIO_RESERVATION="1")
    env.pop("JACK_PROMISCUOUS_SERVER", None)
    return env


class JackServer:
    """``jackd -d dummy`` at the given rate and period; a context manager that waits for its ports."""

    def __init__(self, rate: int = 48000, period: int = 256, realtime: bool = True, prefix: str = "performer") -> None:
        if shutil.which("jackd") is None or shutil.which("jack_lsp") is None:
            raise JackUnavailable("jackd missing: install with `sudo apt-get install jackd2`")
        self.name = f"{prefix}-{uuid.uuid4().hex[:8]}"
        self.env = jack_env(self.name)
        self.rate, self.period, self.realtime = rate, period, realtime
        self._log = Path(tempfile.mkstemp(prefix="jackd-", suffix=".log")[1])
        self._proc: subprocess.Popen | None = None

    def __enter__(self) -> "JackServer":
        rt = [] if self.realtime else ["--no-realtime"]
        with open(self._log, "w") as log:
            self._proc = subprocess.Popen(["jackd", *rt, "-n", self.name, "-d", "dummy", "-r", str(self.rate),
                                           "-p", str(self.period)], env=self.env, stdout=log, stderr=log)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            probe = subprocess.run(["jack_lsp"], env=self.env, capture_output=True, text=True)
            if probe.returncode == 0 and "system:playback_1" in probe.stdout:
                return self
            if self._proc.poll() is not None:
                raise JackUnavailable(f"jackd exited: {self.log_text()[-500:]}")
            time.sleep(0.1)
        self.__exit__()
        raise JackUnavailable("jackd did not come up within 10 s")

    def __exit__(self, *exc: object) -> None:
        if self._proc is not None:
            self._proc.terminate()
            try:
                self._proc.wait(5)
            except subprocess.TimeoutExpired:
                self._proc.kill()
                self._proc.wait()
        self._log.unlink(missing_ok=True)

    def log_text(self) -> str:
        return self._log.read_text(errors="replace")

    def xruns(self) -> XrunLog:
        """Everything jackd has logged about xruns since it started."""
        text = self.log_text()
        clients: dict[str, int] = {}
        for match in CLIENT_LATE.finditer(text):
            clients[match.group(1)] = clients.get(match.group(1), 0) + 1
        return XrunLog(text.count(DRIVER_LATE), text.count(CYCLE_LATE), clients)

    def connect(self, source: str, destination: str) -> None:
        """Connect two ports by full name; raise if JACK refuses."""
        subprocess.run(["jack_connect", source, destination], env=self.env, check=True, capture_output=True)
