"""A real rig playing the demo show on the test's jackd, with its status port open for monitors to attach to."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import pytest

from performer.bench.jackd import JackServer
from performer.runtime.supervisor import free_port
from tests.conftest import SCENES, write_rig


@dataclass
class LiveRig:
    """A `performer run` of ``rig``, its conductor's status port, and what it printed so far (``output()``)."""

    rig: Path
    port: int
    process: subprocess.Popen
    log: Path

    def output(self) -> str:
        return self.log.read_text(errors="replace")


def start_rig(tmp: Path, jack: JackServer, control: bool = True) -> LiveRig:
    """The demo show with the rule-based walk (it starts at once), monitors allowed to cue if ``control``."""
    port = free_port()
    rig = write_rig(tmp, f'root = "/"\nshow = "{SCENES / "demo.show.toml"}"\n', name="monitored", scenes=(),
                    jack=f"mon-{uuid.uuid4().hex[:6]}", model={"generator": "rules"},
                    osc={"enabled": False}, monitor={"port": port, "control": control})
    log = tmp / "run.log"
    with log.open("w") as out:
        process = subprocess.Popen([sys.executable, "-m", "performer", "run", str(rig)], stdout=out,
                                   stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=jack.env,
                                   cwd=tmp, start_new_session=True)
    return LiveRig(rig, port, process, log)


def stop_rig(live: LiveRig) -> None:
    """SIGTERM to the whole run, as Ctrl-C would; then make sure nothing is left."""
    if live.process.poll() is None:
        os.killpg(live.process.pid, signal.SIGTERM)
        try:
            live.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(live.process.pid, signal.SIGKILL)
            live.process.wait()


@pytest.fixture
def live_rig(tmp_path: Path, jack_server: JackServer) -> Iterator[LiveRig]:
    live = start_rig(tmp_path, jack_server)
    try:
        deadline = time.monotonic() + 60
        while "monitor: attach" not in live.output():
            if live.process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"the rig did not open its status port:\n{live.output()}")
            time.sleep(0.1)
        yield live
    finally:
        stop_rig(live)
