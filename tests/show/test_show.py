"""Shows and the sequencer: scene lengths, crossfades, GO/BACK/jumps, triggers, looping or ending, rendered
offline (pyo's offline server) and checked from the trace and the engine's own counts."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
import tomlkit

from performer.config.loading import load_rig, read_toml
from performer.config.session import Session
from performer.generate.factory import rig_factory
from performer.offline.render import CollectSink, render
from performer.show.conductor import Conductor
from sensors.events import ControlEvent, CueEvent
from tests.conftest import SCENES, write_rig


def _scene(tmp: Path, name: str, **top: object) -> str:
    """A copy of a shipped scene with top-level keys changed (length, transition, triggers)."""
    data = read_toml(SCENES / f"{name}.toml")
    data.update(top)
    (tmp / f"{name}.toml").write_text(tomlkit.dumps(data))
    return f"{name}.toml"


def _rig(tmp: Path, files: list[str], loop: bool = True) -> Path:
    (tmp / "show.toml").write_text(tomlkit.dumps({"name": "test show", "scenes": files, "loop": loop}))
    return write_rig(tmp, 'seed = 3\nshow = "show.toml"\n', name="show-test", scenes=(), audio={"backend": "offline"},
                     engine={"voices": 24}, model={"generator": "rules"})


def _on_bar_line(t: float, origin: float, bar: float) -> bool:
    k = (t - origin) / bar
    return abs(k - round(k)) < 1e-6


@pytest.mark.slow
def test_a_scripted_show_of_30_changes_lands_on_bar_lines_and_cuts_no_note(tmp_path):
    files = [_scene(tmp_path, "dawn", transition={"bars": 1}, length={"bars": 4}),
             _scene(tmp_path, "drift", transition={"bars": 2}),
             _scene(tmp_path, "bloom", length={"seconds": 9.0}),
             _scene(tmp_path, "room", transition={"bars": 1})]
    loaded = load_rig(_rig(tmp_path, files))
    rng = random.Random(5)
    cues, t = [], 3.0
    for _ in range(48):  # GO, BACK, jumps by name and by number, some within a bar of the one before
        t += rng.choice([0.4, 2.3, 5.1, 7.7])
        cues.append(CueEvent(t, rng.choice(["next", "next", "prev", "Bloom", "#1", "Room", "go", "back"])))
    session = Session(events=cues, header={"duration": t + 20.0})
    result = render(loaded, session, tmp_path / "out")
    scenes = {s.name: s for s in loaded.scenes}
    changes = result.trace.scenes
    assert len(changes) - 1 >= 30, len(changes)
    for (t0, before), (t1, after) in zip(changes, changes[1:]):
        assert t1 > t0 and _on_bar_line(t1, t0, scenes[before].bar_seconds), (before, t0, after, t1)
    assert result.stolen == 0  # no note was cut short: the engine ends notes only at their length
    boundaries = [t for t, _ in changes[1:]]
    spanning = [n for n in result.notes if any(n.start < b < n.end for b in boundaries)]
    assert len(spanning) >= 10  # notes of the scene before that sound on past the change, whole


def test_a_crossfade_overlaps_the_scenes_for_its_bars_and_fades_them(tmp_path):
    files = [_scene(tmp_path, "dawn", length={"bars": 4}), _scene(tmp_path, "drift", transition={"bars": 2})]
    loaded = load_rig(_rig(tmp_path, files))
    notes = render(loaded, Session(events=[], header={"duration": 40.0}), tmp_path / "out").notes
    dawn, drift = loaded.scenes
    change = [n.start for n in notes if n.voice in {v.name for v in drift.voices} - {v.name for v in dawn.voices}][0]
    fade_end = change + 2 * drift.bar_seconds
    old = [n for n in notes if n.voice == "pad" and n.instrument == "pad" and n.start >= change - 1e-9]
    assert old and all(n.start < fade_end for n in old)  # Dawn's pad plays on into the fade, and stops at its end
    new = [n for n in notes if n.voice == "kick" and change <= n.start < fade_end]
    later = [n for n in notes if n.voice == "kick" and fade_end <= n.start < fade_end + 4 * drift.bar_seconds]
    assert new and later and max(n.velocity for n in new[: len(new) // 2]) < min(n.velocity for n in later)


def test_a_show_that_does_not_loop_ends_after_its_last_scene(tmp_path):
    files = [_scene(tmp_path, "dawn", length={"bars": 2}), _scene(tmp_path, "room", length={"bars": 2})]
    loaded = load_rig(_rig(tmp_path, files, loop=False))
    result = render(loaded, Session(events=[], header={"duration": 60.0}), tmp_path / "out")
    dawn, room = loaded.scenes
    (t0, _), (t1, name) = result.trace.scenes
    assert name == "Room" and abs(t1 - t0 - 2 * dawn.bar_seconds) < 1e-6
    assert result.notes and max(n.start for n in result.notes) < t1 + 2 * room.bar_seconds


def test_a_trigger_moves_the_show_on_when_its_signal_crosses(tmp_path):
    files = [_scene(tmp_path, "room", triggers=[{"signal": "audience/presence", "cue": "Dawn", "edge": "fall"}]),
             _scene(tmp_path, "dawn", triggers=[{"signal": "midi/note/36", "cue": "next"}])]
    loaded = load_rig(_rig(tmp_path, files))
    events = [ControlEvent(2.0, "audience/presence", 1.0), ControlEvent(9.0, "audience/presence", 0.0),
              ControlEvent(20.0, "midi/note/36", 0.8)]
    result = render(loaded, Session(events=events, header={"duration": 30.0}), tmp_path / "out")
    (_, first), (t1, second), (t2, third) = result.trace.scenes
    assert (first, second, third) == ("Room", "Dawn", "Room")
    assert t1 > 9.0 and t2 > 20.0


def test_a_cue_into_a_scene_with_a_count_in_clicks_its_beats_first(tmp_path):
    files = [_scene(tmp_path, "dawn"), _scene(tmp_path, "drift", count_in=4)]
    loaded = load_rig(_rig(tmp_path, files))
    result = render(loaded, Session(events=[CueEvent(5.0, "go")], header={"duration": 16.0}), tmp_path / "out")
    (t0, _), (t1, name) = result.trace.scenes
    dawn, drift = loaded.scenes
    beat = 60.0 / drift.tempo
    bar_line = t1 - 4 * beat
    assert name == "Drift" and _on_bar_line(bar_line, t0, dawn.bar_seconds) and bar_line > t0 + 5.0
    clicks = [n for n in result.notes if n.voice == "count-in"]
    assert [round(n.start - bar_line, 6) for n in clicks] == [round(k * beat, 6) for k in range(4)]
    assert clicks[0].velocity > clicks[1].velocity  # the first beat accented
    during = [n for n in result.notes if bar_line - 1e-9 <= n.start < t1 - 1e-9 and n.voice != "count-in"]
    assert during == []  # Dawn ended on the bar line; Drift starts after the count
    assert not [n for n in result.notes if n.voice == "pad" and n.start >= bar_line - 1e-9]  # Dawn's pad
    assert min(n.start for n in result.notes if n.voice == "kick") >= t1 - 1e-9


def test_a_jump_by_the_gallery_while_playing_clicks_the_count_in_too(tmp_path):
    # The gallery's director moves the show with Conductor.resume (opening, idling, waking), not with a cue.
    files = [_scene(tmp_path, "dawn"), _scene(tmp_path, "drift", count_in=4)]
    loaded = load_rig(_rig(tmp_path, files))
    sink = CollectSink()
    conductor = Conductor(loaded, sink, rig_factory(loaded), start=0.0)
    conductor.advance_to(5.0)
    conductor.resume(1, 5.0)
    conductor.advance_to(16.0)
    beat = 60.0 / loaded.scenes[1].tempo
    clicks = [n.start for n in sink.notes if n.voice == "count-in"]
    assert len(clicks) == 4 and all(abs(b - a - beat) < 1e-6 for a, b in zip(clicks, clicks[1:]))
    drift = [n.start for n in sink.notes if n.voice == "kick"]
    assert drift and min(drift) >= clicks[-1] + beat - 1e-6  # Drift starts after its count
