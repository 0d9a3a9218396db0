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
import tempfile
import threading
import time
from pathlib import Path
from typing import Callable, Iterator

from performer.config.loading import LoadedRig
from performer.config.settings import CAMERA_CHANNEL, audio_settings, camera_settings
from performer.errors import DeviceError
from performer.runtime.commands import camera_argv, engine_argv
from performer.runtime.handshake import Failed, Outcome, Ready, ReadyPipe, Silent
from performer.runtime.sessions import SessionFolders
from performer.runtime.terminalkeys import has_keys, keys_forwarded
from performer.runtime.threads import SINGLE_THREAD
from sensors.camerasettings import CameraSettings
from sensors.dgramsend import DatagramSender
from sensors.oscout import release
from synthesis.settings import EngineSettings

log = logging.getLogger(__name__)

READY_TIMEOUT = 20.0  # seconds a child has to say it is ready (the conductor loads and compiles the model)
STOP_TIMEOUT = 3.0
MAX_RESTARTS = 5  # per child, within RESTART_WINDOW
RESTART_WINDOW = 60.0
EXIT_INTERRUPTED = 130


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
    """One supervised process. It shares the supervisor's stdout and stderr, and says when it is ready through
    the handshake (performer/runtime/handshake.py), which ``start`` waits for with a deadline."""

    def __init__(self, name: str, argv: list[str], env: dict[str, str] | None = None, stdin_pipe: bool = False,
                 ready_timeout: float = READY_TIMEOUT, resume: tuple[str, ...] = (),
                 on_death: Callable[[], None] | None = None) -> None:
        self.name, self.argv, self.env, self.ready_timeout = name, argv, env, ready_timeout
        self.resume = resume  # what a restart adds to its arguments, once (the conductor's --resume)
        self.on_death = on_death  # what it can no longer say itself (a camera's release), said for it
        self.stdin_pipe = stdin_pipe  # the conductor reads the monitor's keys there
        self.proc: subprocess.Popen[str] | None = None
        self.restarts: list[float] = []

    def start(self, stop: threading.Event | None = None) -> Outcome:
        """Start it and wait until it says it is ready, fails, exits, misses its deadline or ``stop`` is set;
        unless ready, it is stopped."""
        pipe = ReadyPipe()
        self.proc = subprocess.Popen(self.argv, preexec_fn=_child_setup, env=pipe.env(self.env),
                                     pass_fds=pipe.pass_fds,
                                     stdin=subprocess.PIPE if self.stdin_pipe else subprocess.DEVNULL, text=True)
        outcome = pipe.wait(self.proc, self.ready_timeout, stop)
        if not isinstance(outcome, Ready):
            self.stop()
        return outcome

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


def not_started(child: Child, outcome: Outcome) -> str:
    """One line saying why ``child`` did not start."""
    if isinstance(outcome, Failed):
        return f"performer: the {child.name} could not start: {outcome.message}"
    assert isinstance(outcome, Silent)
    return f"performer: the {child.name} {outcome.why}; stopping"


def _no_audio(loaded: LoadedRig, args: argparse.Namespace, why: str) -> int:
    """Say in one line that there is no audio output; render the demo instead if asked to (in a process of its
    own: the supervisor loads no audio or model code)."""
    demo = loaded.demo_session
    if args.fallback_render and demo is not None:
        print(f"performer: {why}; rendering the demo session {demo} to {args.fallback_render}/ instead", flush=True)
        command = [sys.executable, "-m", "performer", "render", str(loaded.path), "--replay", str(demo), "--out",
                   str(args.fallback_render)]
        return subprocess.run(command).returncode
    print(f"performer: {why}; nothing to play on (use --fallback-render DIR to render the demo)", file=sys.stderr)
    return DeviceError.exit_code


@contextlib.contextmanager
def stop_on_signals(stop: threading.Event) -> Iterator[None]:
    """Ctrl-C and SIGTERM set ``stop`` (also while a child is starting) instead of raising."""
    previous = {s: signal.signal(s, lambda *_: stop.set()) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)


def run_rig(loaded: LoadedRig, args: argparse.Namespace, ready_timeout: float = READY_TIMEOUT) -> int:
    """Play ``loaded`` live until interrupted (or for ``args.duration`` seconds)."""
    if loaded.rig.audio.backend.value == "offline":
        return _no_audio(loaded, args, f"{loaded.path}: audio.backend is 'offline'")
    with tempfile.TemporaryDirectory(prefix="performer-") as private:  # 0700: this run's own files
        return _run(loaded, args, ready_timeout, Path(private))


def _run(loaded: LoadedRig, args: argparse.Namespace, ready_timeout: float, private: Path) -> int:
    """Start the engine, the conductor (which keeps the show's position in ``private`` for a restart) and the
    cameras, and supervise them."""
    settings = audio_settings(loaded.rig)
    engine_port, health_port = free_port(), free_port()
    engine = Child("engine", engine_argv(EngineSettings(settings, port=engine_port, health=health_port)),
                   ready_timeout=ready_timeout)
    conductor_argv = [sys.executable, "-m", "performer", "conduct", str(loaded.path), "--engine-port",
                      str(engine_port), "--health-port", str(health_port)]
    for flag, value in (("--record", args.record), ("--notes-log", args.notes_log), ("--hold", args.hold)):
        if value:
            conductor_argv += [flag, value]
    keys = has_keys()
    local = [(i, camera) for i, camera in enumerate(loaded.rig.cameras) if not camera.node]  # others: sense nodes
    channel = str(private / CAMERA_CHANNEL) if local else ""  # the cameras' own way in, private
    conductor_argv += ["--keys"] * keys + ["--state", str(private / "position.json"), "--camera-channel", channel]
    conductor = Child("conductor", conductor_argv, env=dict(os.environ, **SINGLE_THREAD), stdin_pipe=keys,
                      ready_timeout=ready_timeout, resume=("--resume",))
    cameras = [camera_child(i, camera_settings(camera, loaded.rig.osc.port, channel), ready_timeout)
               for i, camera in local]
    stop = threading.Event()
    with stop_on_signals(stop):
        outcome = engine.start(stop)
        if isinstance(outcome, Failed) and outcome.kind == "device":
            return _no_audio(loaded, args, outcome.message)
        if not isinstance(outcome, Ready):
            return _gave_up(engine, outcome)
        folders = SessionFolders(loaded, args)  # this run's dated folder, the old ones pruned
        if (folder := folders.begin()) is not None:
            conductor.argv += ["--session-dir", str(folder)]
        with keys_forwarded(lambda: conductor.proc) if keys else contextlib.nullcontext():
            code = _supervise(engine, conductor, args.duration, cameras, stop, folders.look)
    folders.finish(_child_setup)  # notes.mid and summary.png, after the show (Ctrl-C skips it)
    return code


def camera_child(index: int, settings: CameraSettings, ready_timeout: float = READY_TIMEOUT) -> Child:
    """A camera process; if it dies (killed, crashed), its signals are released on its channel for it, so they
    glide to the scenes' defaults while it restarts instead of holding their last values."""
    def release_for_it() -> None:
        with DatagramSender(settings.channel, settings.host, settings.send, name="supervisor") as out:
            out.send(release(settings.prefixes))

    return Child(f"camera {index}", camera_argv(settings), ready_timeout=ready_timeout, on_death=release_for_it)


def _gave_up(child: Child, outcome: Outcome) -> int:
    """The show cannot start without ``child``: one line (none for a Ctrl-C) and the exit code."""
    if isinstance(outcome, Silent) and outcome.stopped:
        return EXIT_INTERRUPTED
    print(not_started(child, outcome), file=sys.stderr, flush=True)
    return 1


def _supervise(engine: Child, conductor: Child, duration: float | None, cameras: list[Child],
               stop: threading.Event, chores: Callable[[], None] = lambda: None) -> int:
    deadline = None if duration is None else time.monotonic() + duration
    try:
        outcome = conductor.start(stop)
        if not isinstance(outcome, Ready):
            return _gave_up(conductor, outcome)
        start_cameras(cameras, stop)
        print("performer: playing; Ctrl-C stops", flush=True)
        while not stop.wait(0.2):
            if deadline is not None and time.monotonic() >= deadline:
                break
            for child in (engine, conductor):
                if not child.alive() and not _restart(child, stop):
                    return 1
            keep_cameras(cameras, stop)
            chores()
        return 0
    finally:
        for camera in cameras:
            camera.stop()
        conductor.stop()
        engine.stop()


def start_cameras(cameras: list[Child], stop: threading.Event) -> None:
    """Start each camera; one that does not is one line, and the rest go on."""
    for camera in cameras:
        if not isinstance(outcome := camera.start(stop), Ready):
            print(f"{not_started(camera, outcome)}; going on without it", file=sys.stderr)


def keep_cameras(cameras: list[Child], stop: threading.Event) -> None:
    """Restart a camera that died, its signals released for it first; one that keeps dying is dropped from
    ``cameras`` in one line (the music goes on)."""
    for camera in [c for c in cameras if c.proc is not None and not c.alive()]:
        if camera.on_death is not None:
            camera.on_death()
        if not (camera.may_restart() and isinstance(camera.start(stop), Ready)):
            print(f"performer: {camera.name} keeps failing; going on without it", file=sys.stderr)
            cameras.remove(camera)


def _restart(child: Child, stop: threading.Event) -> bool:
    """Bring a dead child back, unless it keeps dying."""
    code = child.returncode
    if not child.may_restart():
        print(f"performer: {child.name} keeps failing (exit {code}); stopping", file=sys.stderr)
        return False
    log.warning("%s exited unexpectedly (exit %s); restarting it", child.name, code)
    child.argv, child.resume = child.argv + list(child.resume), ()
    outcome = child.start(stop)
    if not isinstance(outcome, Ready) and not stop.is_set():
        print(not_started(child, outcome), file=sys.stderr, flush=True)
    return isinstance(outcome, Ready) or stop.is_set()
