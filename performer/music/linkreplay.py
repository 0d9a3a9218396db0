"""An Ableton Link session as a run recorded it (a session folder's link.jsonl), for a replay: a ``BeatClock``
that answers, at each moment of the replay, as the live session would have answered then."""

from __future__ import annotations

from bisect import bisect_right
from typing import Callable, Sequence


class RecordedLink:
    """Link's tempo and phase from samples (time, beat, tempo) on the replay's clock. A question asked at clock
    time ``now()`` is answered from the last sample taken by then, extrapolated at its tempo, as Link itself
    extrapolates its timeline: so a beat still to come falls where the live run placed it when it chose the note,
    and a tempo change takes effect from the moment the run saw it."""

    def __init__(self, samples: Sequence[tuple[float, float, float]], now: Callable[[], float]) -> None:
        if not samples:
            raise ValueError("a recorded Link session needs at least one sample")
        self.samples = sorted(samples)
        self._times = [s[0] for s in self.samples]
        self.now = now

    def _sample(self) -> tuple[float, float, float]:
        """The sample in force now (before the first, the first)."""
        return self.samples[max(0, bisect_right(self._times, self.now()) - 1)]

    def tempo(self) -> float:
        return self._sample()[2]

    def beat_at(self, t: float) -> float:
        at, beat, tempo = self._sample()
        return beat + (t - at) * tempo / 60.0

    def time_at_beat(self, beat: float) -> float:
        at, beat0, tempo = self._sample()
        return at + (beat - beat0) * 60.0 / tempo
