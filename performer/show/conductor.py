"""The conductor: applies stamped events to the bus, evaluates mappings at a fixed control rate, sequences scenes
and asks each voice's generator for notes a lookahead before they sound.

It is a discrete-event machine driven only by ``advance_to(t)``, so live (wall clock) and offline (sample clock)
runs fed the same stamped events produce the same notes."""

from __future__ import annotations

import bisect
import dataclasses
import logging
import math
import time
from dataclasses import dataclass, field
from typing import Callable, Protocol

from performer.config.loading import LoadedRig
from performer.config.scene import SceneSpec
from performer.generate.factory import GeneratorFactory
from performer.music.timeline import BeatClock, FollowTimeline, bar_line_at_or_after
from performer.show.bus import ControlBus
from performer.show.scenerun import SceneRun
from performer.show.sequencer import SceneChange, Sequencer
from sensors.cues import Command, Cue, numbered
from sensors.events import ControlEvent, CueEvent, Event, PlayerMidi, ReleaseEvent
from synthesis.protocol import Cut, Loudness, Note, Param, Thru
from synthesis.thru import HOLD_LIMIT, Key, KeyOn, ThruKeys

log = logging.getLogger(__name__)

COUNT_IN = (76, 77)  # the count-in's clicks, first beat then the others: GM's wood block notes, which the drum
# kit plays as short pitched percussion (a sine at the note's pitch), and an external GM synth as wood blocks
CONTROL_RATE = 100.0  # Hz: mappings and their smoothing update on this grid
TRACE_EVERY = 5  # ticks between trace samples (20 Hz curves)


class NoteSink(Protocol):
    """Where notes go: the live engine over OSC, or a list for an offline render."""

    def send(self, note: Note) -> None: ...

    def param(self, param: Param) -> None: ...

    def panic(self) -> None: ...

    def thru(self, thru: Thru) -> None: ...

    def loudness(self, loudness: Loudness) -> None: ...

    def cut(self, cut: Cut) -> None: ...

    def played(self, note: Note) -> None:
        """A player's key, once released: live the engine played it already; offline it is rendered."""
        ...


@dataclass
class Trace:
    """What happened, for the render's notes.mid and summary.png."""

    notes: list[Note] = field(default_factory=list)
    params: list[Param] = field(default_factory=list)
    loudness: list[Loudness] = field(default_factory=list)
    cuts: list[Cut] = field(default_factory=list)
    scenes: list[tuple[float, str]] = field(default_factory=list)
    curves: dict[str, list[tuple[float, float]]] = field(default_factory=dict)

    def sample(self, name: str, t: float, value: float) -> None:
        self.curves.setdefault(name, []).append((t, value))


class Conductor:
    """Turns the bus and the show into notes, one decision at a time."""

    def __init__(self, loaded: LoadedRig, sink: NoteSink, factory: GeneratorFactory, start: float,
                 trace: Trace | None = None, hold: bool = False, first: int | None = 0,
                 link: BeatClock | None = None) -> None:
        self.loaded = loaded
        self.factory = factory
        self.sink = sink
        self.bus = ControlBus()
        self.trace = trace
        self.lookahead = loaded.rig.engine.lookahead_ms / 1000.0
        self.period = 1.0 / CONTROL_RATE
        self.start = start
        self._tick = 0
        self.replans = 0  # onsets planned again because the steering moved (bounded: SceneRun.replan)
        self._pending: list[Event] = []
        midi = loaded.rig.midi
        self.keys = ThruKeys(channel=midi.thru_channel)
        self._down: dict[Key, tuple[float, int, str]] = {}  # key -> (time, velocity, instrument)
        self.on_scene: list[Callable[[int, SceneSpec], None]] = []  # told each time a scene is placed
        self.on_note: list[Callable[[Note], None]] = []  # told each note sent (OSC out for visuals)
        self.link = link  # an Ableton Link session, which scenes with link = true follow
        self.panics = 0  # panics done (the monitor shows each)
        self.decide_seconds, self.decided = 0.0, 0  # time spent choosing notes, and the notes chosen
        self._sequencer = Sequencer(loaded.scenes, self._place, self.lookahead, loop=loaded.loop, hold=hold,
                                   count_in=loaded.count_in)
        if first is None:  # silent until cued (a gallery that is closed)
            self._sequencer.stop(start)
        else:
            self._sequencer.begin(start, first)

    @property
    def _runs(self) -> tuple[SceneRun, ...]:
        return self._sequencer.runs

    @property
    def unknown_cues(self) -> frozenset[str]:
        """The cues that named no scene."""
        return self._sequencer.unknown_cues

    @property
    def stopped(self) -> bool:
        """Whether the show is stopped (a stop cue, a gallery closed): silent until cued or resumed."""
        return self._sequencer.ended

    @property
    def scene_index(self) -> int:
        """The index of the newest scene placed."""
        return self._sequencer.index

    def playing(self, t: float) -> SceneRun | None:
        """The scene playing at ``t`` (None before the first was placed)."""
        return self._sequencer.current(t)

    def upcoming(self) -> tuple[int, float]:
        """The scene GO would bring (-1: the show ends), and when the playing one's length brings it anyway
        (inf: only a cue or a trigger will)."""
        return self._sequencer.upcoming(), self._sequencer.next_auto() + self.lookahead

    def stop(self, t: float) -> None:
        """Silence from the playing scene's next bar line after ``t`` (a gallery closing)."""
        self._sequencer.stop(t)

    def resume(self, index: int, t: float) -> None:
        """Play scene ``index`` from ``t`` on: after a stop, or as a jump (a gallery opening, idling, waking), with
        its count-in as a cue would have it."""
        self._changed(self._sequencer.resume(index, t))

    def skip_scene(self, index: int) -> None:
        """GO and BACK pass over scene ``index`` (a gallery's attract scene)."""
        self._sequencer.skip_scene(index)

    def _place(self, index: int, start: float) -> SceneRun:
        spec = self.loaded.scenes[index]
        timeline = None
        if spec.link and self.link is not None:  # on the session's next bar line (already, after a Link scene)
            start = bar_line_at_or_after(self.link, start - 1e-4, self.loaded.rig.link.quantum)
            timeline = FollowTimeline(self.link, start)
        for listener in self.on_scene:
            listener(index, spec)
        if self.trace is not None:
            self.trace.scenes.append((start, spec.name))
        log.info("scene %r at %.3f s", spec.name, start - self.start)
        model = self.loaded.rig.model
        thru = spec.thru_voice
        self.sink.thru(Thru(thru.instrument if thru is not None and self.loaded.rig.midi.thru else "", at=start))
        return SceneRun(spec, start, self.loaded.rig.seed, self.lookahead, CONTROL_RATE, self.factory,
                        (model.temperature, model.top_p), timeline)

    def ingest(self, event: Event) -> None:
        """Queue a stamped event; it takes effect when the conductor reaches its time."""
        bisect.insort(self._pending, event, key=lambda e: e.t)

    def next_wakeup(self) -> float:
        """The clock time of the next thing the conductor must do."""
        due = [self._tick_time(), self._next_decision(), self._sequencer.next_auto()]
        if self._pending:
            due.append(self._pending[0].t)
        return min(due)

    def _tick_time(self) -> float:
        return self.start + self._tick * self.period

    def _next_decision(self) -> float:
        return min((run.next_decision() for run in self._runs), default=math.inf)

    def advance_to(self, t: float) -> None:
        """Do everything due up to clock time ``t``, in time order."""
        while True:
            tick, decision, auto = self._tick_time(), self._next_decision(), self._sequencer.next_auto()
            due = min(tick, decision, auto)
            if due > t:
                break
            self._apply_until(due)
            if auto <= min(tick, decision):
                self._auto_advance()
            elif tick <= decision:
                self._control_tick(tick)
            else:
                self._decide()
        self._apply_until(t)

    def _apply_until(self, t: float) -> None:
        while self._pending and self._pending[0].t <= t:
            event = self._pending.pop(0)
            if isinstance(event, ControlEvent):
                self.bus.publish(event)
                for run in self._runs:
                    for change in run.at_once(event.name, self.bus, event.t):
                        self._param(change)
            elif isinstance(event, ReleaseEvent):
                self.bus.release(event.prefix, event.t)
            elif isinstance(event, PlayerMidi):
                self._player(event)
            else:
                self._cue(event)

    def _auto_advance(self) -> None:
        self._changed(self._sequencer.auto_advance())

    def _control_tick(self, t: float) -> None:
        self.bus.now = t
        for cue in self._sequencer.triggered(self.bus, t):
            self._cue(CueEvent(t, cue))
        for run in self._runs:
            for mapping in run.mappings:
                mapping.update(self.bus)
            self.replans += run.replan(t)
            for cut in run.take_cuts():
                self.sink.cut(cut)
                if self.trace is not None:
                    self.trace.cuts.append(cut)
            for change in run.param_changes(t):
                self._param(change)
            for note in run.strikes(self.bus, t):
                self._send(run, note)
        if self.trace is not None and self._tick % TRACE_EVERY == 0:
            self._trace_curves(t)
        self._tick += 1

    def _param(self, change: Param) -> None:
        self.sink.param(change)
        if self.trace is not None:
            self.trace.params.append(change)

    def _trace_curves(self, t: float) -> None:
        assert self.trace is not None
        if not self._runs:
            return
        run = self._runs[-1]
        for mapping in run.mappings:
            spec = mapping.spec
            param = getattr(spec.param, "value", spec.param)  # a steering enum, or an instrument parameter's name
            self.trace.sample(f"{spec.signal} -> {spec.voice or 'all'}.{param}", t,
                              self.bus.value(spec.signal, spec.default))

    def _decide(self) -> None:
        run = min(self._runs, key=lambda r: r.next_decision())
        began = time.perf_counter()
        notes = run.decide()
        self.decide_seconds += time.perf_counter() - began
        self.decided += len(notes)
        for note in notes:
            self._send(run, note)
        self._sequencer.prune()

    def _send(self, run: SceneRun, note: Note) -> None:
        """A note of a scene to the engine, with what it brings (a glide's bend)."""
        self.sink.send(note)
        for listener in self.on_note:
            listener(note)
        if self.trace is not None:
            self.trace.notes.append(note)
        for change in run.on_note(note):
            self._param(change)

    def _player(self, event: PlayerMidi) -> None:
        """A player's key: its scene's thru voice hears it at once; once released it is a note for the record
        (and for an offline render), on the instrument the engine played it on."""
        if not self.loaded.rig.midi.thru:
            return
        run = self._sequencer.current(event.t)
        if run is None:
            return
        thru = run.spec.thru_voice
        for action in self.keys.handle(list(event.data)):
            if isinstance(action, KeyOn):
                run.hear(event.t, action.key[1], action.velocity)
                if thru is not None:
                    self._down[action.key] = (event.t, action.velocity, thru.instrument)
                continue
            run.lift(event.t)
            if action.key in self._down:
                start, velocity, instrument = self._down.pop(action.key)
                note = Note(start, min(event.t - start, HOLD_LIMIT), action.key[1], velocity, instrument,
                            voice="player", channel=action.key[0] + 1)
                self.sink.played(note)
                if self.trace is not None:
                    self.trace.notes.append(note)

    def replace_scene(self, index: int, spec: SceneSpec, t: float) -> None:
        """A scene file edited and valid again: the new version replaces it in the show, and if it is playing,
        takes over at its next bar line (as a cue to itself: its transition applies)."""
        scenes = list(self.loaded.scenes)
        scenes[index] = spec
        self.loaded = dataclasses.replace(self.loaded, scenes=tuple(scenes))
        if self._sequencer.replace(index, spec):
            self._cue(CueEvent(t, numbered(index)))

    def loudness(self, max_db: float | None, t: float) -> None:
        """The gallery's loudness cap from ``t`` (a lookahead on, with the notes decided now); None: the rig's."""
        message = Loudness(math.nan if max_db is None else max_db, at=t + self.lookahead)
        self.sink.loudness(message)
        if self.trace is not None:
            self.trace.loudness.append(message)

    def _cue(self, cue: CueEvent) -> None:
        """GO/BACK/jump: the next scene starts on the current scene's next bar line after the lookahead."""
        if Cue.parse(cue.target).command is Command.PANIC:
            self.panics += 1
            self.sink.panic()
            self.keys.clear()
            self._down.clear()
            return
        self._changed(self._sequencer.go(cue.target, cue.t))

    def _changed(self, change: SceneChange) -> None:
        """What a scene change asks of the conductor: its count-in's clicks, and the trace kept in step."""
        self._traced(change)
        for k, t in enumerate(change.clicks):  # a count-in: a click on each beat, the first accented
            self.sink.send(Note(t, 0.1, COUNT_IN[k > 0], 110 if k == 0 else 80, "drums", voice="count-in",
                                channel=10))

    def _traced(self, change: SceneChange) -> None:
        """Keep the trace's scene list in step when a pending scene change was retargeted (its run replaced)."""
        if self.trace is not None and change.retargeted:
            placed = self.trace.scenes.pop()
            self.trace.scenes.pop()
            self.trace.scenes.append(placed)
