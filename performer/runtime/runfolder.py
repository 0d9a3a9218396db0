"""A run's session folder from the conductor's side (``performer conduct --session-dir``): what it writes there
while the show plays. The sensor log and the notes log are the recordings ``--record`` and ``--notes-log`` make;
beside them go the engine's health each second, the scenes as they begin, and Link's tempo while a scene follows
it. Every file is appended to (a restarted conductor carries on) and all share the folder's budget
(``[sessions] max_mb``). Each line carries ``clock``, the monotonic time every process shares, so the files of a
restarted conductor line up with the first one's."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

from performer.config.loading import LoadedRig
from performer.config.sessionfolder import HEALTH, LINK, NOTES, SCENES, SESSION
from performer.music.timeline import BeatClock
from performer.runtime.recording import Appender, Budget, Lines, Recording, SessionWriter, Tee
from performer.runtime.sessions import usage
from performer.show.conductor import Conductor
from synthesis.protocol import NO_MARGIN, Health, Note

LINK_EVERY = 1.0  # seconds between Link samples while the tempo holds
LINK_GAP = 0.05  # seconds at least between samples while it moves (a tempo knob being turned)


class HealthLog:
    """health.jsonl: each of the engine's reports (about one a second), with the notes the conductor itself sent
    after their start (its loop held up), counted so far. Reports that come while the conductor is still loading
    have no ``t`` (null): the show has not started; their counts are what the show's are counted from."""

    def __init__(self, out: Appender, now: Callable[[], float]) -> None:
        self.out, self.now = out, now
        self.origin: float | None = None  # the show's start, once known
        self.late = 0

    def heard(self, health: Health) -> None:
        """One report, as one line (called on the health receiver's thread, the only one writing here)."""
        now = self.now()
        t = round(now - self.origin, 3) if self.origin is not None else None
        margin = None if health.margin_us == NO_MARGIN else round(health.margin_us / 1000.0, 3)
        self.out.line({"t": t, "clock": round(now, 6), "late": health.late,
                       "xruns": health.xruns, "cpu": health.cpu, "voices": health.voices, "dropped": health.dropped,
                       "gaps": health.gaps, "played": health.played, "margin_ms": margin,
                       "conductor_late": self.late})

    def sent(self, note: Note) -> None:
        """A note the conductor just sent: late if its start has passed."""
        if note.start < self.now():
            self.late += 1


class SceneMarks:
    """scenes.jsonl: each scene when it begins, with its tempo (the shared clock's when it follows one)."""

    def __init__(self, conductor: Conductor, out: Appender, origin: float, link: BeatClock | None) -> None:
        self.conductor, self.out, self.origin, self.link = conductor, out, origin, link
        self._last: tuple[float, str] | None = None

    def look(self, t: float) -> None:
        run = self.conductor.playing(t)
        if run is None or run.start > t or self._last == (run.start, run.spec.name):
            return
        self._last = (run.start, run.spec.name)
        follows = run.spec.link and self.link is not None
        tempo = self.link.tempo() if follows and self.link is not None else run.spec.tempo
        self.out.line({"t": round(run.start - self.origin, 6), "clock": round(run.start, 6), "scene": run.spec.name,
                       "tempo": round(tempo, 6), "link": bool(follows)})


class LinkLog:
    """link.jsonl: the shared clock's tempo and beat (an Ableton Link session, with its peers, or an incoming MIDI
    clock) every second, and whenever the tempo moves, so that a replay places the beats where this run did
    (performer/music/linkreplay.py)."""

    def __init__(self, session: BeatClock, out: Appender, origin: float) -> None:
        self.session, self.out, self.origin = session, out, origin
        self._at, self._tempo = -LINK_EVERY, 0.0

    def look(self, t: float) -> None:
        if t - self._at < LINK_GAP:  # the conductor looks ~100 times a second; the tempo is read at most this often
            return
        tempo = self.session.tempo()
        moved = abs(tempo - self._tempo) > 1e-3
        if not moved and t - self._at < LINK_EVERY:
            return
        self._at, self._tempo = t, tempo
        peers = getattr(self.session, "peers", None)  # Link's; a MIDI clock has none
        self.out.line({"t": round(t - self.origin, 6), "clock": t, "tempo": tempo, "beat": self.session.beat_at(t),
                       "peers": peers() if callable(peers) else None})


class RunFolder:
    """The files the conductor writes into a run's folder; with no folder, none (every method gives back what
    the command line alone asks for)."""

    def __init__(self, folder: str | None, loaded: LoadedRig, now: Callable[[], float]) -> None:
        self.path = Path(folder) if folder else None
        self.loaded, self.now = loaded, now
        self.origin = 0.0  # the show's start, once it is known (begin)
        self.budget = Budget(self.path, int(loaded.rig.sessions.max_mb * (1 << 20)), usage(self.path)[0]) \
            if self.path is not None else None
        self._files: list[Appender] = []
        self.health = HealthLog(self._open(HEALTH, "health log"), now) if self.path is not None else None

    def _open(self, name: str, what: str) -> Appender:
        assert self.path is not None
        out = Appender(self.path / name, what, self.budget)
        self._files.append(out)
        return out

    def begin(self, origin: float) -> None:
        """The show starts at ``origin`` (conductor clock): the health log counts from there."""
        self.origin = origin
        if self.health is not None:
            self.health.origin = origin

    def notes(self, also: Appender | None) -> Lines | None:
        """Where the notes log goes: the folder's notes.jsonl, and ``also`` (``--notes-log``)."""
        if self.path is None:
            return also
        mine = self._open(NOTES, "notes log")
        return Tee([mine, also]) if also is not None else mine

    def recording(self, also: str | None, origin: float, **header: Any) -> Recording | None:
        """The session recording: the folder's session.jsonl, and the file ``--record`` names."""
        header["clock"] = round(origin, 6)  # where the segment starts on the clock the other files' lines carry
        writers = [SessionWriter(self.path / SESSION, origin, self.budget, **header)] if self.path is not None else []
        writers += [SessionWriter(Path(also), origin, **header)] if also else []
        return Recording(writers) if writers else None

    def lookers(self, conductor: Conductor, link: BeatClock | None) -> list[SceneMarks | LinkLog]:
        """What watches the show for the folder: the scene marks and, if a scene follows the shared clock (Link,
        or a MIDI clock), its log; and the conductor's own late notes are counted for the health log."""
        if self.path is None:
            return []
        if self.health is not None:
            conductor.on_note.append(self.health.sent)
        found: list[SceneMarks | LinkLog] = [SceneMarks(conductor, self._open(SCENES, "scene marks"), self.origin,
                                                        link)]
        if link is not None and any(scene.link for scene in self.loaded.scenes):
            found.append(LinkLog(link, self._open(LINK, "Link log"), self.origin))
        for looker in found:
            looker.look(self.now())
        return found

    def close(self) -> None:
        for out in self._files:
            out.close()

