"""Shared fixtures: the repository's paths, system requirements (skip locally, fail under CI=true), and a real
jackd on JACK's dummy driver under a unique server name."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Iterator

import pytest

ROOT = Path(__file__).resolve().parent.parent
OPENCV_DATA = Path("/usr/share/doc/opencv-doc/examples/data")


def require(available: bool, what: str, package: str) -> None:
    """Skip when a system package is missing; under CI=true that is a failure instead."""
    if available:
        return
    message = f"{what} missing: install with `sudo apt-get install {package}`"
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        pytest.fail(message + " (CI=true: required)")
    pytest.skip(message)


@pytest.fixture
def root() -> Path:
    return ROOT


@pytest.fixture
def performer_cmd() -> list[str]:
    """How to run the ``performer`` command from this venv."""
    return [sys.executable, "-m", "performer"]


def _jack_env(name: str) -> dict[str, str]:
    env = dict(os.environ, JACK_DEFAULT_SERVER=name, JACK_NO_AUDIO_RESERVATION="1")
    env.pop("JACK_PROMISCUOUS_SERVER", None)
    return env


@pytest.fixture
def jack_server() -> Iterator[dict[str, str]]:
    """Start ``jackd -d dummy -r 48000 -p 256`` under a unique name; yield the environment that selects it."""
    require(shutil.which("jackd") is not None and shutil.which("jack_lsp") is not None, "jackd", "jackd2")
    name = f"performer-test-{uuid.uuid4().hex[:8]}"
    env = _jack_env(name)
    proc = subprocess.Popen(["jackd", "--no-realtime", "-n", name, "-d", "dummy", "-r", "48000", "-p", "256"],
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        probe = subprocess.run(["jack_lsp"], env=env, capture_output=True, text=True)
        if probe.returncode == 0 and "system:playback_1" in probe.stdout:
            break
        if proc.poll() is not None:
            pytest.fail(f"jackd exited: {proc.stderr.read() if proc.stderr else ''}")
        time.sleep(0.1)
    else:
        proc.kill()
        pytest.fail("jackd did not come up within 10 s")
    try:
        yield env
    finally:
        proc.terminate()
        try:
            proc.wait(5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
