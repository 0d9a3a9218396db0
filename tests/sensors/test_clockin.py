"""Following an incoming MIDI clock (pure): the tempo from the clocks' times, smoothed over their jitter; the beats
counted from Start, or from a Song Position Pointer before Continue; the transport queued for the conductor."""

from __future__ import annotations

import random

import pytest

from sensors.clockin import CONTINUE, START, STOP, TICK, ClockFollower, Transport

SPT = 60.0 / 110.0 / 24  # seconds a clock at 110 bpm


def clocks(follower: ClockFollower, first: float, count: int, spt: float = SPT, jitter: float = 0.0,
           seed: int = 1) -> float:
    """Feed ``count`` clocks from ``first``, each heard up to ``jitter`` seconds late; the time of the next."""
    rng = random.Random(seed)
    for k in range(count):
        follower.feed([TICK], first + k * spt + rng.uniform(0.0, jitter))
    return first + count * spt


def test_the_tempo_and_the_beats_from_start():
    follower = ClockFollower(tempo=90.0)
    assert follower.tempo() == pytest.approx(90.0) and not follower.running
    follower.feed([START], 10.0)
    clocks(follower, 10.001, 96)
    assert follower.running and follower.tempo() == pytest.approx(110.0)
    assert follower.beat_at(10.001) == pytest.approx(0.0, abs=1e-9)  # the first clock after Start is the downbeat
    assert follower.time_at_beat(8.0) == pytest.approx(10.001 + 8 * 24 * SPT)
    assert follower.take() == [(Transport.START, 10.0)] and follower.take() == []


def test_jitter_is_smoothed():
    follower = ClockFollower(tempo=120.0)
    follower.feed([START], 0.0)
    clocks(follower, 0.0, 24 * 16, jitter=0.0053)  # heard up to a JACK period late
    assert follower.tempo() == pytest.approx(110.0, rel=0.005)
    grid = 24 * 16 * SPT + 0.0053 / 2  # the mean lateness shifts the beats that much
    assert abs(follower.time_at_beat(16.0) - grid) < 0.002


def test_clocks_before_start_set_the_tempo_only():
    follower = ClockFollower(tempo=120.0)
    t = clocks(follower, 0.0, 48)
    assert not follower.running and follower.tempo() == pytest.approx(110.0)
    follower.feed([START], t - 0.005)
    clocks(follower, t, 24)
    assert follower.beat_at(t) == pytest.approx(0.0, abs=1e-9) and follower.beat_at(t + 24 * SPT) == pytest.approx(1.0)


def test_stop_then_continue_goes_on_from_where_it_stopped_or_from_a_song_position():
    follower = ClockFollower(tempo=110.0)
    follower.feed([START], 0.0)
    t = clocks(follower, 0.0, 50)  # clocks 0..49: the next is 50
    follower.feed([STOP], t)
    assert not follower.running and follower.position == 50
    follower.feed([CONTINUE], t + 5.0)
    clocks(follower, t + 5.01, 30)
    assert follower.beat_at(t + 5.01) == pytest.approx(50 / 24)
    follower.feed([STOP], t + 10.0)
    follower.feed([0xF2, 32 & 0x7F, 32 >> 7], t + 10.5)  # beat 8
    follower.feed([CONTINUE], t + 11.0)
    clocks(follower, t + 11.01, 24)
    assert follower.beat_at(t + 11.01) == pytest.approx(8.0)
    assert [change for change, _ in follower.take()] == [Transport.START, Transport.STOP, Transport.CONTINUE,
                                                         Transport.STOP, Transport.CONTINUE]


def test_a_new_tempo_after_a_pause_is_read_at_once():
    follower = ClockFollower(tempo=110.0)
    follower.feed([START], 0.0)
    t = clocks(follower, 0.0, 96)
    clocks(follower, t + 2.0, 3, spt=60.0 / 140.0 / 24)  # the clock paused, and came back faster
    assert follower.tempo() == pytest.approx(140.0)


def test_the_estimate_stays_within_a_scenes_tempi_and_nonsense_is_ignored():
    follower = ClockFollower(tempo=110.0)
    follower.feed([START], 0.0)
    clocks(follower, 0.0, 10, spt=0.0001)  # a flood of clocks
    assert follower.tempo() == pytest.approx(300.0)
    follower.feed([], 1.0)
    follower.feed([0x90, 60, 100], 1.0)
    follower.feed([0xF2], 1.0)  # cut short
    assert follower.take() == [(Transport.START, 0.0)]


def test_a_clock_is_timed_by_rtmidis_deltas_not_by_a_late_poll():
    from sensors.clockport import Stamper

    stamper = Stamper()
    heard = [0.0, 0.02, 0.04, 0.06]  # when rtmidi heard each (its deltas add up to these)
    read = [100.001, 100.030, 100.041, 100.065]  # polled 1, 10, 1 and 5 ms after
    stamps = [stamper.stamp(now - before, at) for before, now, at in zip([0.0] + heard, heard, read)]
    assert stamps == pytest.approx([100.001, 100.021, 100.041, 100.061], abs=1e-5)
