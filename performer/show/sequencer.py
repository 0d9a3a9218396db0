"""The sequencer: the show's order of scenes, as pure logic driven by the conductor's time. It places each scene
on the clock, starts the next on a bar line (GO, BACK, a jump, a scene's length running out, a trigger), sets up
crossfades, and loops the show or ends it."""

from __future__ import annotations

import logging
import math
from typing import Callable

from performer.show.bus import ControlBus
from performer.config.scene import Edge, SceneSpec
from performer.show.scenerun import SceneRun

log = logging.getLogger(__name__)

NEXT, PREV = ("next", "go"), ("prev", "back")
Place = Callable[[int, float], SceneRun]  # scene index, start time -> the scene placed on the clock


class Sequencer:
    """Which scenes play when. ``runs`` are the scenes on the clock: the last is the newest (maybe not started
    yet); earlier ones are still fading out or finishing their notes."""

    def __init__(self, scenes: tuple[SceneSpec, ...], place: Place, lookahead: float, loop: bool = True,
                 hold: bool = False, count_in: int = 0) -> None:
        self.scenes, self.place, self.lookahead, self.loop = scenes, place, lookahead, loop
        self.count_in = count_in  # the show's, for scenes without their own
        self.hold = hold  # rehearsal: loop the current scene; GO, BACK and its length start it again
        self.skip: set[int] = set()  # scenes GO and BACK pass over (a gallery's attract scene)
        self.index = 0
        self.runs: list[SceneRun] = []
        self.ended = False
        self.unknown_cues: set[str] = set()
        self._auto: tuple[float, SceneRun] | None = None  # when the newest scene's length runs out
        self.clicks: list[float] = []  # the last cue's count-in, for the conductor to play
        self._levels: dict[int, list[float]] = {}  # id(run) -> each trigger's last signal value

    def begin(self, start: float, index: int = 0) -> None:
        """Place the first scene (or scene ``index``: a gallery resuming) at ``start``."""
        self._enter(index, start)

    def stop(self, t: float) -> None:
        """Silence from the playing scene's next bar line on (a gallery closing); ``resume`` starts again."""
        self._end(t)

    def resume(self, index: int, t: float) -> None:
        """After ``stop``: scene ``index`` starts a lookahead from ``t``, or on the stopping scene's bar line if
        that is later; while playing, it is an ordinary jump."""
        if self.runs and not self.ended:
            self.go(self.scenes[index].name, t)
            return
        stopping = self.runs[-1].end if self.runs else -math.inf
        self._enter(index, max(t + self.lookahead, stopping))

    def current(self, t: float) -> SceneRun | None:
        """The scene playing at ``t``: the newest that has started (None before any was placed)."""
        return next((r for r in reversed(self.runs) if r.start <= t), self.runs[0] if self.runs else None)

    def next_auto(self) -> float:
        """When the newest scene's length runs out, less a lookahead (the next scene's first notes are chosen
        then); inf if it has no length."""
        return math.inf if self._auto is None else self._auto[0] - self.lookahead

    def auto_advance(self) -> None:
        """The newest scene's length has run out: the next one starts on its last bar line."""
        assert self._auto is not None
        end, run = self._auto
        self._auto = None
        if run is self.runs[-1]:
            self.go(NEXT[0], end - self.lookahead - 1e-6, count_in=False)

    def go(self, target: str, t: float, count_in: bool = True) -> bool:
        """GO, BACK or a jump, cued at ``t``; False (logged once) for a scene that does not exist. A scene with a
        count-in starts that many of its beats after the bar line, with a click on each (``clicks``)."""
        self.clicks = []
        index = self._target(target)
        if index is None:
            if target not in self.unknown_cues:
                log.warning("cue %r: no such scene (scenes: %s); ignored", target,
                            ", ".join(s.name for s in self.scenes))
                self.unknown_cues.add(target)
            return False
        if index < 0:
            self._end(t)
            return True
        if not self.runs or self.ended:
            self.resume(index, t)
            return True
        current = self.runs[-1]
        if current.start > t and len(self.runs) > 1:  # a change is already pending: retarget it
            self.runs.pop()
            self._enter(index, current.start)
            return True
        bar_line = current.next_bar(max(t + self.lookahead, current.start))
        scene = self.scenes[index]
        beats = (scene.count_in or self.count_in) if count_in else 0
        self.clicks = [bar_line + k * 60.0 / scene.tempo for k in range(beats)]
        self._enter(index, bar_line + beats * 60.0 / scene.tempo, cut=bar_line if beats else None)
        return True

    def _enter(self, index: int, start: float, cut: float | None = None) -> None:
        """Place scene ``index`` at ``start``; the scene before fades out from there (or ends at ``cut``)."""
        run = self.place(index, start)
        start = run.start  # a scene following Link starts on the session's bar line
        if self.runs and not self.ended:
            fade = 0.0 if cut is not None else run.spec.transition.bars * run.spec.bar_seconds
            self.runs[-1].fade_out(start if cut is None else cut, (start if cut is None else cut) + fade)
            run.fade_in(start, start + fade)
        self.index = index
        self.runs.append(run)
        self.ended = False
        length = run.spec.length_seconds()
        self._auto = None if length is None else (start + length, run)  # held, it starts again from bar 1
        self._levels[id(run)] = []

    def _end(self, t: float) -> None:
        """The show stops (a stop cue, a gallery closing, the last scene of a show that does not loop): the playing
        scene ends on its next bar line, and nothing follows until the show is cued or resumed."""
        self._auto, self.ended = None, True
        if not self.runs:
            return
        current = self.runs[-1]
        current.end = min(current.end, current.next_bar(max(t + self.lookahead, current.start)))
        log.info("the show stops")

    def _target(self, name: str) -> int | None:
        """A cue's scene index; -1 to end the show; None for no such scene."""
        count = len(self.scenes)
        if name in ("stop", "end"):
            return -1
        if self.hold and name in NEXT + PREV:
            return self.index
        order = [i for i in range(count) if i not in self.skip or i == self.index]
        here = order.index(self.index)
        if name in NEXT:
            return order[(here + 1) % len(order)] if self.loop or here + 1 < len(order) else -1
        if name in PREV:
            return order[(here - 1) % len(order)] if self.loop or here > 0 else order[0]
        if name.startswith("#") and name[1:].isdigit():  # a MIDI program change: scene n, counting from 0
            return int(name[1:]) if int(name[1:]) < count else None
        names = [s.name for s in self.scenes]
        return names.index(name) if name in names else None

    def triggered(self, bus: ControlBus, t: float) -> list[str]:
        """Cues from the playing scene's triggers whose signals crossed their thresholds since the last look."""
        run = self.current(t)
        if run is None or not run.start <= t < run.end or not run.spec.triggers:
            return []
        levels = self._levels.setdefault(id(run), [])
        values = [bus.value(trigger.signal, 0.0) for trigger in run.spec.triggers]
        fired = []
        if levels:
            for trigger, before, now in zip(run.spec.triggers, levels, values):
                rose = before < trigger.threshold <= now
                fell = before >= trigger.threshold > now
                if rose if trigger.edge == Edge.rise else fell:
                    fired.append(trigger.cue)
        self._levels[id(run)] = values
        return fired

    def prune(self) -> None:
        """Forget scenes that have finished (the newest always stays)."""
        self.runs = [r for r in self.runs if not r.finished or r is self.runs[-1]]
        self._levels = {id(r): self._levels.get(id(r), []) for r in self.runs}
