"""Shared fixtures and helpers: the repository's paths, system requirements (skip locally, fail under CI=true), a
real jackd on JACK's dummy driver under a unique server name, rig files for a test's own folder, and waiting for a
condition."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator

import pytest
import tomlkit

from performer.bench.jackd import JackServer, JackUnavailable

ROOT = Path(__file__).resolve().parent.parent
SCENES = ROOT / "scenes"
RIGS = ROOT / "rigs"


def require(available: bool, what: str, package: str) -> None:
    """Skip when a system package is missing; under CI=true that is a failure instead."""
    need(available, f"{what} missing: install with `sudo apt-get install {package}`")


def need(available: bool, why: str) -> None:
    """Skip, saying ``why``, when the machine cannot run a test (a package, a capability); under CI=true that is a
    failure instead."""
    if available:
        return
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        pytest.fail(why + " (CI=true: required)")
    pytest.skip(why)


@pytest.fixture(scope="session")
def performer_cmd() -> list[str]:
    """How to run the ``performer`` command from this venv."""
    return [sys.executable, "-m", "performer"]


@pytest.fixture
def jack_server() -> Iterator[JackServer]:
    """``jackd -d dummy -r 48000 -p 256`` under a unique name: its ``.env`` selects it, and its log attributes
    xruns."""
    require(shutil.which("jackd") is not None and shutil.which("jack_lsp") is not None, "jackd", "jackd2")
    try:
        server = JackServer(realtime=False, prefix="performer-test").__enter__()
    except JackUnavailable as err:
        pytest.fail(str(err))
    try:
        yield server
    finally:
        server.__exit__()


def jack_ports(server: JackServer, connections: bool = False) -> str:
    """What jack_lsp lists on ``server``: its ports, each followed by its connections (indented) if asked."""
    return subprocess.run(["jack_lsp", *(["-c"] if connections else [])], env=server.env, capture_output=True,
                          text=True).stdout


def jack_connected(server: JackServer, name: str) -> bool:
    """Whether a port whose name contains ``name`` is connected to another port on ``server`` (jack_lsp -c lists
    a port's connections indented under it)."""
    lines = jack_ports(server, connections=True).splitlines()
    return any(name in line and not line.startswith(" ") and after.startswith(" ")
               for line, after in zip(lines, lines[1:]))


def write_rig(folder: Path, text: str = "", *, name: str = "t", scenes: Iterable[str | Path] = (SCENES / "dawn.toml",),
              jack: str | None = None, **tables: Any) -> Path:
    """Write ``folder``/rig.toml and return its path: ``name``, ``scenes`` (shipped ones as SCENES / "x.toml",
    others relative to the rig; none for a rig with a show), then ``text`` as written (top-level keys first), then
    one table per keyword, e.g. ``model={"generator": "rules"}``. ``jack`` names the engine's JACK client: the rig
    plays on the test's jackd, not connected to system playback."""
    if jack is not None:
        audio = tables.pop("audio", None) or {}
        tables["audio"] = {"backend": "jack", "jack_name": jack, "jack_connect": False, **audio}
    paths = [str(scene) for scene in scenes]
    head = {"name": name, "scenes": paths} if paths else {"name": name}
    if any(Path(p).is_absolute() for p in paths):
        head["root"] = "/"  # the shipped scenes lie outside the test's folder
    rig = folder / "rig.toml"
    rig.write_text(tomlkit.dumps(head) + text + "\n" + tomlkit.dumps(tables))
    return rig


def written(path: Path) -> bool:
    """Whether a file exists and has something in it (a notes log, once the first note went out)."""
    return path.exists() and path.stat().st_size > 0


def wait_until(condition: Callable[[], object], timeout: float, what: str,
               process: subprocess.Popen | None = None) -> None:
    """Poll ``condition`` every 50 ms until it is true; fail saying what was awaited after ``timeout`` seconds, or as
    soon as ``process`` (if given) exits."""
    deadline = time.monotonic() + timeout
    while not condition():
        if process is not None and process.poll() is not None:
            output = "".join(part or "" for part in process.communicate())
            pytest.fail(f"the process exited (code {process.returncode}) before {what}:\n{output}")
        if time.monotonic() >= deadline:
            pytest.fail(f"timed out after {timeout:g} s waiting for {what}")
        time.sleep(0.05)
