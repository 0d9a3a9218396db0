"""The sequencer: the show's order of scenes, as pure logic driven by the conductor's time. It places each scene
on the clock, starts the next on a bar line (GO, BACK, a jump, a scene's length running out, a trigger), sets up
crossfades, and loops the show or ends it."""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass
from typing import Callable

from performer.config.scene import SceneSpec
from performer.show.bus import ControlBus
from performer.show.scenerun import SceneRun
from sensors.cues import Command, Cue

log = logging.getLogger(__name__)

Place = Callable[[int, float], SceneRun]  # scene index, start time -> the scene placed on the clock


@dataclass(frozen=True)
class SceneChange:
    """What a cue did: ``accepted`` is False for a scene that does not exist; ``clicks`` are the times of its
    count-in; ``retargeted`` when it replaced a scene change still pending (that scene was never played)."""

    accepted: bool
    clicks: tuple[float, ...] = ()
    retargeted: bool = False


class Sequencer:
    """Which scenes play when. ``runs`` are the scenes on the clock: the last is the newest (maybe not started
    yet); earlier ones are still fading out or finishing their notes."""

    def __init__(self, scenes: tuple[SceneSpec, ...], place: Place, lookahead: float, loop: bool = True,
                 hold: bool = False, count_in: int = 0) -> None:
        self._scenes, self._place, self._lookahead, self._loop = scenes, place, lookahead, loop
        self._count_in = count_in  # the show's, for scenes without their own
        self._hold = hold  # rehearsal: loop the current scene; GO, BACK and its length start it again
        self._skip: set[int] = set()  # scenes GO and BACK pass over (a gallery's attract scene)
        self._index = 0
        self._runs: list[SceneRun] = []
        self._ended = False
        self._unknown_cues: set[str] = set()
        self._auto: tuple[float, SceneRun] | None = None  # when the newest scene's length runs out
        self._levels: dict[SceneRun, list[float]] = {}  # each run's triggers' last signal values

    @property
    def index(self) -> int:
        """The newest scene placed (or the first, before any was)."""
        return self._index

    @property
    def ended(self) -> bool:
        """Whether the show is stopped: nothing follows until it is cued or resumed."""
        return self._ended

    @property
    def runs(self) -> tuple[SceneRun, ...]:
        """The scenes on the clock, oldest first."""
        return tuple(self._runs)

    @property
    def unknown_cues(self) -> frozenset[str]:
        """The cues that named no scene (each logged once)."""
        return frozenset(self._unknown_cues)

    def skip_scene(self, index: int) -> None:
        """GO and BACK pass over scene ``index`` from now on (a gallery's attract scene); a jump still reaches it."""
        self._skip.add(index)

    def replace(self, index: int, spec: SceneSpec) -> bool:
        """Scene ``index`` is now ``spec`` (a scene file reloaded); True if it is the one playing, which the caller
        cues again for the new version to take over."""
        scenes = list(self._scenes)
        scenes[index] = spec
        self._scenes = tuple(scenes)
        return self._index == index and not self._ended

    def begin(self, start: float, index: int = 0) -> None:
        """Place the first scene (or scene ``index``: a gallery resuming) at ``start``."""
        self._enter(index, start)

    def stop(self, t: float) -> None:
        """Silence from the playing scene's next bar line on (a gallery closing); ``resume`` starts again."""
        self._end(t)

    def resume(self, index: int, t: float) -> SceneChange:
        """After ``stop``: scene ``index`` starts a lookahead from ``t``, or on the stopping scene's bar line if
        that is later; while playing, it is an ordinary jump (with its count-in)."""
        if self._runs and not self._ended:
            return self.go(self._scenes[index].name, t)
        stopping = self._runs[-1].end if self._runs else -math.inf
        self._enter(index, max(t + self._lookahead, stopping))
        return SceneChange(accepted=True)

    def current(self, t: float) -> SceneRun | None:
        """The scene playing at ``t``: the newest that has started (None before any was placed)."""
        return next((r for r in reversed(self._runs) if r.start <= t), self._runs[0] if self._runs else None)

    def upcoming(self) -> int:
        """The scene GO would bring now (-1 past the end of a show that ends)."""
        return self._step(Command.NEXT)

    def next_auto(self) -> float:
        """When the newest scene's length runs out, less a lookahead (the next scene's first notes are chosen
        then); inf if it has no length."""
        return math.inf if self._auto is None else self._auto[0] - self._lookahead

    def auto_advance(self) -> SceneChange:
        """The newest scene's length has run out: the next one starts on its last bar line (nothing changes if a
        cue placed another scene since)."""
        assert self._auto is not None
        end, run = self._auto
        self._auto = None
        if run is not self._runs[-1]:
            return SceneChange(accepted=True)
        return self.go(Command.NEXT.value, end - self._lookahead - 1e-6, count_in=False)

    def go(self, target: str, t: float, count_in: bool = True) -> SceneChange:
        """GO, BACK or a jump, cued at ``t``; not accepted (logged once) for a scene that does not exist. A scene
        with a count-in starts that many of its beats after the bar line, with a click on each."""
        index = self._target(target)
        if index is None:
            self._unknown(target)
            return SceneChange(accepted=False)
        if index < 0:
            self._end(t)
            return SceneChange(accepted=True)
        if not self._runs or self._ended:
            return self.resume(index, t)
        newest = self._runs[-1]
        if newest.start > t and len(self._runs) > 1:  # a change is already pending: retarget it
            self._runs.pop()
            self._enter(index, newest.start)
            return SceneChange(accepted=True, retargeted=True)
        return self._change(index, t, count_in)

    def _unknown(self, target: str) -> None:
        """A cue naming no scene: logged the first time."""
        if target not in self._unknown_cues:
            log.warning("cue %r: no such scene (scenes: %s); ignored", target,
                        ", ".join(s.name for s in self._scenes))
            self._unknown_cues.add(target)

    def _change(self, index: int, t: float, count_in: bool) -> SceneChange:
        """Scene ``index`` follows the playing one on its next bar line, after the scene's count-in if any."""
        current = self._runs[-1]
        bar_line = current.next_bar(max(t + self._lookahead, current.start))
        scene = self._scenes[index]
        beats = (scene.count_in or self._count_in) if count_in else 0
        clicks = tuple(bar_line + k * 60.0 / scene.tempo for k in range(beats))
        self._enter(index, bar_line + beats * 60.0 / scene.tempo, cut=bar_line if beats else None)
        return SceneChange(accepted=True, clicks=clicks)

    def _enter(self, index: int, start: float, cut: float | None = None) -> None:
        """Place scene ``index`` at ``start``; the scene before fades out from there (or ends at ``cut``)."""
        run = self._place(index, start)
        start = run.start  # a scene following Link starts on the session's bar line
        if self._runs and not self._ended:
            fade = 0.0 if cut is not None else run.spec.transition.bars * run.spec.bar_seconds
            self._runs[-1].fade_out(start if cut is None else cut, (start if cut is None else cut) + fade)
            run.fade_in(start, start + fade)
        self._index = index
        self._runs.append(run)
        self._ended = False
        length = run.spec.length_seconds()
        self._auto = None if length is None else (start + length, run)  # held, it starts again from bar 1
        self._levels[run] = []

    def _end(self, t: float) -> None:
        """The show stops (a stop cue, a gallery closing, the last scene of a show that does not loop): the playing
        scene ends on its next bar line, and nothing follows until the show is cued or resumed."""
        self._auto, self._ended = None, True
        if not self._runs:
            return
        current = self._runs[-1]
        current.end = min(current.end, current.next_bar(max(t + self._lookahead, current.start)))
        log.info("the show stops")

    def _target(self, name: str) -> int | None:
        """A cue's scene index; -1 to end the show; None for no such scene."""
        cue = Cue.parse(name)
        if cue.command is Command.STOP:
            return -1
        if cue.number is not None:  # a MIDI program change: scene n, counting from 0
            return cue.number if cue.number < len(self._scenes) else None
        if cue.command in (Command.NEXT, Command.PREV):
            return self._step(cue.command)
        names = [s.name for s in self._scenes]
        return names.index(cue.scene) if cue.scene in names else None

    def _step(self, command: Command) -> int:
        """GO or BACK from the current scene, over the skipped ones; -1 past the end of a show that ends."""
        if self._hold:
            return self._index
        order = [i for i in range(len(self._scenes)) if i not in self._skip or i == self._index]
        here = order.index(self._index)
        if command is Command.NEXT:
            return order[(here + 1) % len(order)] if self._loop or here + 1 < len(order) else -1
        return order[(here - 1) % len(order)] if self._loop or here > 0 else order[0]

    def triggered(self, bus: ControlBus, t: float) -> list[str]:
        """Cues from the playing scene's triggers whose signals crossed their thresholds since the last look."""
        run = self.current(t)
        if run is None or not run.start <= t < run.end or not run.spec.triggers:
            return []
        levels = self._levels.setdefault(run, [])
        values = [bus.value(trigger.signal, 0.0) for trigger in run.spec.triggers]
        fired = []
        if levels:
            for trigger, before, now in zip(run.spec.triggers, levels, values):
                if trigger.fires(before, now):
                    fired.append(trigger.cue)
        self._levels[run] = values
        return fired

    def prune(self) -> None:
        """Forget scenes that have finished (the newest always stays)."""
        self._runs = [r for r in self._runs if not r.finished or r is self._runs[-1]]
        self._levels = {r: self._levels.get(r, []) for r in self._runs}
