"""The rig's incoming MIDI clock ports (I/O): found by name pattern and hot-plugged as the rig's inputs are, polled by
a thread of their own, and each message stamped with the time rtmidi heard it. rtmidi measures the time between
messages in JACK's (or ALSA's) own thread, so a poll that comes late, held up by the conductor's work, does not
move the clock; only the mapping of rtmidi's times onto the conductor's clock comes from the polls."""

from __future__ import annotations

import logging
import time
from typing import Callable

from sensors.midiports import PolledInputs, PollThread

log = logging.getLogger(__name__)

DRIFT = 1e-4  # share of a later reading taken per message, so the mapping follows the two clocks' drift

Heard = Callable[[list[int], float], None]  # a message's bytes, and when it was heard on the conductor's clock


class Stamper:
    """A port's times on rtmidi's clock (the sum of the deltas it reports) onto the conductor's. A message is read
    after it was heard, never before, so the least difference seen pins the mapping, which creeps later slowly."""

    def __init__(self) -> None:
        self.heard = 0.0  # rtmidi's time of the latest message, from its first
        self.offset: float | None = None

    def stamp(self, delta: float, read_at: float) -> float:
        """When a message that came ``delta`` seconds after the one before, and was read at ``read_at``, was heard."""
        self.heard += delta
        candidate = read_at - self.heard
        if self.offset is None or candidate < self.offset:
            self.offset = candidate
        else:
            self.offset += (candidate - self.offset) * DRIFT
        return self.heard + self.offset


class ClockPorts:
    """The ports matching ``pattern``, with MIDI clock and transport let through, read by a thread of their own that
    hands ``heard`` each message and its time. Raises ``NoMidi`` when there is no MIDI system at all."""

    def __init__(self, api: str, pattern: str, heard: Heard, client: str, own: str = "") -> None:
        self.inputs = PolledInputs(api, [pattern], client, who="MIDI clock in", own=own, timing=True)
        self.heard = heard
        self.failed = 0  # messages ``heard`` raised on: logged, and the thread reads on
        self._stampers: dict[str, tuple[object, Stamper]] = {}  # port name -> (the port opened, its stamper)
        self._thread = PollThread(self.inputs, self._read, "midi-clock-in", "MIDI clock in").start()

    def _read(self) -> None:
        """Every message waiting on each port, stamped (a port opened again starts a new stamper)."""
        for name, port in self.inputs.ports.items():
            opened, stamper = self._stampers.get(name, (None, None))
            if opened is not port or stamper is None:
                stamper = Stamper()
                self._stampers[name] = (port, stamper)
            while (item := port.get_message()) is not None:
                data, delta = item
                try:
                    self.heard(list(data), stamper.stamp(delta, time.monotonic()))
                except Exception:  # one bad message must not end the thread
                    self.failed += 1
                    if self.failed == 1 or self.failed % 1000 == 0:
                        log.exception("MIDI clock in: %d message(s) could not be handled", self.failed)

    def close(self) -> None:
        self._thread.close()
