"""An Ableton Link session (I/O), through LinkPython: its tempo, and its beats against the conductor's clock.

Link keeps its own clock (on Linux, CLOCK_MONOTONIC_RAW in microseconds); the conductor's is ``time.monotonic``.
Each query converts through the two clocks read together, so the slow drift between them never accumulates.
Link finds peers by multicast on every network interface: enabling it joins whatever session the network has."""

from __future__ import annotations

import time


class LinkSession:
    """A Link peer, enabled at once. ``quantum`` is the bar length in beats that phases align to."""

    def __init__(self, tempo: float, quantum: float = 4.0) -> None:
        import link  # LinkPython-extern: imported only by rigs that follow Link

        self.quantum = quantum
        self.link = link.Link(tempo)
        self.link.enabled = True

    def _offset(self) -> float:
        """Link's clock minus the conductor's, in seconds, now."""
        return self.link.clock().micros() / 1e6 - time.monotonic()

    def tempo(self) -> float:
        return float(self.link.captureAppSessionState().tempo())

    def beat_at(self, t: float) -> float:
        state = self.link.captureAppSessionState()
        return float(state.beatAtTime(round((t + self._offset()) * 1e6), self.quantum))

    def time_at_beat(self, beat: float) -> float:
        state = self.link.captureAppSessionState()
        return state.timeAtBeat(beat, self.quantum) / 1e6 - self._offset()

    def peers(self) -> int:
        return int(self.link.numPeers())

    def close(self) -> None:
        self.link.enabled = False
