"""The MIDI clock's tempo map as the conductor plans it (pure): Start on the first scene, the song's beats counted on
through scene changes, count-ins and waits for Link's bar line bridged with whole beats, stop and resume, a Link
tempo followed, and the plan sent again. The looker that drives it from a live conductor is tested with the
conductor below; the engine's half is tests/synthesis/test_clockout.py."""

from __future__ import annotations

import math

import pytest

from performer.config.loading import load_rig
from performer.errors import ConfigError
from performer.generate.factory import rule_factory
from performer.music.timeline import FixedTimeline, FollowTimeline
from performer.offline.render import CollectSink
from performer.runtime.midiclock import ClockSender
from performer.show.clockplan import ClockPlan, bar_at_or_before, position
from performer.show.conductor import Conductor
from sensors.events import CueEvent
from synthesis.protocol import Clock, ClockMode
from tests.conftest import write_rig

START, RUN, LOCATE, STOP = ClockMode.START, ClockMode.RUN, ClockMode.LOCATE, ClockMode.STOP


class Session:
    """A stand-in for a Link session: a beat timeline whose tempo changes at given times."""

    def __init__(self, tempo: float) -> None:
        self.spans = [(0.0, 0.0, 60.0 / tempo)]  # (time, beat, seconds a beat) from then on

    def set_tempo(self, t: float, tempo: float) -> None:
        self.spans.append((t, self.beat_at(t), 60.0 / tempo))

    def tempo(self) -> float:
        return 60.0 / self.spans[-1][2]

    def beat_at(self, t: float) -> float:
        at, beat, spb = next(s for s in reversed(self.spans) if s[0] <= t or s is self.spans[0])
        return beat + (t - at) / spb

    def time_at_beat(self, beat: float) -> float:
        at, first, spb = next(s for s in reversed(self.spans) if s[1] <= beat or s is self.spans[0])
        return at + (beat - first) * spb


def test_the_first_scene_starts_the_song_and_the_next_goes_on_counting():
    plan = ClockPlan()
    assert plan.place(1.0, FixedTimeline(1.0, 0.5), change=1.0, now=0.5) == [Clock(1.0, 0.0, 0.5, START)]
    assert plan.place(9.0, FixedTimeline(9.0, 0.75), change=9.0, now=8.9) == [Clock(9.0, 16.0, 0.75)]
    assert position(plan.in_force(12.0), 12.0) == 20.0
    assert plan.in_force(0.9) is None


def test_a_count_in_is_counted_in_the_new_tempo_from_the_bar_line():
    plan = ClockPlan()
    plan.place(0.0, FixedTimeline(0.0, 0.5), 0.0, 0.0)
    # the old scene ends on its bar line at 4 s (beat 8); four clicks at 90 bpm, then the scene
    assert plan.place(4.0 + 4 * 2 / 3, FixedTimeline(4.0 + 8 / 3, 2 / 3), change=4.0, now=3.5) == [
        Clock(4.0, 8.0, pytest.approx(2 / 3)), Clock(4.0 + 8 / 3, 12.0, 2 / 3)]


def test_a_wait_for_links_bar_line_is_bridged_with_whole_beats_or_held():
    plan = ClockPlan()
    old = FixedTimeline(0.0, 0.5)
    plan.place(0.0, old, 0.0, 0.0)
    change = bar_at_or_before(old, 4.0, 5.0)
    assert change == 4.0
    # 1 s is 1.67 of its beats: two beats of 0.5 s
    assert plan.place(5.0, FixedTimeline(5.0, 0.6), change, now=3.0) == [Clock(4.0, 8.0, 0.5), Clock(5.0, 10.0, 0.6)]
    plan = ClockPlan()
    plan.place(0.0, old, 0.0, 0.0)
    assert plan.place(4.2, FixedTimeline(4.2, 0.6), change, now=3.0) == [  # a third of a beat: held
        Clock(4.0, 8.0, math.inf), Clock(4.2, 8.0, 0.6)]


def test_a_tempo_never_changes_in_the_past():
    plan = ClockPlan()
    plan.place(0.0, FixedTimeline(0.0, 0.5), 0.0, 0.0)
    out = plan.place(5.0, FixedTimeline(5.0, 0.5), change=4.0, now=4.5)  # the bar line has gone by
    assert out[0].at == 4.5 and out[0].position == 9.0 and out[-1] == Clock(5.0, 10.0, 0.5)


def test_a_stopped_show_resumes_where_it_stopped_and_a_stop_called_off_is_no_stop():
    plan = ClockPlan()
    plan.place(0.0, FixedTimeline(0.0, 0.5), 0.0, 0.0)
    assert plan.stop(10.25) == [Clock(10.25, 20.5, 0.5, STOP)]
    assert plan.stop(11.0) == []  # stopped already
    assert plan.place(30.0, FixedTimeline(30.0, 0.4), 30.0, 29.0) == [Clock(30.0, 21.0, 0.4, LOCATE)]
    plan = ClockPlan()
    plan.place(0.0, FixedTimeline(0.0, 0.5), 0.0, 0.0)
    plan.stop(10.0)
    assert plan.place(10.0, FixedTimeline(10.0, 0.5), 10.0, 9.0) == [Clock(10.0, 20.0, 0.5)]  # GO before the stop
    assert [s.mode for s in plan.segments] == [START, RUN]


def test_a_scene_placed_again_replaces_the_one_it_retargets():
    plan = ClockPlan()
    plan.place(0.0, FixedTimeline(0.0, 0.5), 0.0, 0.0)
    plan.place(8.0 + 2.0, FixedTimeline(10.0, 0.5), change=8.0, now=7.0)  # with a count-in
    assert plan.place(8.0, FixedTimeline(8.0, 0.25), change=8.0, now=7.5) == [Clock(8.0, 16.0, 0.25)]
    assert [s.at for s in plan.segments] == [0.0, 8.0] and len(plan.scenes) == 2


def test_the_first_scene_placed_again_still_starts_the_song():
    plan = ClockPlan()
    plan.place(1.0, FixedTimeline(1.0, 0.5), 1.0, 0.5)
    assert plan.place(1.0, FixedTimeline(1.0, 0.4), 1.0, 0.6) == [Clock(1.0, 0.0, 0.4, START)]


def test_a_link_tempo_is_followed_from_a_lookahead_on():
    session, plan = Session(100.0), ClockPlan()
    plan.place(0.0, FollowTimeline(session, 0.0), 0.0, 0.0, follows=True)
    assert plan.follow(3.0) == []  # on its beats
    session.set_tempo(3.0, 120.0)
    out = plan.follow(3.1)
    assert out == [Clock(3.1, pytest.approx(5.0 + 0.2), pytest.approx(0.5))]
    assert plan.follow(3.2) == []


def test_following_link_places_the_next_scene_again_from_the_new_tempo():
    session, plan = Session(120.0), ClockPlan()
    plan.place(0.0, FollowTimeline(session, 0.0), 0.0, 0.0, follows=True)
    plan.place(10.0, FixedTimeline(10.0, 0.5), 10.0, 9.0)
    session.set_tempo(9.0, 60.0)  # the session slows down before the next scene starts
    out = plan.follow(9.5)
    assert out[0] == Clock(9.5, pytest.approx(18.5), 1.0) and out[-1] == Clock(10.0, pytest.approx(19.0), 0.5)


def test_the_plan_is_sent_again_from_now_on():
    plan = ClockPlan()
    assert plan.again(0.0) == []
    plan.place(1.0, FixedTimeline(1.0, 0.5), 1.0, 0.5)
    assert plan.again(0.5) == [Clock(1.0, 0.0, 0.5, START)]
    plan.place(9.0, FixedTimeline(9.0, 0.25), 9.0, 8.0)
    assert plan.again(3.0) == [Clock(3.0, 4.0, 0.5), Clock(9.0, 16.0, 0.25)]
    plan.stop(12.0)
    assert plan.again(20.0) == [Clock(20.0, 28.0, 0.25, STOP)]
    assert len(plan.segments) == 3  # sending again changes nothing


def test_the_looker_follows_a_conductor_through_a_count_in_and_a_stop(tmp_path):
    scenes = tmp_path / "a.toml", tmp_path / "b.toml"
    for path, tempo, count_in in zip(scenes, (120, 90), (0, 2)):
        path.write_text(f'name = "{path.stem}"\ntempo = {tempo}\ncount_in = {count_in}\n'
                        '[[voices]]\nname = "v"\ninstrument = "pluck"\n')
    loaded = load_rig(write_rig(tmp_path, scenes=[p.name for p in scenes], midi={"output": {"clock": True}}))
    assert loaded.rig.midi.output is not None and loaded.rig.midi.output.clock
    conductor = Conductor(loaded, CollectSink(), rule_factory, start=1.0)
    sent: list[Clock] = []
    looker = ClockSender(conductor, sent.append)
    for step in range(0, 1200):
        t = step / 100
        if step == 300:
            conductor.ingest(CueEvent(t, "next"))
        if step == 900:
            conductor.ingest(CueEvent(t, "stop"))
        conductor.advance_to(t)
        looker.look(t)
    looker.close(12.0)
    modes = [(s.mode, s.at) for s in sent if s.mode is not RUN]
    assert modes[0] == (START, 1.0) and modes[-1][0] is STOP
    # GO at 3 s: the bar line at 5 s (beat 8), two clicks at 90 bpm, then scene b at 6.33 s on beat 10
    assert Clock(5.0, 8.0, pytest.approx(2 / 3)) in sent and Clock(5.0 + 4 / 3, 10.0, pytest.approx(2 / 3)) in sent
    stop = next(s for s in sent if s.mode is STOP)
    # stop at 9 s: on b's next bar line, its beat 8 (11.67 s), the song's beat 18
    assert stop.at == pytest.approx(5.0 + 4 / 3 + 8 * 2 / 3) and stop.position == pytest.approx(18.0)


def test_the_rig_option_is_strict(tmp_path):
    with pytest.raises(ConfigError, match=r"midi\.output\.clock.*bool"):
        load_rig(write_rig(tmp_path, midi={"output": {"clock": "yes"}}))
