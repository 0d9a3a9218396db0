"""A gallery rig's ``[gallery]`` section: open intervals by weekday, quiet hours and idling, with the clock-time
checks that give one-line errors for a bad time or weekday."""

from __future__ import annotations

import re
from typing import Optional

from pydantic import Field, field_validator, model_validator

from performer.config.base import Strict

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")  # datetime.weekday() order
DAY_MINUTES = 24 * 60
WEEK_MINUTES = 7 * DAY_MINUTES
CLOCK_TIME = re.compile(r"([01][0-9]|2[0-3]):([0-5][0-9])|24:00")


def clock_minutes(text: str) -> int:
    """Minutes after midnight of an "HH:MM" time (24-hour; "24:00" is the end of the day)."""
    if not isinstance(text, str) or not CLOCK_TIME.fullmatch(text):
        raise ValueError(f"expected a time HH:MM from 00:00 to 24:00, got {text!r}")
    hours, minutes = text.split(":")
    return int(hours) * 60 + int(minutes)


def interval_minutes(start: str, end: str) -> tuple[int, int]:
    """Minutes after the day's midnight of an interval's ends: an end before the start runs past midnight."""
    first, last = clock_minutes(start), clock_minutes(end)
    if first == DAY_MINUTES:
        raise ValueError(f"expected a start from 00:00 to 23:59 (24:00 only ends an interval), got {start!r}")
    if first == last:
        raise ValueError(f"expected an interval of nonzero length, got {[start, end]!r}")
    return first, last if last > first else last + DAY_MINUTES


def check_weekday(name: str) -> str:
    """The name, if it is one of mon..sun."""
    if name not in WEEKDAYS:
        raise ValueError(f"expected weekday names among {', '.join(WEEKDAYS)}, got {name!r}")
    return name


class QuietHours(Strict):
    """A lower loudness ceiling from ``start`` to ``end`` on ``days`` (the days the hours begin on: an end before
    the start runs past midnight into the next day)."""

    days: list[str] = Field(default_factory=lambda: list(WEEKDAYS))
    start: str
    end: str
    max_loudness_db: float = Field(ge=-60.0, le=0.0)

    @field_validator("days")
    @classmethod
    def _days(cls, value: list[str]) -> list[str]:
        if not value:
            raise ValueError(f"expected at least one weekday among {', '.join(WEEKDAYS)}, got []")
        for name in value:
            check_weekday(name)
        return value

    @field_validator("start", "end")
    @classmethod
    def _time(cls, value: str) -> str:
        clock_minutes(value)
        return value

    @model_validator(mode="after")
    def _interval(self) -> "QuietHours":
        interval_minutes(self.start, self.end)
        return self


class GalleryConfig(Strict):
    """When a gallery installation plays: open intervals by weekday (a day absent or [] is closed all day), quiet
    hours, and going idle (to ``idle_scene``, if any) after ``idle_after_minutes`` without an audience (0: never).
    ``state_file`` is where the rig saves its position (empty: the caller's default)."""

    hours: dict[str, list[list[str]]]
    quiet: list[QuietHours] = []
    idle_after_minutes: float = Field(10.0, ge=0.0, le=7 * 24 * 60)
    idle_scene: Optional[str] = None
    state_file: str = ""

    @field_validator("hours")
    @classmethod
    def _hours(cls, value: dict[str, list[list[str]]]) -> dict[str, list[list[str]]]:
        for day, intervals in value.items():
            check_weekday(day)
            for interval in intervals:
                if len(interval) != 2:
                    raise ValueError(f"{day}: expected intervals like [\"10:00\", \"18:00\"], got {interval!r}")
                try:
                    interval_minutes(*interval)
                except ValueError as error:
                    raise ValueError(f"{day}: {error}") from None
        return value
