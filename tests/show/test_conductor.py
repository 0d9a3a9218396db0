"""The conductor: the same stamped events give the same notes whatever the clock's granularity, scene changes
land on bar lines, and unknown cues are ignored."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Callable

from performer.config.loading import load_rig
from performer.generate.factory import rig_factory
from performer.offline.render import CollectSink
from performer.show.clock import ManualClock, SampleClock
from performer.show.conductor import Conductor, Trace
from sensors.events import ControlEvent, CueEvent, Event
from tests.conftest import RIGS

LAPTOP = RIGS / "laptop.toml"
STAGE = RIGS / "stage.toml"


def events() -> list[Event]:
    out: list[Event] = [ControlEvent(0.5 + i * 0.05, "midi/cc/1", i / 100) for i in range(100)]
    out += [ControlEvent(2.0 + i * 0.1, "midi/cc/2", 1 - i / 40) for i in range(40)]
    out += [CueEvent(4.2, "next"), CueEvent(6.0, "no-such-scene"), CueEvent(9.1, "Bloom")]
    return sorted(out, key=lambda e: e.t)


def hand_events() -> list[Event]:
    """Ten seconds of two hands at 40 frames a second on the stage rig's Hands scene: the right hand's x, height and
    size moving (register, glide, expression), flicks that strike the melody, the left hand coming and going."""
    rng, out = random.Random(3), []
    for i in range(400):
        t = 0.5 + i * 0.025
        out += [ControlEvent(t, "hand/right/x", rng.random()), ControlEvent(t, "hand/right/height", rng.random()),
                ControlEvent(t, "hand/right/y", 0.5 + 0.4 * rng.random()),
                ControlEvent(t, "hand/right/speed", 0.9 if i % 37 == 0 else 0.1),
                ControlEvent(t, "hand/left/presence", float(i // 90 % 2))]
    return out


def live_like(seed: int, rig: Path = LAPTOP, make: Callable[[], list[Event]] = events) -> tuple[list, list]:
    """Events arrive one by one and the loop wakes at irregular wall-clock moments, as in the live process."""
    loaded, sink, clock, rng = load_rig(rig), CollectSink(), ManualClock(), random.Random(seed)
    conductor = Conductor(loaded, sink, rig_factory(loaded), start=0.3)
    pending = make()
    while clock.now() < 14:
        clock.advance(rng.uniform(0.0005, 0.03))
        while pending and pending[0].t <= clock.now():
            conductor.ingest(pending.pop(0))
        conductor.advance_to(clock.now())
    return [n for n in sink.notes if n.start < 14], [p for p in sink.params if p.at < 14]


def offline_like(rig: Path = LAPTOP, make: Callable[[], list[Event]] = events) -> tuple[list, list]:
    """All events known up front, the clock stepping one 256-frame buffer at a time, as in a render."""
    loaded, sink, clock = load_rig(rig), CollectSink(), SampleClock(48000, 256)
    conductor = Conductor(loaded, sink, rig_factory(loaded), start=0.3)
    for event in make():
        conductor.ingest(event)
    while clock.now() < 14:
        clock.tick()
        conductor.advance_to(clock.now())
    return [n for n in sink.notes if n.start < 14], [p for p in sink.params if p.at < 14]


def test_live_and_offline_clocks_give_the_same_notes() -> None:
    offline, _ = offline_like()
    voices = {v.name for scene in load_rig(LAPTOP).scenes[:3] for v in scene.voices}  # Dawn, Drift, Bloom
    assert len(offline) > 20 and {n.voice for n in offline} == voices  # enough to compare: every voice plays
    assert live_like(1)[0] == offline
    assert live_like(2)[0] == offline


def test_hands_play_the_same_live_and_offline() -> None:
    """Strikes, glides, expression and parameters sent at their control events: the same notes and the same
    parameter changes, at the same times, whatever the clock's granularity."""
    notes, params = offline_like(STAGE, hand_events)
    assert {n.voice for n in notes} >= {"melody", "theremin", "pad"} and len(notes) > 20
    assert {p.name for p in params} >= {"bend", "expression", "brightness"}
    assert live_like(1, STAGE, hand_events) == (notes, params)


def on_grid(t: float, origin: float, step: float) -> bool:
    k = (t - origin) / step
    return abs(k - round(k)) < 1e-6


def test_scene_changes_land_on_bar_lines_and_unknown_cue_is_ignored() -> None:
    loaded, sink, trace = load_rig(LAPTOP), CollectSink(), Trace()
    conductor = Conductor(loaded, sink, rig_factory(loaded), start=0.0, trace=trace)
    for event in events():
        conductor.ingest(event)
    conductor.advance_to(14.0)
    assert conductor.unknown_cues == {"no-such-scene"}
    assert [name for _, name in trace.scenes] == ["Dawn", "Drift", "Bloom"]
    (_, _), (t1, _), (t2, _) = trace.scenes
    dawn, drift, bloom = loaded.scenes[:3]
    lookahead = loaded.rig.engine.lookahead_ms / 1000
    dawn_bar = dawn.beats_per_bar * 60 / dawn.tempo
    drift_bar = drift.beats_per_bar * 60 / drift.tempo
    assert on_grid(t1, 0.0, dawn_bar) and 4.2 + lookahead <= t1 < 4.2 + lookahead + dawn_bar
    assert on_grid(t2, t1, drift_bar) and 9.1 + lookahead <= t2 < 9.1 + lookahead + drift_bar
    # Every note is on its own scene's grid (the model's onsets: sixteenths, triplets and thirty-seconds, so a
    # 24th of a beat): no note of an old scene starts after the change.
    for note in sink.notes:
        scene, origin = (dawn, 0.0) if note.start < t1 else (drift, t1) if note.start < t2 else (bloom, t2)
        assert on_grid(note.start, origin, 2.5 / scene.tempo), (note, scene.name)
