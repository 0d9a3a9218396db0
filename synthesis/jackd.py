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
from pathlib import Path

CLIENT_LATE = re.compile(r"JackEngine::XRun: client (?:= )?(\S+) (?:was not finished|finished after)")
DRIVER_LATE = "JackTimedDriver::Process XRun"


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

    def xruns(self) -> tuple[int, dict[str, int]]:
        """(driver timer misses, late cycles per client name) since the server started."""
        text = self.log_text()
        clients: dict[str, int] = {}
        for match in CLIENT_LATE.finditer(text):
            clients[match.group(1)] = clients.get(match.group(1), 0) + 1
        return text.count(DRIVER_LATE), clients

    def connect(self, source: str, destination: str) -> None:
        """Connect two ports by full name; raise if JACK refuses."""
        subprocess.run(["jack_connect", source, destination], env=self.env, check=True, capture_output=True)
