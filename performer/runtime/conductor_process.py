"""The conductor process (``performer conduct``, started by ``performer run``): inputs feed one queue, and one
loop drains it and advances the conductor on the wall clock. Input threads only stamp and enqueue."""

from __future__ import annotations

import argparse
import contextlib
import logging
import queue
import signal
import threading
import time
from datetime import datetime
from pathlib import Path
from typing import Callable, Iterator, Protocol, TypeVar

from performer.config.loading import LoadedRig
from performer.generate.factory import GeneratorFactory, rig_factory
from performer.music.timeline import BeatClock
from performer.runtime.clockin import ClockIn, ClockTransport
from performer.runtime.echoes import ExpectedEchoes
from performer.runtime.engine_link import EngineLink
from performer.runtime.handshake import Announcer
from performer.runtime.inputs import Inputs, SceneFollower
from performer.runtime.midiclock import ClockSender
from performer.runtime.oscout import OscOut
from performer.runtime.recording import Appender, Recording
from performer.runtime.runfolder import RunFolder
from performer.runtime.statusport import StatusPort
from performer.show.clock import WallClock
from performer.show.conductor import Conductor
from performer.show.director import GalleryDirector
from performer.show.position import Position, ShowKeeper, default_state_file
from performer.show.reload import SceneReloader
from performer.show.status import Frames
from sensors.events import ControlEvent, Event
from sensors.link import LinkSession
from sensors.udp import UdpReceiver
from synthesis.protocol import Health, decode

log = logging.getLogger(__name__)

START_DELAY = 0.3  # seconds from start-up to the first beat, so the first notes go out a lookahead early


class Looker(Protocol):
    """Something the conductor's loop lets look at the world every so often (the gallery's calendar, files)."""

    def look(self, t: float) -> None: ...


HEALTH_LOG_PERIOD = 10.0  # seconds between health lines, so a struggling engine does not flood the log


def _watch_health(port: int, listeners: list[Callable[[Health], None]]) -> UdpReceiver | None:
    """Log the engine's health when xruns, late or dropped notes or callback gaps grow, at most every 10 s; and
    hand each report to ``listeners`` (the monitor's frames)."""
    if not port:
        return None
    shown: dict[str, float] = {"xruns": 0, "late": 0, "dropped": 0, "gaps": 0, "at": -HEALTH_LOG_PERIOD}

    def on_health(dgram: bytes, sender: tuple[str, int]) -> None:
        try:
            health = decode(dgram)
        except ValueError:
            return
        if not isinstance(health, Health):
            return
        for listener in listeners:
            listener(health)
        if time.monotonic() - shown["at"] < HEALTH_LOG_PERIOD:
            return
        keys = ("xruns", "late", "dropped", "gaps")
        grown = [f"{k} {getattr(health, k)}" for k in keys if getattr(health, k) > shown[k]]
        if grown:
            log.warning("engine: %s (voices %d, played %d, cpu %d%%)", ", ".join(grown), health.voices,
                        health.played, health.cpu)
            shown.update({k: getattr(health, k) for k in keys}, at=time.monotonic())

    return UdpReceiver("127.0.0.1", port, on_health, name="health").start()


@contextlib.contextmanager
def _appending(path: str | None, what: str) -> Iterator[Appender | None]:
    """The notes log, appended to (a restarted conductor keeps what the last one logged)."""
    if path is None:
        yield None
        return
    out = Appender(Path(path), what)
    try:
        yield out
    finally:
        out.close()


def conduct_live(loaded: LoadedRig, args: argparse.Namespace, announcer: Announcer) -> int:
    """Run the conductor until SIGTERM/SIGINT; then send all-notes-off. Whatever is opened registers its own
    closing on ``done``, so it closes in reverse order, whatever happened."""
    clock = WallClock()
    inbox: queue.Queue[Event] = queue.Queue()
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    with contextlib.ExitStack() as done:
        heard: list[Callable[[Health], None]] = []
        folder = RunFolder(args.session_dir, loaded, clock.now)  # the run's session folder, if it has one
        done.callback(folder.close)  # last: after the health receiver, which writes its log
        heard += [folder.health.heard] if folder.health is not None else []
        _closing(done, _watch_health(args.health_port, heard))
        output = loaded.rig.midi.output
        echoes = ExpectedEchoes(output, clock.now) if output is not None and output.echo_window_ms > 0 else None
        if echoes is not None:
            done.callback(lambda: log.info("conductor: %d echoes of the MIDI out dropped", echoes.count))
        # Loading the model takes a while, and so may opening MIDI ports and joining Link: the show starts after.
        factory = rig_factory(loaded)
        inputs = Inputs(loaded, clock, inbox, echoes, keys=args.keys, camera_channel=args.camera_channel)
        done.callback(inputs.close)
        session = _link(loaded)
        if session is not None:
            done.callback(session.close)
        start = clock.now() + START_DELAY
        folder.begin(start)
        notes_log = done.enter_context(_appending(args.notes_log, "notes log"))
        engine = EngineLink("127.0.0.1", args.engine_port, origin=start, log_to=folder.notes(notes_log), echoes=echoes)
        done.callback(engine.close)
        done.callback(engine.panic)
        keep = Position(Path(args.state)) if args.state and loaded.rig.gallery is None else None  # for a restart
        conductor = _conductor(loaded, args, engine, start, factory, session, keep)
        lookers = _lookers(loaded, conductor, start, keep) + [SceneFollower(conductor, inputs)]
        lookers += _outputs(done, loaded, conductor, inputs, clock, session, engine, heard)
        lookers += folder.lookers(conductor, session)
        writer = folder.recording(args.record, start, rig=loaded.rig.name)
        if writer is not None:
            done.callback(lambda: writer.close(clock.now()))
        announcer.ready()
        _loop(conductor, clock, inbox, stop, writer, lookers)
    return 0


class Closes(Protocol):
    def close(self) -> None: ...


C = TypeVar("C", bound=Closes)


def _closing(done: contextlib.ExitStack, thing: C | None) -> C | None:
    """``thing`` (if any) closed when ``done`` closes."""
    if thing is not None:
        done.callback(thing.close)
    return thing


def _conductor(loaded: LoadedRig, args: argparse.Namespace, engine: EngineLink, start: float,
               factory: GeneratorFactory, session: BeatClock | None, keep: Position | None) -> Conductor:
    """The conductor, beginning where the show should (a restart resumes where ``keep`` says), the knobs where
    the player left them. A gallery's director decides for itself."""
    first, controls = _first(loaded, args.hold, keep if args.resume else None)
    conductor = Conductor(loaded, engine, start=start, factory=factory, hold=args.hold is not None, first=first,
                          link=session)
    for name, value in controls.items():
        conductor.ingest(ControlEvent(start, name, value))
    return conductor


def _outputs(done: contextlib.ExitStack, loaded: LoadedRig, conductor: Conductor, inputs: Inputs,
             clock: WallClock, session: BeatClock | None, engine: EngineLink,
             heard: list[Callable[[Health], None]]) -> list[Looker]:
    """What the loop lets send the show out: OSC for visuals, the MIDI clock (and an incoming clock's transport),
    and the monitors' status port."""
    lookers: list[Looker] = []
    out = _closing(done, OscOut(loaded.rig.osc.out, conductor) if loaded.rig.osc.out is not None else None)
    lookers += [out] if out is not None else []
    if isinstance(session, ClockIn):  # the master's Start, Continue and Stop play and stop the show
        lookers.append(ClockTransport(conductor, session.follower, conductor.start))
    output = loaded.rig.midi.output
    if output is not None and output.clock:
        midi_clock = ClockSender(conductor, engine.clock)
        done.callback(lambda: midi_clock.close(clock.now()))
        lookers.append(midi_clock)
    status = _closing(done, _status_port(loaded, conductor, inputs, clock))
    if status is not None:
        lookers.append(status)
        heard.append(status.health)
    return lookers


def _lookers(loaded: LoadedRig, conductor: Conductor, start: float, keep: Position | None) -> list[Looker]:
    """What the loop lets look at the world now and then: a gallery's calendar, rehearsal's scene files, and
    the show's position for a restart."""
    lookers: list[Looker] = [ShowKeeper(conductor, keep)] if keep is not None else []
    gallery = loaded.rig.gallery
    if gallery is not None:
        state = loaded.path.parent / gallery.state_file if gallery.state_file else default_state_file(
            loaded.rig.name)
        lookers.append(GalleryDirector(gallery, conductor, datetime.now, Position(state)))
    if loaded.rig.reload:
        lookers.append(SceneReloader(conductor))
    for looker in lookers:
        looker.look(start)
    return lookers


def _status_port(loaded: LoadedRig, conductor: Conductor, inputs: Inputs, clock: WallClock) -> StatusPort | None:
    """The port monitors attach to, if the rig has one; a port already taken is one line, and no monitor."""
    config = loaded.rig.monitor
    if not config.port:
        return None
    try:
        port = StatusPort(Frames(conductor, control=config.control), config.port, config.rate, inputs.put,
                          clock.now)
    except OSError as err:
        log.warning("monitor: cannot listen on 127.0.0.1:%d (%s); going on without a monitor", config.port,
                    err.strerror or err)
        return None
    log.info("monitor: attach with `performer monitor` (127.0.0.1:%d, %s)", port.port,
             "cues and signals allowed" if config.control else "watch only")
    return port


def _link(loaded: LoadedRig) -> LinkSession | ClockIn | None:
    """The rig's shared clock, which scenes with ``link = true`` follow: an incoming MIDI clock, or the Ableton Link
    session it joins (a missing library is one line and fixed tempi)."""
    if loaded.rig.midi.clock_in:
        clock = ClockIn(loaded)
        return clock if clock.inputs is not None else None
    if not loaded.rig.link.enabled:
        return None
    try:
        session = LinkSession(loaded.scenes[0].tempo, loaded.rig.link.quantum)
    except ImportError as err:
        log.warning("Ableton Link: %s; scenes play their own tempi", err)
        return None
    log.info("Ableton Link: joined (%d peers, %.1f bpm)", session.peers(), session.tempo())
    return session


def _first(loaded: LoadedRig, hold: str | None, resume: Position | None) -> tuple[int | None, dict[str, float]]:
    """The scene to begin with and the controls to set: a gallery's director decides (it may be closed); else
    the one to hold (rehearsal's loop one scene), or where a restarted show was, else the first."""
    if loaded.rig.gallery is not None:
        return None, {}
    names = [s.name for s in loaded.scenes]
    if hold and hold not in names:
        log.warning("--hold %r: no such scene (scenes: %s); holding the first", hold, ", ".join(names))
    saved, controls = ShowKeeper.resume(resume, names) if resume is not None else (None, {})
    if hold:
        return (names.index(hold) if hold in names else 0), controls
    if saved is not None:
        log.info("resuming the show at scene %r", names[saved])
        return saved, controls
    return 0, controls


def _loop(conductor: Conductor, clock: WallClock, inbox: "queue.Queue[Event]", stop: threading.Event,
          writer: Recording | None, lookers: list[Looker]) -> None:
    """Sleep until the next event or the conductor's next deadline, whichever comes first."""
    while not stop.is_set():
        for looker in lookers:
            looker.look(clock.now())
        timeout = min(0.25, max(0.0, conductor.next_wakeup() - clock.now()))
        try:
            event: Event | None = inbox.get(timeout=timeout)
        except queue.Empty:
            event = None
        while event is not None:
            conductor.ingest(event)
            if writer:
                writer.write(event)
            try:
                event = inbox.get_nowait()
            except queue.Empty:
                event = None
        conductor.advance_to(clock.now())
