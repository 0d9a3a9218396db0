"""The control bus: the latest normalized value of every signal, with counts of what was clamped or dropped."""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field

from performer.events import ControlEvent, clamp01


@dataclass
class BusStats:
    """Counters that health reports and tests read."""

    received: int = 0
    clamped: Counter[str] = field(default_factory=Counter)
    dropped: Counter[str] = field(default_factory=Counter)


class ControlBus:
    """Holds the last event of each signal. Values outside 0..1 are clamped and counted; NaN is dropped."""

    def __init__(self) -> None:
        self._last: dict[str, ControlEvent] = {}
        self.stats = BusStats()

    def publish(self, event: ControlEvent) -> bool:
        """Store an event; return False if it was dropped."""
        self.stats.received += 1
        value, clamped = clamp01(float(event.value))
        if math.isnan(value):
            self.stats.dropped[event.name] += 1
            return False
        if clamped:
            self.stats.clamped[event.name] += 1
            event = ControlEvent(event.t, event.name, value)
        self._last[event.name] = event
        return True

    def value(self, name: str, default: float) -> float:
        """The signal's latest value, or ``default`` if it has never been seen."""
        event = self._last.get(name)
        return default if event is None else event.value

    def last(self, name: str) -> ControlEvent | None:
        """The signal's latest event, if any."""
        return self._last.get(name)

    def names(self) -> list[str]:
        """Every signal seen so far, sorted."""
        return sorted(self._last)
