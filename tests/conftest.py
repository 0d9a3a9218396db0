"""Shared fixtures: the repository's paths, system requirements (skip locally, fail under CI=true), and a real
jackd on JACK's dummy driver under a unique server name."""

from __future__ import annotations

import contextlib
import os
import shutil
import sys
from pathlib import Path
from typing import Iterator

import pytest

from performer.bench.jackd import JackServer, JackUnavailable

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


@pytest.fixture
def jack_server() -> Iterator[dict[str, str]]:
    """Start ``jackd -d dummy -r 48000 -p 256`` under a unique name; yield the environment that selects it."""
    with jackd() as server:
        yield server.env


@pytest.fixture
def jackd_server() -> Iterator[JackServer]:
    """The same, as the JackServer object, whose log attributes xruns."""
    with jackd() as server:
        yield server


@contextlib.contextmanager
def jackd() -> Iterator[JackServer]:
    require(shutil.which("jackd") is not None and shutil.which("jack_lsp") is not None, "jackd", "jackd2")
    try:
        server = JackServer(realtime=False, prefix="performer-test").__enter__()
    except JackUnavailable as err:
        pytest.fail(str(err))
    try:
        yield server
    finally:
        server.__exit__()
