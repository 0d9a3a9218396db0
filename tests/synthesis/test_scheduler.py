"""The engine's clock mapping and scheduler, pure: the conductor's seconds to engine frames, live reports with
jitter and lost time, and pending notes that follow the mapping when it moves."""

from __future__ import annotations

import random

from synthesis.protocol import Note, Param
from synthesis.scheduler import FrameClock, Scheduler

SR, BS = 48000, 256
PERIOD = BS / SR


def test_late_reports_do_not_move_the_mapping():
    clock, rng = FrameClock(SR, origin=None), random.Random(1)
    for i in range(2000):
        late = 0.012 if i % 300 == 150 else rng.uniform(0.0, 0.001)  # jitter, and now and then a stalled callback
        clock.observe(100.0 + i * PERIOD + late, i * BS)
    assert clock.origin is not None and abs(clock.origin - 100.0) < 0.0002


def _run(clock: FrameClock, gaps: list[float]) -> list[int]:
    """Report buffers that come ``gaps[i]`` periods apart; return the mapping's error in frames at each."""
    wall, errors = 0.0, []
    for i, gap in enumerate(gaps):
        wall += gap * PERIOD
        clock.observe(wall, i * BS)
        errors.append(clock.frame_of(wall) - i * BS)
    return errors


def test_cycles_lost_in_an_xrun_are_followed_within_a_quarter_second():
    """An xrun drops 20 cycles: what is due from then on must land in the buffer computed then, not 0.1 s late."""
    errors = _run(FrameClock(SR, origin=None), [1.0] * 400 + [21.0] + [1.0] * 400)
    settle = 401 + round(FrameClock.WINDOW / PERIOD) + 1
    assert errors[400] > 19 * BS  # the loss itself
    assert all(abs(e) <= BS // 4 for e in errors[settle:]), max(errors[settle:])


def test_a_starved_server_running_slow_lags_by_at_most_a_quarter_second():
    errors = _run(FrameClock(SR, origin=None), [1.0] * 400 + [2.5] * 400)
    assert max(errors) <= FrameClock.WINDOW * SR, max(errors)


def test_pending_notes_follow_the_mapping():
    clock = FrameClock(SR, origin=0.0)
    scheduler = Scheduler()
    scheduler.push(Note(1.0, 0.1, 60, 100, "epiano"), 1.0)
    assert scheduler.due(0, BS, clock.frame_of) == []
    clock.origin = 0.5  # the audio lost half a second: the note is due half a second of frames sooner
    frame = clock.frame_of(1.0)
    start = frame - frame % BS
    assert scheduler.due(start - BS, BS, clock.frame_of) == []
    assert [offset for offset, _ in scheduler.due(start, BS, clock.frame_of)] == [frame - start]
    assert scheduler.late == 0


def test_only_notes_count_as_late():
    """A parameter change sent "at once" carries its control tick's time and arrives a little after it: that is
    not lateness. A note after its start frame is."""
    scheduler = Scheduler()
    scheduler.push(Param("pad", "expression", 0.5, at=0.99), 0.99)
    scheduler.push(Note(0.995, 0.5, 60, 90, "pad"), 0.995)
    due = scheduler.due(48000, 256, lambda t: round(t * 48000))
    assert [offset for offset, _ in due] == [0, 0] and scheduler.late == 1


def test_the_engine_counts_how_early_notes_arrive():
    from synthesis.counts import NO_MARGIN, EngineCounts

    counts = EngineCounts()
    assert counts.margin_us == NO_MARGIN and "margin" not in counts.summary()
    counts.arrived(960, 48000)
    counts.arrived(-48, 48000)
    counts.arrived(4800, 48000)
    assert counts.margin_us == -1000 and "least margin -1.0 ms" in counts.summary()
