"""A gallery's opening hours, pure: a whole week on a fake clock (every 30 s, and irregular steps of up to 10
minutes) with scripted visits, every change at its exact moment; next_change() across midnight and the week's
end; and the schema's error messages."""

from __future__ import annotations

import random
import re
from datetime import datetime, timedelta
from typing import Iterator, Optional

import pytest
from pydantic import ValidationError

from performer.config.gallery import GalleryConfig, QuietHours
from performer.show.hours import Change, ClockWentBack, Gallery, GalleryMode, Schedule

MONDAY = datetime(2024, 6, 3)  # a Monday
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun", "next mon")
Q = -36.0
CLOSED, PLAYING, IDLE = GalleryMode.closed, GalleryMode.playing, GalleryMode.idle

HOURS = {
    "tue": [["10:00", "18:00"]], "wed": [["10:00", "18:00"]], "thu": [["10:00", "18:00"]],
    "fri": [["10:00", "02:00"]],  # late opening, past midnight
    "sat": [["10:00", "18:00"]], "sun": [["12:00", "17:00"]],
}
CONFIG = GalleryConfig(hours=HOURS, quiet=[QuietHours(start="12:30", end="13:30", max_loudness_db=Q)])


def at(day: str, clock: str) -> datetime:
    """A moment of the test week: at("fri", "23:50")."""
    hours, minutes, *seconds = (int(part) for part in clock.split(":"))
    return MONDAY + timedelta(days=DAYS.index(day), hours=hours, minutes=minutes, seconds=sum(seconds))


VISITS = [  # the audience is in the room at updates from arrival to departure, both included
    (at("mon", "11:00"), at("mon", "11:20")),  # closed: nothing happens
    (at("tue", "11:00"), at("tue", "11:30")),
    (at("tue", "12:45"), at("tue", "13:00")),
    (at("wed", "10:05"), at("wed", "10:20")),
    (at("wed", "17:55"), at("wed", "18:30")),  # stays past closing
    (at("thu", "09:50"), at("thu", "10:15")),  # waiting at the door
    (at("thu", "12:00"), at("thu", "14:00")),  # through the quiet hours
    (at("fri", "23:50"), at("sat", "00:20")),  # the late opening
    (at("sat", "12:00"), at("sat", "12:20")),  # leaves so that idling starts as the quiet hours do
    (at("sun", "16:40"), at("sun", "16:55")),  # would idle at 17:05, but it closes at 17:00
]

EXPECTED = [
    Change(at("mon", "00:00"), CLOSED, None),
    Change(at("tue", "10:00"), PLAYING, None), Change(at("tue", "10:10"), IDLE, None),
    Change(at("tue", "11:00"), PLAYING, None), Change(at("tue", "11:40"), IDLE, None),
    Change(at("tue", "12:30"), IDLE, Q), Change(at("tue", "12:45"), PLAYING, Q), Change(at("tue", "13:10"), IDLE, Q),
    Change(at("tue", "13:30"), IDLE, None), Change(at("tue", "18:00"), CLOSED, None),
    Change(at("wed", "10:00"), PLAYING, None), Change(at("wed", "10:30"), IDLE, None),
    Change(at("wed", "12:30"), IDLE, Q), Change(at("wed", "13:30"), IDLE, None),
    Change(at("wed", "17:55"), PLAYING, None), Change(at("wed", "18:00"), CLOSED, None),
    Change(at("thu", "10:00"), PLAYING, None), Change(at("thu", "10:25"), IDLE, None),
    Change(at("thu", "12:00"), PLAYING, None), Change(at("thu", "12:30"), PLAYING, Q),
    Change(at("thu", "13:30"), PLAYING, None), Change(at("thu", "14:10"), IDLE, None),
    Change(at("thu", "18:00"), CLOSED, None),
    Change(at("fri", "10:00"), PLAYING, None), Change(at("fri", "10:10"), IDLE, None),
    Change(at("fri", "12:30"), IDLE, Q), Change(at("fri", "13:30"), IDLE, None),
    Change(at("fri", "23:50"), PLAYING, None), Change(at("sat", "00:30"), IDLE, None),
    Change(at("sat", "02:00"), CLOSED, None),
    Change(at("sat", "10:00"), PLAYING, None), Change(at("sat", "10:10"), IDLE, None),
    Change(at("sat", "12:00"), PLAYING, None), Change(at("sat", "12:30"), IDLE, Q),
    Change(at("sat", "13:30"), IDLE, None), Change(at("sat", "18:00"), CLOSED, None),
    Change(at("sun", "12:00"), PLAYING, None), Change(at("sun", "12:10"), IDLE, None),
    Change(at("sun", "12:30"), IDLE, Q), Change(at("sun", "13:30"), IDLE, None),
    Change(at("sun", "16:40"), PLAYING, None), Change(at("sun", "17:00"), CLOSED, None),
]


def present(now: datetime) -> bool:
    """Whether a scripted visit has somebody in the room at ``now``."""
    return any(arrive <= now <= leave for arrive, leave in VISITS)


def steady_clock(step: timedelta) -> Iterator[datetime]:
    """Readings every ``step`` from Monday 00:00 to the next Monday 00:00."""
    now = MONDAY
    while now <= at("next mon", "00:00"):
        yield now
        now += step


def irregular_clock(seed: int) -> Iterator[datetime]:
    """Readings at random gaps of up to 10 minutes (to the microsecond), and at every arrival and departure."""
    rng, now, readings = random.Random(seed), MONDAY, {MONDAY, at("next mon", "00:00")}
    while now < at("next mon", "00:00"):
        now += timedelta(seconds=rng.uniform(0.001, 600.0))
        readings.add(min(now, at("next mon", "00:00")))
    readings.update(moment for visit in VISITS for moment in visit)
    return iter(sorted(readings))


def run(gallery: Gallery, clock: Iterator[datetime], audience=present) -> list[Change]:
    """Feed the gallery the clock's readings; check each update's changes lie since the last; return them all."""
    changes: list[Change] = []
    last: Optional[datetime] = None
    for now in clock:
        new = gallery.update(now, audience(now))
        assert all((last is None or last < change.at) and change.at <= now for change in new), (last, now, new)
        changes += new
        last = now
    return changes


def test_a_week_read_every_30_seconds_changes_at_the_exact_moments():
    assert MONDAY.weekday() == 0
    assert run(Gallery(CONFIG), steady_clock(timedelta(seconds=30))) == EXPECTED


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_a_week_read_at_irregular_moments_changes_at_the_same_moments(seed: int):
    assert run(Gallery(CONFIG), irregular_clock(seed)) == EXPECTED


def test_an_empty_week_read_rarely_is_the_same_week_as_read_often():
    def nobody(now: datetime) -> bool:
        return False

    often = run(Gallery(CONFIG), steady_clock(timedelta(seconds=30)), nobody)
    rarely = run(Gallery(CONFIG), iter([MONDAY, at("thu", "11:11"), at("next mon", "00:00")]), nobody)
    assert often == rarely
    assert often[1:6] == [Change(at("tue", "10:00"), PLAYING, None), Change(at("tue", "10:10"), IDLE, None),
                          Change(at("tue", "12:30"), IDLE, Q), Change(at("tue", "13:30"), IDLE, None),
                          Change(at("tue", "18:00"), CLOSED, None)]


def test_the_first_update_reports_the_state_then_and_idling_counts_from_it():
    gallery = Gallery(CONFIG)
    assert gallery.update(at("tue", "12:40:30"), audience=False) == [Change(at("tue", "12:40:30"), PLAYING, Q)]
    assert (gallery.mode, gallery.loudness_cap) == (PLAYING, Q)
    assert gallery.update(at("tue", "12:50:29"), audience=False) == []
    assert gallery.update(at("tue", "12:50:30"), audience=False) == [Change(at("tue", "12:50:30"), IDLE, Q)]
    assert gallery.update(at("tue", "12:51"), audience=True) == [Change(at("tue", "12:51"), PLAYING, Q)]


def test_seen_at_the_moment_idling_was_due_it_does_not_idle():
    gallery = Gallery(CONFIG)
    gallery.update(at("tue", "10:00"), audience=False)
    assert gallery.update(at("tue", "10:10"), audience=True) == []
    assert gallery.update(at("tue", "10:30"), audience=False) == [Change(at("tue", "10:20"), IDLE, None)]


def test_never_idle_when_idle_after_is_zero():
    gallery = Gallery(CONFIG.model_copy(update={"idle_after_minutes": 0.0}))
    changes = run(gallery, iter([MONDAY, at("tue", "17:59"), at("tue", "18:01")]), lambda now: False)
    assert [change.mode for change in changes] == [CLOSED, PLAYING, PLAYING, PLAYING, CLOSED]


def test_updates_out_of_order_are_refused():
    gallery = Gallery(CONFIG)
    gallery.update(at("tue", "11:00"), audience=False)
    with pytest.raises(ClockWentBack, match="expected updates in time order"):
        gallery.update(at("tue", "10:59"), audience=False)


def test_open_and_quiet_at_the_edges_of_intervals():
    schedule = Schedule(CONFIG)
    assert not schedule.is_open(at("tue", "09:59:59"))
    assert schedule.is_open(at("tue", "10:00"))
    assert schedule.is_open(at("tue", "17:59:59") + timedelta(microseconds=999999))
    assert not schedule.is_open(at("tue", "18:00"))
    assert schedule.is_open(at("sat", "01:59")) and not schedule.is_open(at("sat", "02:00"))
    assert schedule.loudness_cap(at("sun", "12:30")) == Q and schedule.loudness_cap(at("sun", "13:30")) is None
    assert schedule.loudness_cap(at("mon", "13:00")) is None  # closed: no cap
    assert schedule.is_open(at("tue", "10:00") + timedelta(weeks=52))  # any week, not just this one


def test_next_change_across_midnight_and_the_end_of_the_week():
    schedule = Schedule(CONFIG)
    assert schedule.next_change(at("fri", "14:00")) == at("sat", "02:00")
    assert schedule.next_change(at("sat", "01:59:59")) == at("sat", "02:00")
    assert schedule.next_change(at("sat", "02:00")) == at("sat", "10:00")
    assert schedule.next_change(at("sat", "23:00")) == at("sun", "12:00")
    assert schedule.next_change(at("sun", "13:30")) == at("sun", "17:00")
    assert schedule.next_change(at("sun", "17:00")) == at("next mon", "00:00") + timedelta(days=1, hours=10)
    assert schedule.next_change(at("mon", "00:00")) == at("tue", "10:00")


def test_next_change_finds_every_change_of_the_week():
    schedule = Schedule(CONFIG)
    minutes = [MONDAY + timedelta(minutes=m) for m in range(7 * 24 * 60 + 1)]
    states = [schedule.state(now) for now in minutes]
    expected = [now for now, before, state in zip(minutes[1:], states, states[1:]) if state != before]
    found, now = [], MONDAY
    while (now := schedule.next_change(now)) <= minutes[-1]:
        found.append(now)
    assert found == expected and len(found) == 6 * 4  # opening, quiet start and end, closing


def test_intervals_that_wrap_the_week_and_weeks_that_never_change():
    late = Schedule(GalleryConfig(hours={"sun": [["22:00", "02:00"]]}))
    assert late.is_open(at("next mon", "01:00")) and late.is_open(at("mon", "01:00"))
    assert not late.is_open(at("mon", "02:00"))
    assert late.next_change(at("sun", "23:00")) == at("next mon", "02:00")
    always = {day: [["00:00", "24:00"]] for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}
    assert Schedule(GalleryConfig(hours=always)).next_change(MONDAY) is None
    quiet = QuietHours(days=["fri"], start="23:00", end="01:00", max_loudness_db=-40)
    calm = Schedule(GalleryConfig(hours=always, quiet=[quiet, *CONFIG.quiet]))
    assert calm.next_change(at("sun", "13:00")) == at("sun", "13:30")
    assert calm.next_change(at("sun", "13:30")) == at("next mon", "12:30")
    assert calm.loudness_cap(at("sat", "00:30")) == -40.0
    never = Schedule(GalleryConfig(hours={}, quiet=CONFIG.quiet))
    assert never.next_change(MONDAY) is None and not never.is_open(MONDAY)


def test_overlapping_quiet_hours_take_the_lowest_cap():
    quiet = [QuietHours(start="12:00", end="14:00", max_loudness_db=-30), *CONFIG.quiet]
    schedule = Schedule(GalleryConfig(hours=HOURS, quiet=quiet))
    caps = [schedule.loudness_cap(at("tue", clock)) for clock in ("11:59", "12:00", "12:30", "13:30", "14:00")]
    assert caps == [None, -30.0, Q, -30.0, None]


def test_defaults():
    config = GalleryConfig(hours={"tue": [], "wed": [["10:00", "24:00"]]})
    assert (config.quiet, config.idle_after_minutes, config.idle_scene, config.state_file) == ([], 10.0, None, "")
    assert QuietHours(start="22:00", end="06:00", max_loudness_db=-20).days == [
        "mon", "tue", "wed", "thu", "fri", "sat", "sun"]


def expect_error(message: str, **fields) -> None:
    """Building a GalleryConfig from ``fields`` fails with ``message``."""
    with pytest.raises(ValidationError, match=re.escape(message)):
        GalleryConfig(**fields)


def test_schema_errors_say_what_was_expected_and_what_was_got():
    expect_error("expected weekday names among mon, tue, wed, thu, fri, sat, sun, got 'monday'",
                 hours={"monday": [["10:00", "18:00"]]})
    expect_error("tue: expected a time HH:MM from 00:00 to 24:00, got '9:00'", hours={"tue": [["9:00", "18:00"]]})
    expect_error("tue: expected a time HH:MM from 00:00 to 24:00, got '24:30'", hours={"tue": [["10:00", "24:30"]]})
    expect_error("tue: expected an interval of nonzero length, got ['10:00', '10:00']",
                 hours={"tue": [["10:00", "10:00"]]})
    expect_error("tue: expected a start from 00:00 to 23:59 (24:00 only ends an interval), got '24:00'",
                 hours={"tue": [["24:00", "02:00"]]})
    expect_error('tue: expected intervals like ["10:00", "18:00"], got [\'10:00\']', hours={"tue": [["10:00"]]})
    expect_error("Extra inputs are not permitted", hours={}, opening={})
    expect_error("greater than or equal to 0", hours={}, idle_after_minutes=-1)
    expect_error("expected weekday names among mon, tue, wed, thu, fri, sat, sun, got 'Sat'",
                 hours={}, quiet=[{"days": ["Sat"], "start": "12:00", "end": "13:00", "max_loudness_db": -30}])
    expect_error("expected at least one weekday among mon, tue, wed, thu, fri, sat, sun, got []",
                 hours={}, quiet=[{"days": [], "start": "12:00", "end": "13:00", "max_loudness_db": -30}])
    expect_error("expected a time HH:MM from 00:00 to 24:00, got '12:3'",
                 hours={}, quiet=[{"start": "12:3", "end": "13:00", "max_loudness_db": -30}])
    expect_error("expected an interval of nonzero length, got ['00:00', '00:00']",
                 hours={}, quiet=[{"start": "00:00", "end": "00:00", "max_loudness_db": -30}])
    expect_error("less than or equal to 0", hours={}, quiet=[{"start": "01:00", "end": "02:00", "max_loudness_db": 3}])
    with pytest.raises(ValidationError, match="frozen"):
        CONFIG.idle_after_minutes = 5  # type: ignore[misc]
