"""The show at a glance, for the monitor: one JSON-able frame of what the conductor is doing (scene, next cue, bar
and beat, tempo, every mapped signal with the mappings that read it, the voices' last notes, the model's and the
engine's figures), and the monitor's requests back (cues and signal moves) as the bus events they mean. Pure: the
conductor process sends the frames and reads the requests (performer/runtime/statusport.py)."""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass, field
from typing import Any, Collection, Optional

from performer.config.scene import SceneSpec
from performer.show.conductor import Conductor
from sensors.cues import WORDS, numbered
from sensors.events import ControlEvent, CueEvent, Event
from synthesis.protocol import SILENT_CDB, Health, Note

NOTES_KEPT = 16  # the last notes of each voice a frame carries (a rolling piano roll of a few bars)
MAX_VOICES = 16  # voices a frame carries notes of
SIGNALS_SHOWN = 64  # signals a frame carries: a show maps a few dozen at most
NAME_MAX = 200  # characters of a signal name a request may carry


def readers(spec: SceneSpec) -> dict[str, list[str]]:
    """Each signal the scene reads, with what reads it: ``voice.param`` for a mapping, ``trigger``/``strike``."""
    out: dict[str, list[str]] = {}
    for m in spec.mappings:
        param = getattr(m.param, "value", m.param)
        out.setdefault(m.signal, []).append(f"{m.voice}.{param}" if m.voice else str(param))
    for trigger in spec.triggers:
        out.setdefault(trigger.signal, []).append("trigger")
    for strike in spec.strikes:
        out.setdefault(strike.signal, []).append("strike")
    return out


def mapped_signals(scenes: tuple[SceneSpec, ...]) -> list[str]:
    """Every signal some scene of the show reads, in the order the scenes name them."""
    return list(dict.fromkeys(name for spec in scenes for name in readers(spec)))


def defaults(scenes: tuple[SceneSpec, ...]) -> dict[str, float]:
    """The value a mapping assumes for each signal while it is absent (the first mapping's)."""
    out: dict[str, float] = {}
    for spec in scenes:
        for m in spec.mappings:
            out.setdefault(m.signal, m.default)
    return out


@dataclass(frozen=True)
class ShowSignals:
    """What the show's files say about its signals, worked out once per show (again only when a scene reloads):
    the signals it maps, in order, their defaults, and each scene's readers of them."""

    scenes: tuple[SceneSpec, ...]
    mapped: tuple[str, ...]
    assumed: dict[str, float]
    readers: tuple[dict[str, list[str]], ...]

    @classmethod
    def of(cls, scenes: tuple[SceneSpec, ...]) -> ShowSignals:
        return cls(scenes, tuple(mapped_signals(scenes)), defaults(scenes), tuple(readers(s) for s in scenes))


@dataclass
class Frames:
    """Builds the frames of one conductor: it listens to the notes it sends, and keeps what a frame needs
    between frames (the model's time so far, the engine's latest health, the show's signals)."""

    conductor: Conductor
    control: bool = False
    health: Optional[Health] = None
    _notes: dict[str, deque[Note]] = field(default_factory=dict)
    _spent: tuple[float, int] = (0.0, 0)
    _ms: float = math.nan
    _show: Optional[ShowSignals] = None

    def __post_init__(self) -> None:
        self.conductor.on_note.append(self._heard)

    @property
    def show(self) -> ShowSignals:
        """The show's signals, worked out again only if its scenes changed (a reload)."""
        scenes = self.conductor.loaded.scenes
        if self._show is None or self._show.scenes is not scenes:
            self._show = ShowSignals.of(scenes)
        return self._show

    def _heard(self, note: Note) -> None:
        if note.voice in self._notes or len(self._notes) < MAX_VOICES:
            self._notes.setdefault(note.voice, deque(maxlen=NOTES_KEPT)).append(note)

    def frame(self, t: float) -> dict[str, Any]:
        """What the monitor shows at conductor time ``t``."""
        c = self.conductor
        scenes = c.loaded.scenes
        return {"rig": c.loaded.rig.name, "t": round(t - c.start, 3), "control": self.control,
                "scenes": [s.name for s in scenes], **self._position(t), "signals": self._signals(),
                "voices": self._voices(t), "drums": sorted({v.name for s in scenes for v in s.voices if v.drums}),
                "model_ms": self._model_ms(), "panics": c.panics,
                "engine": _engine(self.health)}

    def _position(self, t: float) -> dict[str, Any]:
        """The scene, the next cue, bar, beat and tempo."""
        c = self.conductor
        run = c.playing(t)
        upcoming, auto = c.upcoming()
        out: dict[str, Any] = {"scene": c.scene_index, "stopped": c.stopped, "next": upcoming,
                               "auto_in": round(auto - t, 1) if math.isfinite(auto) else None,
                               "bar": 0, "beat": 0, "tempo": None, "peers": None}
        peers = getattr(c.link, "peers", None)  # a Link session counts its peers; another clock has none
        if peers is not None:
            out["peers"] = peers()
        if run is not None and not c.stopped:
            beat = run.timeline.beat_at(t)
            per_bar = run.spec.beats_per_bar
            out.update(bar=math.floor(beat / per_bar) + 1 if beat >= 0 else 0,
                       beat=math.floor(beat % per_bar) + 1 if beat >= 0 else 0,
                       tempo=round(60.0 / run.timeline.seconds_per_beat(), 1))
        return out

    def _signals(self) -> list[list[Any]]:
        """[name, value, set, readers] for each signal the show maps: readers are the playing scene's."""
        c, show = self.conductor, self.show
        read = show.readers[c.scene_index]
        return [[name, round(c.bus.value(name, show.assumed.get(name, 0.0)), 4), c.bus.last(name) is not None,
                 read.get(name, [])] for name in show.mapped[:SIGNALS_SHOWN]]

    def _voices(self, t: float) -> dict[str, list[list[float]]]:
        """Each voice's last notes begun by ``t``: [pitch, seconds ago, duration, velocity]."""
        return {voice: [[n.pitch, round(t - n.start, 2), round(n.duration, 2), n.velocity]
                        for n in notes if n.start <= t]
                for voice, notes in self._notes.items()}

    def _model_ms(self) -> float | None:
        """Milliseconds the generators took per note since the last frame that chose any."""
        c = self.conductor
        seconds, count = c.decide_seconds - self._spent[0], c.decided - self._spent[1]
        if count > 0:
            self._ms, self._spent = 1000.0 * seconds / count, (c.decide_seconds, c.decided)
        return None if math.isnan(self._ms) else round(self._ms, 3)


def _engine(health: Health | None) -> dict[str, Any] | None:
    """The engine's last report, as the monitor shows it."""
    if health is None:
        return None
    return {"cpu": health.cpu, "xruns": health.xruns, "voices": health.voices, "late": health.late,
            "dropped": health.dropped, "played": health.played,
            "peak_db": None if health.peak_cdb <= SILENT_CDB else health.peak_cdb / 100.0}


def request_events(request: object, t: float, signals: Collection[str], scenes: int) -> list[Event]:
    """The bus events one monitor request means, or [] for one that means nothing: ``{"cue": "go"}`` (a cue
    word, or ``{"cue": N}`` for scene N counting from 1), ``{"set": NAME, "value": V}`` for a mapped signal,
    V in 0..1."""
    if not isinstance(request, dict):
        return []
    cue = request.get("cue")
    if isinstance(cue, str) and cue in WORDS:
        return [CueEvent(t, WORDS[cue].value)]
    if isinstance(cue, int) and not isinstance(cue, bool) and 1 <= cue <= scenes:
        return [CueEvent(t, numbered(cue - 1))]
    name, value = request.get("set"), request.get("value")
    if (isinstance(name, str) and len(name) <= NAME_MAX and name in signals and isinstance(value, (int, float))
            and not isinstance(value, bool) and 0.0 <= value <= 1.0):
        return [ControlEvent(t, name, float(value))]
    return []
