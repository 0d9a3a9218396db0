"""Voices with the player: accompany (hears the keys, plays on), answer (call and response) and autonomous, on
the conductor offline with a scripted player, and the call logic alone."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from performer.config.loading import load_rig
from performer.generate.factory import rig_factory
from performer.offline.render import CollectSink
from performer.show.callresponse import Call
from performer.show.conductor import Conductor, Trace
from sensors.events import PlayerMidi
from tests.conftest import write_rig


def test_a_call_starts_after_silence_and_is_answered_after_a_gap():
    call = Call(gap=0.5, shortest=2.0, longest=4.0)
    assert call.answer() is None  # nobody has called
    call.press(1.0)
    call.press(1.2)
    call.lift(1.4)
    assert call.answer() is None  # a key is still held
    call.lift(1.6)
    assert call.answer() == (2.1, 4.1)  # a short call gets the shortest answer
    call.press(1.9)  # within the gap: the same call goes on
    call.lift(6.0)
    assert call.answer() == (6.5, 10.5)  # 5 s of calling: the longest answer
    assert call.may_answer(6.5) and not call.may_answer(6.4) and not call.may_answer(10.5)
    call.press(7.0)  # a new call interrupts the answer
    assert call.started == 7.0 and not call.may_answer(7.5)


SCENE = """
name = "Duet"
tempo = 120
key = "C"
scale = "major"
thru = "lead"
[[voices]]
name = "lead"
instrument = "epiano"
register = [55, 84]
steering = { density = 2.0, register = 67, spread = 4, velocity = 80 }
[[voices]]
name = "echo"
instrument = "pluck"
register = [60, 90]
mode = "answer"
steering = { density = 2.0, register = 74, spread = 4, velocity = 80 }
[[voices]]
name = "pad"
instrument = "pad"
register = [40, 60]
steering = { density = 0.5, register = 50, spread = 3, velocity = 70 }
"""


def _key(t: float, note: int, down: bool) -> PlayerMidi:
    return PlayerMidi(t, (0x90, note, 90) if down else (0x80, note, 0))


def test_answer_waits_for_the_call_accompany_and_autonomous_play_on(tmp_path: Path):
    (tmp_path / "duet.toml").write_text(SCENE)
    loaded = load_rig(write_rig(tmp_path, name="duet", scenes=["duet.toml"], model={"generator": "rules"}))
    sink = CollectSink()
    conductor = Conductor(loaded, sink, rig_factory(loaded), start=0.0, trace=Trace())
    calls = [(2.0, [72, 74, 76, 79]), (12.0, [77, 76, 74, 72, 71, 72])]
    for start, notes in calls:
        for i, note in enumerate(notes):
            conductor.ingest(_key(start + 0.4 * i, note, True))
            conductor.ingest(_key(start + 0.4 * i + 0.3, note, False))
    conductor.advance_to(24.0)
    beat, bar = 0.5, 2.0
    echo = [n.start for n in sink.notes if n.voice == "echo"]
    ends = [start + 0.4 * (len(notes) - 1) + 0.3 for start, notes in calls]
    windows = [(end + beat, end + beat + min(2 * bar, max(bar, end - start)))
               for (start, _), end in zip(calls, ends)]
    assert echo and all(any(a <= t < b for a, b in windows) for t in echo), (echo, windows)
    assert all(any(a <= t < b for t in echo) for a, b in windows)  # each call was answered
    pad = [n.start for n in sink.notes if n.voice == "pad"]
    assert any(2.0 <= t < ends[0] for t in pad) or any(12.0 <= t < ends[1] for t in pad)  # autonomous plays on
    lead = [n.start for n in sink.notes if n.voice == "lead"]
    assert len([t for t in lead if 2.0 <= t < ends[0] + 2]) >= 2  # accompaniment goes on through the call
    assert math.isclose(loaded.scenes[0].bar_seconds, bar)


class _Listening:
    """The real model generator of a voice, wrapped to keep what it is fed (a spy: every call goes through)."""

    def __init__(self, inner) -> None:
        self.inner, self.fed = inner, []

    def feed(self, note) -> None:
        self.fed.append(note)
        self.inner.feed(note)

    def __getattr__(self, name):
        return getattr(self.inner, name)


def test_a_chord_the_player_rolls_goes_to_the_model_as_one_group(tmp_path: Path):
    slow = SCENE.replace('mode = "answer"\nsteering = { density = 2.0', 'mode = "answer"\nsteering = { density = 0.125')
    (tmp_path / "duet.toml").write_text(slow)  # the answering voice plays one note in 8 beats: its clock is the keys'
    loaded = load_rig(write_rig(tmp_path, name="duet", scenes=["duet.toml"]))
    made: list[_Listening] = []
    factory = rig_factory(loaded)

    def listening(seed, scene, index):
        made.append(_Listening(factory(seed, scene, index)))
        return made[-1]

    conductor = Conductor(loaded, CollectSink(), listening, start=0.0, trace=Trace())
    for t, note in ((2.0, 60), (2.012, 64), (2.031, 67), (3.0, 72)):  # a rolled C major chord, then a key
        conductor.advance_to(t)
        conductor.ingest(_key(t, note, True))
    conductor.advance_to(4.0)
    echo = made[1]
    assert [n.pitch for n in echo.fed] == [60, 64, 67, 72]
    assert echo.fed[1].delta == 0 and echo.fed[2].delta == 0  # 12 and 31 ms later: the same chord
    assert echo.fed[3].delta == pytest.approx((3.0 - 2.0) * 2, abs=0.01)  # 120 bpm: from the chord, not its end
