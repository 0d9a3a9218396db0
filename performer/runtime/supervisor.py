"""The supervisor: starts the engine and conductor processes, restarts one that dies, and on Ctrl-C or SIGTERM
stops them in order (conductor first, then the engine, which closes its gate: all notes off).

Children run in their own process group, so a terminal's Ctrl-C reaches only the supervisor, and they get
SIGTERM from the kernel if the supervisor itself dies (PR_SET_PDEATHSIG), so none is left orphaned."""

from __future__ import annotations

import argparse
import contextlib
import ctypes
import logging
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

from performer.config.loading import LoadedRig
from performer.runtime.monitor import has_keys, keys_forwarded
from performer.offline.render import audio_settings
from performer.config.rig import CameraConfig
from performer.runtime.threads import SINGLE_THREAD
from synthesis.process import EXIT_NO_AUDIO, settings_argv

log = logging.getLogger(__name__)

READY_TIMEOUT = 20.0
STOP_TIMEOUT = 3.0
MAX_RESTARTS = 5  # per child, within RESTART_WINDOW
RESTART_WINDOW = 60.0


def _child_setup() -> None:
    """In the child, before exec: own process group, and die with the parent."""
    os.setpgid(0, 0)
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def free_port() -> int:
    """A UDP port on loopback that is free right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Child:
    """One supervised process. It is ready when it prints a line starting with ``ready_word`` on stdout."""

    def __init__(self, name: str, argv: list[str], ready_word: str, env: dict[str, str] | None = None,
                 stdin_pipe: bool = False) -> None:
        self.name, self.argv, self.ready_word, self.env = name, argv, ready_word, env
        self.stdin_pipe = stdin_pipe  # the conductor reads the monitor's keys there
        self.proc: subprocess.Popen[str] | None = None
        self.restarts: list[float] = []

    def start(self) -> bool:
        """Start and wait until ready; False if it exited first (its exit code is in ``returncode``)."""
        self.proc = subprocess.Popen(self.argv, stdout=subprocess.PIPE, text=True, preexec_fn=_child_setup,
                                     env=self.env, stdin=subprocess.PIPE if self.stdin_pipe else subprocess.DEVNULL)
        deadline = time.monotonic() + READY_TIMEOUT
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            if line.startswith(self.ready_word):
                threading.Thread(target=self._forward, name=f"{self.name}-out", daemon=True).start()
                return True
            sys.stdout.write(line)
            if time.monotonic() > deadline:
                break
        self.stop()
        return False

    def _forward(self) -> None:
        assert self.proc is not None and self.proc.stdout is not None
        for line in self.proc.stdout:
            sys.stdout.write(line)

    @property
    def returncode(self) -> int | None:
        return None if self.proc is None else self.proc.poll()

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def stop(self) -> None:
        """SIGTERM, then SIGKILL if it has not exited within STOP_TIMEOUT."""
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.terminate()
        try:
            self.proc.wait(STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            log.warning("%s did not stop within %.0f s; killing it", self.name, STOP_TIMEOUT)
            self.proc.kill()
            self.proc.wait()

    def may_restart(self) -> bool:
        now = time.monotonic()
        self.restarts = [t for t in self.restarts if now - t < RESTART_WINDOW] + [now]
        return len(self.restarts) <= MAX_RESTARTS


def _no_audio(loaded: LoadedRig, args: argparse.Namespace, why: str) -> int:
    """Say in one line that there is no audio output; render the demo instead if asked to."""
    demo = loaded.demo_session
    if args.fallback_render and demo is not None:
        print(f"performer: {why}; rendering the demo session {demo} to {args.fallback_render}/ instead", flush=True)
        from performer.offline.render import render
        from performer.runtime.session import read_session

        print(f"performer: {render(loaded, read_session(demo), Path(args.fallback_render)).report()}")
        return 0
    print(f"performer: {why}; nothing to play on (use --fallback-render DIR to render the demo)", file=sys.stderr)
    return EXIT_NO_AUDIO


def run_rig(loaded: LoadedRig, args: argparse.Namespace) -> int:
    """Play ``loaded`` live until interrupted (or for ``args.duration`` seconds)."""
    settings = audio_settings(loaded)
    if settings.backend == "offline":
        return _no_audio(loaded, args, f"{loaded.path}: audio.backend is 'offline'")
    if settings.backend == "portaudio":
        from synthesis.server import AudioDeviceError, find_output

        try:
            find_output(settings.device)
        except AudioDeviceError as err:
            return _no_audio(loaded, args, str(err))
    engine_port, health_port = free_port(), free_port()
    python = [sys.executable]
    engine = Child("engine", python + ["-m", "synthesis.process", "--port", str(engine_port), "--health",
                                       str(health_port)] + settings_argv(settings), "engine ready")
    conductor_argv = python + ["-m", "performer", "conduct", str(loaded.path), "--engine-port", str(engine_port),
                               "--health-port", str(health_port)]
    for flag, value in (("--record", args.record), ("--notes-log", args.notes_log), ("--hold", args.hold)):
        if value:
            conductor_argv += [flag, value]
    keys = has_keys()
    conductor = Child("conductor", conductor_argv + ["--keys"] * keys, "conductor ready",
                      env=dict(os.environ, **SINGLE_THREAD), stdin_pipe=keys)
    cameras = [Child(f"camera {i}", python + ["-m", "sensors.camera", "--send", str(loaded.rig.osc.port)]
                     + camera_argv(camera), "camera ready") for i, camera in enumerate(loaded.rig.cameras)]
    if not engine.start():
        if engine.returncode == EXIT_NO_AUDIO:
            return _no_audio(loaded, args, f"no audio output ({settings.backend})")
        print(f"performer: the engine failed to start (exit {engine.returncode})", file=sys.stderr)
        return 1
    with keys_forwarded(lambda: conductor.proc) if keys else contextlib.nullcontext():
        return _supervise(engine, conductor, args.duration, cameras)


def camera_argv(camera: CameraConfig) -> list[str]:
    """The camera process's arguments for one of the rig's cameras."""
    argv = ["--device", camera.device, "--width", str(camera.width), "--height", str(camera.height),
            "--hands", str(camera.hands)]
    argv += ["--mirror"] * camera.mirror + ["--motion"] * camera.motion
    for zone in camera.zones:
        argv += ["--zone", f"{zone.name}:{','.join(f'{v:g}' for v in zone.rect)}"]
    return argv


def _supervise(engine: Child, conductor: Child, duration: float | None, cameras: list[Child]) -> int:
    stop = threading.Event()
    previous = {s: signal.signal(s, lambda *_: stop.set()) for s in (signal.SIGINT, signal.SIGTERM)}
    deadline = None if duration is None else time.monotonic() + duration
    try:
        if not conductor.start():
            print(f"performer: the conductor failed to start (exit {conductor.returncode})", file=sys.stderr)
            return 1
        for camera in cameras:
            if not camera.start():
                print(f"performer: {camera.name} failed to start (exit {camera.returncode}); going on without it",
                      file=sys.stderr)
        print("performer: playing; Ctrl-C stops", flush=True)
        while not stop.wait(0.2):
            if deadline is not None and time.monotonic() >= deadline:
                break
            for child in (engine, conductor):
                if not child.alive() and not _restart(child):
                    return 1
            for camera in [c for c in cameras if c.proc is not None and not c.alive()]:
                if not (camera.may_restart() and camera.start()):  # the music goes on without it
                    print(f"performer: {camera.name} keeps failing; going on without it", file=sys.stderr)
                    cameras.remove(camera)
        return 0
    finally:
        for camera in cameras:
            camera.stop()
        conductor.stop()
        engine.stop()
        for s, handler in previous.items():
            signal.signal(s, handler)


def _restart(child: Child) -> bool:
    """Bring a dead child back, unless it keeps dying."""
    code = child.returncode
    if not child.may_restart():
        print(f"performer: {child.name} keeps failing (exit {code}); stopping", file=sys.stderr)
        return False
    log.warning("%s exited unexpectedly (exit %s); restarting it", child.name, code)
    return child.start()
