"""Fault injection with real processes: `performer run` on a jackd of its own, one of its processes killed (or
its disk full), and how long the music took to come back. The tests assert what must hold; `performer bench
faults` reports the recovery times. Each fault returns a dict of what it measured."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from pythonosc.udp_client import SimpleUDPClient

from performer.bench.jackd import JackServer
from performer.generate.protocol import Generator
from performer.music.notes import NoteEvent
from performer.music.steering import Constraints, Steering
from performer.runtime.supervisor import free_port

ROOT = Path(__file__).resolve().parents[2]
SCENES = ROOT / "scenes"
RIG = """name = "faults"
root = "/"
show = "{show}"
seed = 3
[audio]
backend = "jack"
jack_name = "{jack}"
jack_connect = false
[engine]
lookahead_ms = 80
[midi]
api = "jack"
thru = false
inputs = [{{ port = "faults-knobs" }}]
[osc]
host = "127.0.0.1"
port = {port}
[model]
generator = "{generator}"
"""


PEOPLE = Path("/usr/share/doc/opencv-doc/examples/data/vtest.avi")  # people walking (Debian's opencv-doc)


def write_rig(folder: Path, jack: str, port: int, generator: str = "rules", camera: Path | None = None) -> Path:
    """The demo show (Dawn, Drift, Bloom, Ember) on the fault bench's jackd, with OSC on ``port`` and, if given,
    a camera watching motion in the video ``camera``."""
    rig = folder / "rig.toml"
    text = RIG.format(show=SCENES / "demo.show.toml", jack=jack, port=port, generator=generator)
    if camera is not None:
        text += f'[[cameras]]\ndevice = "{camera}"\nwidth = 320\nheight = 240\nmotion = true\n'
    rig.write_text(text)
    return rig


@dataclass
class LiveRun:
    """`performer run RIG` with a notes log and a session recording; its output is read as it comes, stamped."""

    rig: Path
    server: JackServer
    folder: Path
    record: Path | None = None  # the session file: FOLDER/take.jsonl unless given
    lines: list[tuple[float, str]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.notes, self.session = self.folder / "notes.jsonl", self.record or self.folder / "take.jsonl"
        self.proc = subprocess.Popen([sys.executable, "-m", "performer", "run", str(self.rig), "--notes-log",
                                      str(self.notes), "--record", str(self.session)],
                                     env=self.server.env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.lines.append((time.monotonic(), line.rstrip("\n")))

    def output(self) -> str:
        return "\n".join(line for _, line in self.lines)

    def said(self, text: str, after: float = 0.0) -> float | None:
        """When the run first printed a line containing ``text`` at or after ``after``."""
        return next((t for t, line in list(self.lines) if t >= after and text in line), None)

    def notes_logged(self) -> list[dict]:
        if not self.notes.exists():
            return []
        return [json.loads(line) for line in self.notes.read_text().splitlines() if line.endswith("}")]

    def child(self, module: str) -> int | None:
        """The pid of the run's child process whose command line names ``module`` (engine_process, conduct)."""
        for pid in _children(self.proc.pid):
            try:
                if module in Path(f"/proc/{pid}/cmdline").read_text().replace("\0", " "):
                    return pid
            except OSError:
                continue
        return None

    def stop(self) -> int:
        """SIGTERM, as Ctrl-C would; the exit code."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        return self.proc.returncode


def _children(pid: int) -> list[int]:
    out = subprocess.run(["ps", "-e", "-o", "pid=,ppid="], capture_output=True, text=True).stdout
    pairs = [tuple(int(x) for x in line.split()) for line in out.splitlines() if line.strip()]
    return [p for p, parent in pairs if parent == pid]


def wait_for(condition: Callable[[], object], timeout: float, what: str, run: LiveRun) -> float:
    """Poll every 20 ms until ``condition`` holds; the time it did. Raises naming ``what`` on a timeout or if
    the run exits first."""
    deadline = time.monotonic() + timeout
    while not condition():
        if run.proc.poll() is not None:
            raise RuntimeError(f"the run exited ({run.proc.returncode}) before {what}:\n{run.output()[-3000:]}")
        if time.monotonic() > deadline:
            raise RuntimeError(f"no {what} within {timeout:g} s:\n{run.output()[-3000:]}")
        time.sleep(0.02)
    return time.monotonic()


def conductor_killed(server: JackServer, folder: Path, generator: str = "rules") -> dict:
    """Cue the show to its second scene and move a control, kill the conductor (SIGKILL: no goodbye), and
    measure until the restarted conductor's first note. It must resume the scene, append to the session and
    the notes log."""
    port = free_port()
    run = LiveRun(write_rig(folder, "faults-engine", port, generator), server, folder)
    try:
        wait_for(lambda: run.notes_logged(), 40, "first note", run)
        osc = SimpleUDPClient("127.0.0.1", port)
        osc.send_message("/scene", "Drift")
        osc.send_message("/touch/dynamics", 0.8)
        wait_for(lambda: run.said("scene 'Drift' at"), 20, "Drift", run)
        time.sleep(2.5)  # the keeper saves the controls about once a second
        before = len(run.notes_logged())
        conductor = run.child("performer conduct")
        assert conductor is not None, "no conductor process"
        killed = time.monotonic()
        os.kill(conductor, signal.SIGKILL)
        wait_for(lambda: run.said("resuming the show", killed), 40, "a resumed conductor", run)
        back = wait_for(lambda: len(run.notes_logged()) > before, 40, "a note after the restart", run)
        time.sleep(1.0)
        code = run.stop()
    finally:
        run.stop()
    return {"recovery_s": round(back - killed, 3), "notes_before": before, "notes_after": len(run.notes_logged()),
            "exit_code": code, "output": run.output(), "session": run.session, "notes": run.notes}


def disk_full(server: JackServer, folder: Path) -> dict:
    """Record to /dev/full, where every write fails as on a full disk: the recording stops with one line, and the
    notes go on (counted for a few seconds after it)."""
    run = LiveRun(write_rig(folder, "faults-full", free_port()), server, folder, record=Path("/dev/full"))
    try:
        wait_for(lambda: run.notes_logged(), 40, "first note", run)
        stopped = wait_for(lambda: run.said("session recording stopped"), 10, "the recording's one line", run)
        before = len(run.notes_logged())
        time.sleep(4.0)
        after = len(run.notes_logged())
        code = run.stop()
    finally:
        run.stop()
    lines = [line for _, line in run.lines if "/dev/full" in line]
    return {"notes_in_4_s_after": after - before, "lines_about_it": lines, "exit_code": code,
            "said_after_s": round(stopped - run.lines[0][0], 3), "output": run.output()}


def engine_killed(server: JackServer, folder: Path) -> dict:
    """Kill the engine (SIGKILL) mid-show: the supervisor starts a new one, silent until the conductor's next
    notes (all notes off), and the conductor carries on, the same process, sending."""
    run = LiveRun(write_rig(folder, "faults-engine-kill", free_port()), server, folder)
    try:
        wait_for(lambda: run.notes_logged(), 40, "first note", run)
        engine, conductor = run.child("engine_process"), run.child("performer conduct")
        assert engine is not None and conductor is not None, "no engine or conductor process"
        killed = time.monotonic()
        os.kill(engine, signal.SIGKILL)
        back = wait_for(lambda: run.said("engine: ready on port", killed), 20, "a new engine", run)
        before = len(run.notes_logged())
        wait_for(lambda: len(run.notes_logged()) > before + 4, 20, "notes after the new engine", run)
        same = run.child("performer conduct") == conductor
        code = run.stop()
    finally:
        run.stop()
    return {"recovery_s": round(back - killed, 3), "same_conductor": same, "exit_code": code,
            "output": run.output()}


def midi_replugged(server: JackServer, folder: Path) -> dict:
    """A knob box pulled out and plugged back in (its JACK port closed and opened again): how long until the
    conductor hears it again (it looks for ports each second), timed by the recorded session."""
    os.environ.update(server.env)  # libjack in this process: the knob box's port
    import mido

    backend = mido.Backend("mido.backends.rtmidi/UNIX_JACK", load=True)
    run = LiveRun(write_rig(folder, "faults-midi", free_port()), server, folder)
    knobs = backend.open_output("faults-knobs", virtual=True)
    try:
        listening = "MIDI: listening to RtMidiOut Client:faults-knobs"
        wait_for(lambda: run.said(listening), 40, "the conductor listening", run)
        knobs.close()  # pulled out
        wait_for(lambda: run.said("went away"), 10, "the port gone", run)
        knobs = backend.open_output("faults-knobs", virtual=True)
        plugged, value = time.monotonic(), 0
        while not _heard(run.session) and time.monotonic() < plugged + 10:
            value = value % 127 + 1
            knobs.send(mido.Message("control_change", control=1, value=value))
            time.sleep(0.02)
        heard = time.monotonic()
        code = run.stop()
    finally:
        knobs.close()
        run.stop()
    return {"reconnect_s": round(heard - plugged, 3), "heard": heard - plugged < 10, "exit_code": code,
            "output": run.output()}


def _heard(session: Path) -> bool:
    """Whether the session has recorded midi/cc/1: nothing is sent on it before the knob box comes back."""
    return session.exists() and '"midi/cc/1"' in session.read_text()


def camera_killed(server: JackServer, folder: Path) -> dict:
    """Kill the camera process (SIGKILL: it cannot say goodbye): the supervisor releases its signals for it, so
    they glide to the scenes' defaults, and starts a new one; timed until its signals are recorded again."""
    run = LiveRun(write_rig(folder, "faults-camera", free_port(), camera=PEOPLE), server, folder)
    try:
        wait_for(lambda: _recorded(run.session, "audience/energy") > 20, 60, "the camera's signals", run)
        camera = run.child("camera_process")
        assert camera is not None, "no camera process"
        before, notes = _recorded(run.session, "audience/energy"), len(run.notes_logged())
        killed = time.monotonic()
        os.kill(camera, signal.SIGKILL)
        released = wait_for(lambda: _recorded(run.session, "release") > 0, 10, "its signals released", run)
        back = wait_for(lambda: _recorded(run.session, "audience/energy") > before + 5, 30, "the camera back", run)
        played = len(run.notes_logged()) - notes
        code = run.stop()
    finally:
        run.stop()
    return {"released_s": round(released - killed, 3), "recovery_s": round(back - killed, 3),
            "notes_meanwhile": played, "exit_code": code, "output": run.output()}


def _recorded(session: Path, what: str) -> int:
    """How many lines of the session name ``what`` (a signal, or "release")."""
    if not session.exists():
        return 0
    return sum(f'"{what}"' in line for line in session.read_text().splitlines())


class Flaky:
    """A generator that works until a bug is met mid-show: once it has made ``after`` notes, every call that
    makes one raises."""

    def __init__(self, inner: Generator, after: int) -> None:
        self.inner, self.after, self.notes = inner, after, 0

    def _check(self) -> None:
        if self.notes >= self.after:
            raise FloatingPointError("a bug met mid-show")

    def feed(self, note: NoteEvent) -> None:
        self.inner.feed(note)

    def sample(self, steering: Steering, constraints: Constraints) -> NoteEvent:
        self._check()
        self.notes += 1
        return self.inner.sample(steering, constraints)

    def plan(self, steering: Steering, constraints: Constraints) -> float:
        self._check()
        return self.inner.plan(steering, constraints)

    def complete(self, steering: Steering, constraints: Constraints, delta: float) -> NoteEvent:
        self._check()
        self.notes += 1
        return self.inner.complete(steering, constraints, delta)

    def cut_after(self, beats: float) -> None:
        self.inner.cut_after(beats)

    def reset(self) -> None:
        self.inner.reset()

    def snapshot(self) -> Any:
        return self.inner.snapshot()

    def restore(self, snapshot: Any) -> None:
        self.inner.restore(snapshot)


def generator_failing(after: int = 12, seconds: float = 40.0) -> dict:
    """The laptop rig's model failing from each voice's ``after``-th note: the longest gap around the failure, in
    beats beyond the voice's own longest gap before it (the fallback's delay)."""
    from performer.config.loading import load_rig
    from performer.generate.model.generator import ModelGenerator
    from performer.generate.model.runner import Runner
    from performer.generate.model.weights import load_weights
    from performer.offline.render import CollectSink
    from performer.show.conductor import Conductor

    loaded, sink = load_rig(ROOT / "rigs" / "laptop.toml"), CollectSink()
    runner = Runner(load_weights())
    conductor = Conductor(loaded, sink, start=0.0,
                          factory=lambda seed, scene, index: Flaky(ModelGenerator(runner, seed=seed), after))
    conductor.advance_to(seconds)
    beat, worst = 60.0 / loaded.scenes[0].tempo, {}
    for voice in sorted({v.name for v in loaded.scenes[0].voices}):
        onsets = sorted({n.start for n in sink.notes if n.voice == voice})
        gaps = [b - a for a, b in zip(onsets, onsets[1:])]
        worst[voice] = round((max(gaps[after - 2:after + 2]) - max(gaps[:after - 2])) / beat, 3)
    return {"extra_gap_beats": worst, "notes_after": {v: sum(n.voice == v for n in sink.notes) for v in worst}}


def bench_faults() -> dict:
    """Every fault, on a jackd of its own, with what it took to recover."""
    import tempfile

    out: dict = {"generator_failing": generator_failing()}
    steps = {"conductor_killed": conductor_killed,
             "conductor_killed_model": lambda s, f: conductor_killed(s, f, "model"),
             "engine_killed": engine_killed, "camera_killed": camera_killed, "midi_replugged": midi_replugged,
             "disk_full": disk_full}
    with JackServer(realtime=False, prefix="performer-faults") as server:
        for name, step in steps.items():
            with tempfile.TemporaryDirectory() as folder:
                result = step(server, Path(folder))
            out[name] = {k: v for k, v in result.items() if k not in ("output", "session", "notes")}
    return out
