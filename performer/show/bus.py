"""The control bus: the latest normalized value of every signal, with counts of what was clamped or dropped."""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field

from sensors.events import ControlEvent, clamp01


@dataclass
class BusStats:
    """Counters that health reports and tests read."""

    received: int = 0
    clamped: Counter[str] = field(default_factory=Counter)
    dropped: Counter[str] = field(default_factory=Counter)


RELEASE_GLIDE = 1.0  # seconds a released signal takes to reach its default


class ControlBus:
    """Holds the last event of each signal. Values outside 0..1 are clamped and counted; NaN is dropped.
    ``now`` is the conductor's time, which released signals glide by."""

    def __init__(self) -> None:
        self._last: dict[str, ControlEvent] = {}
        self._released: dict[str, ControlEvent] = {}  # name -> its last event, now gliding to the default
        self.stats = BusStats()
        self.now = 0.0

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
        self._released.pop(event.name, None)
        return True

    def release(self, prefix: str, t: float) -> int:
        """Signals under ``prefix`` (a path, as ``hand/left``) glide from ``t`` to their readers' defaults."""
        names = [n for n in self._last if n == prefix or n.startswith(prefix.rstrip("/") + "/")]
        for name in names:
            self._released[name] = ControlEvent(t, name, self._last.pop(name).value)
        return len(names)

    def value(self, name: str, default: float) -> float:
        """The signal's latest value; ``default`` if it has never been seen; on its way there if released."""
        event = self._last.get(name)
        if event is not None:
            return event.value
        released = self._released.get(name)
        if released is None:
            return default
        k = max(0.0, (self.now - released.t) / RELEASE_GLIDE)
        return default if k >= 1.0 else released.value + (default - released.value) * k

    def last(self, name: str) -> ControlEvent | None:
        """The signal's latest event, if any."""
        return self._last.get(name)

    def names(self) -> list[str]:
        """Every signal seen so far, sorted."""
        return sorted(self._last)
