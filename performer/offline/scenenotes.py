"""One scene played offline to notes, as the conductor plays it but without a clock or an engine: its voices decide
in turn, a player's keys (if any) are heard at their times, and each decision is timed. For the music bench and the
ensemble tests; renders with audio go through performer/offline/render.py."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from performer.config.scene import SceneSpec
from performer.generate.factory import GeneratorFactory
from performer.offline.render import as_heard
from performer.show.scenerun import SceneRun
from synthesis.protocol import Note

LOOKAHEAD = 0.1  # seconds: the laptop rig's
CONTROL_RATE = 100.0
SAMPLING = (1.0, 0.95)  # temperature and top-p, as the rigs' defaults


@dataclass
class Played:
    """A scene's notes as heard (a chord cut by the next one ends there; the player's notes are on voice
    "player"), the run they came from, and the seconds each decision that completed a note took, by voice."""

    notes: list[Note]
    run: SceneRun
    seconds: dict[str, list[float]] = field(default_factory=dict)


def play_scene(spec: SceneSpec, factory: GeneratorFactory, seconds: float, seed: int,
               player: list[Note] | None = None) -> Played:
    """``seconds`` of ``spec`` from time 0; ``player`` notes are heard at their starts (as a MIDI player's keys)."""
    run = SceneRun(spec, start=0.0, seed=seed, lookahead=LOOKAHEAD, control_rate=CONTROL_RATE, factory=factory,
                   sampling=SAMPLING)
    keys = sorted(player or [], key=lambda n: n.start)
    played = Played(notes=list(keys), run=run)
    cuts = []
    while (t := run.next_decision()) < seconds:
        while keys and keys[0].start <= t:
            key = keys.pop(0)
            run.hear(key.start, key.pitch, key.velocity)
        due = min((v for v in run.voices if not v.done), key=lambda v: v.decide_at)
        began = time.perf_counter()
        notes = run.decide()
        if notes:
            played.seconds.setdefault(due.spec.name, []).append(time.perf_counter() - began)
        played.notes += [n for n in notes if n.start < seconds]
        cuts += run.take_cuts()
    played.notes = as_heard(played.notes, cuts)
    return played
