"""The gallery rig's day: a week of opening hours, quiet hours and idling on an injected calendar, driving a real
conductor offline (no sleeping: one conductor second stands for five minutes); its position saved and resumed;
and a live gallery rig killed and restarted on a real jackd, resuming its scene."""

from __future__ import annotations

import json
import math
import os
import signal
import subprocess
import uuid
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from performer.config.loading import load_rig
from performer.generate.factory import rig_factory
from performer.offline.render import CollectSink
from performer.show.conductor import Conductor, Trace
from performer.show.director import GalleryDirector
from performer.show.hours import GalleryMode
from performer.show.position import Position
from sensors.events import ControlEvent
from tests.conftest import SCENES, wait_until, write_rig

MONDAY = datetime(2026, 11, 23)  # a Monday, midnight
MINUTES_PER_SECOND = 5.0  # simulated minutes per conductor second


def _rig(tmp: Path, gallery: str, jack: str | None = None, **tables: object) -> Path:
    """The gallery rig's kind of rig: three shipped scenes, two bars each, and ``gallery`` as its [gallery] table."""
    for name, length in (("room", 2), ("dawn", 2), ("bloom", 2)):
        text = (SCENES / f"{name}.toml").read_text()
        (tmp / f"{name}.toml").write_text(text.replace("\n[[voices]]", f"\nlength = {{ bars = {length} }}\n\n"
                                                       "[[voices]]", 1))
    return write_rig(tmp, f"seed = 5\n[gallery]\n{gallery}", name="gallery-test",
                     scenes=["room.toml", "dawn.toml", "bloom.toml"], jack=jack, audio={"max_loudness_db": -24.0},
                     model={"generator": "rules"}, **tables)


HOURS = """quiet = [{ start = "12:30", end = "13:30", max_loudness_db = -36.0 }]
idle_after_minutes = 30
idle_scene = "Bloom"
[gallery.hours]
tue = [["10:00", "18:00"]]
wed = [["10:00", "18:00"]]
thu = [["10:00", "18:00"]]
fri = [["10:00", "02:00"]]
sat = [["10:00", "18:00"]]
sun = [["12:00", "17:00"]]
"""
ALWAYS = "[gallery.hours]\n" + "".join(f'{day} = [["00:00", "24:00"]]\n'
                                       for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun"))


def test_a_week_of_opening_hours_quiet_hours_and_idling(tmp_path):
    loaded = load_rig(_rig(tmp_path, HOURS))
    trace, sink = Trace(), CollectSink()
    conductor = Conductor(loaded, sink, rig_factory(loaded), start=0.0, trace=trace, first=None)
    now = [0.0]

    def calendar() -> datetime:
        return MONDAY + timedelta(minutes=now[0] * MINUTES_PER_SECOND)

    def at(day: int, hour: float) -> float:  # conductor time of a day (0 = Monday) and hour
        return (day * 24 * 60 + hour * 60) / MINUTES_PER_SECOND

    director = GalleryDirector(loaded.rig.gallery, conductor, calendar, Position(tmp_path / "state.json"))
    # (day, from, to): someone in the room; the director looks every conductor second (5 minutes), so a visitor
    # leaving at 11:02 was last seen at 11:00
    visits = [(1, 10.25, 11.0 + 2 / 60), (1, 14.0, 14.2), (4, 23.0, 23.5), (6, 12.2, 16.9)]
    for day, start, end in visits:
        conductor.ingest(ControlEvent(at(day, start), "audience/presence", 1.0))
        conductor.ingest(ControlEvent(at(day, end), "audience/presence", 0.0))
    director.look(0.0)
    while now[0] < at(7, 0):
        now[0] += 0.25
        conductor.advance_to(now[0])
        director.look(now[0])

    changes = [(c.at.strftime("%a %H:%M"), c.mode, c.loudness_cap) for c in director.changes]
    playing, idle, closed = GalleryMode.playing, GalleryMode.idle, GalleryMode.closed
    assert changes[0] == ("Mon 00:00", closed, None)
    assert ("Tue 10:00", playing, None) in changes and ("Tue 18:00", closed, None) in changes
    assert ("Tue 11:30", idle, None) in changes  # 30 minutes after the visitor left
    assert ("Tue 12:30", idle, -36.0) in changes and ("Tue 13:30", idle, None) in changes  # quiet hours
    assert ("Tue 14:00", playing, None) in changes  # a visitor wakes it
    assert ("Sat 02:00", closed, None) in changes  # Friday's late opening runs past midnight
    assert not any(day == "Mon" and mode != closed for (day, _), mode, _ in [(c[0].split(), c[1], c[2])
                                                                           for c in changes])
    # the conductor followed: no scene sounds while closed, the attract scene while idle, the playlist when playing
    for (t, name) in trace.scenes:
        when = MONDAY + timedelta(minutes=t * MINUTES_PER_SECOND)
        state = director.gallery.schedule.state(when - timedelta(minutes=MINUTES_PER_SECOND))
        assert director.gallery.schedule.is_open(when) or state[0], (name, when)

    def open_at(t: float) -> bool:
        return director.gallery.schedule.is_open(MONDAY + timedelta(minutes=t * MINUTES_PER_SECOND))

    bars = 2 * 4 * 60 / 72  # two bars of the slowest scene: the director's look, then the playing bar's end
    closed_notes = [n for n in sink.notes if not open_at(n.start) and not open_at(n.start - bars)]
    assert sink.notes and closed_notes == []  # nothing starts later than that after closing
    idle_starts = [t for t, name in trace.scenes if name == "Bloom"]
    assert any(abs(t - at(1, 11.5)) <= 1.5 for t in idle_starts)  # the attract scene, when it idled
    assert [m.max_db for m in trace.loudness if not math.isnan(m.max_db)].count(-36.0) >= 5  # each open day
    assert json.loads((tmp_path / "state.json").read_text())["scene"] in ("Room", "Dawn")  # never the attract scene


def test_a_restarted_gallery_resumes_its_scene(tmp_path):
    rig = _rig(tmp_path, 'state_file = "state.json"\n' + ALWAYS)
    loaded = load_rig(rig)
    Position(tmp_path / "state.json").save("Dawn")
    conductor = Conductor(loaded, CollectSink(), rig_factory(loaded), start=0.0, trace=(trace := Trace()),
                          first=None)
    GalleryDirector(loaded.rig.gallery, conductor, lambda: MONDAY + timedelta(hours=12),
                    Position(tmp_path / "state.json")).look(0.0)
    conductor.advance_to(30.0)
    assert [name for _, name in trace.scenes[:3]] == ["Dawn", "Bloom", "Room"]  # resumed, then on round the loop


@pytest.mark.slow
def test_a_killed_gallery_rig_resumes_its_scene_when_restarted(tmp_path, jack_server, performer_cmd):
    """`performer run` on a real jackd, killed with SIGKILL mid-show (a power cut), then started again."""
    tag = uuid.uuid4().hex[:6]
    rig = _rig(tmp_path, 'state_file = "state.json"\n' + ALWAYS, jack=f"gal-{tag}", osc={"enabled": False})
    state, notes_log = tmp_path / "state.json", tmp_path / "notes.jsonl"
    first = subprocess.Popen(performer_cmd + ["run", str(rig)], env=jack_server.env, stdout=subprocess.PIPE,
                             stderr=subprocess.STDOUT, text=True, start_new_session=True)
    try:
        wait_until(lambda: state.exists() and json.loads(state.read_text())["scene"] == "Dawn", 60,
                   "the gallery's 2nd scene", process=first)
    finally:
        os.killpg(first.pid, signal.SIGKILL)  # the supervisor and its children, at once
        first.communicate()
    second = subprocess.run(performer_cmd + ["run", str(rig), "--duration", "6", "--notes-log", str(notes_log)],
                            env=jack_server.env, capture_output=True, text=True, timeout=60)
    assert second.returncode == 0, second.stderr
    log = second.stdout + second.stderr
    assert "resuming at scene 'Dawn'" in log, log
    placed = [line for line in log.splitlines() if "scene '" in line and " at " in line and "resuming" not in line]
    assert placed and "'Dawn'" in placed[0], log
    voices = [json.loads(line)["voice"] for line in notes_log.read_text().splitlines()]
    assert [v for v in voices if v != "pad"][:1] == ["melody"], voices  # Dawn's melody first, not Room's bells


def test_the_clock_going_back_an_hour_does_not_stop_the_gallery(tmp_path):
    """Daylight saving time ends: local time goes from 03:00 back to 02:00 while open (Friday's late opening)."""
    loaded = load_rig(_rig(tmp_path, HOURS))
    conductor = Conductor(loaded, CollectSink(), rig_factory(loaded), start=0.0, trace=(trace := Trace()),
                          first=None)
    when = [MONDAY + timedelta(days=4, hours=23, minutes=50)]  # Friday 23:50, open until 02:00
    director = GalleryDirector(loaded.rig.gallery, conductor, lambda: when[0])
    director.look(0.0)
    conductor.advance_to(5.0)
    when[0] -= timedelta(hours=1)  # the clock goes back
    director.look(5.0)
    conductor.advance_to(10.0)
    assert [c.mode for c in director.changes] == [GalleryMode.playing, GalleryMode.playing]
    assert not conductor.stopped  # the music went on: not stopped,
    assert not [t for t, _ in trace.scenes if 5.0 <= t < 6.5]  # nor restarted (Room's own length moves it on later)


def test_only_the_clock_going_back_starts_the_schedule_afresh(tmp_path, monkeypatch):
    """Any other error from the schedule is a bug, not a clock reading: it is not swallowed."""
    loaded = load_rig(_rig(tmp_path, HOURS))
    conductor = Conductor(loaded, CollectSink(), rig_factory(loaded), start=0.0, first=None)
    director = GalleryDirector(loaded.rig.gallery, conductor, lambda: MONDAY + timedelta(days=1, hours=12))

    def broken(now: datetime, audience: bool) -> list:
        raise ValueError("a bug")

    monkeypatch.setattr(director.gallery, "update", broken)
    with pytest.raises(ValueError, match="a bug"):
        director.look(0.0)
