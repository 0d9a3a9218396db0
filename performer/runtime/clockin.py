"""Following an incoming MIDI clock (``[midi] clock_in``), the conductor's half: the ports whose names match
(sensors/clockport.py, a thread of their own stamping each message with the time rtmidi heard it) feed sensors'
clock follower, the rig's shared beat clock in Link's place (scenes with ``link = true`` follow its tempo and bar
lines); and a looker obeys its transport: Start plays the show from its first scene, Continue resumes it, Stop stops
it (each on the next bar line a lookahead away). Until the first Start or Continue the show waits."""

from __future__ import annotations

import logging

from performer.config.loading import LoadedRig
from performer.show.conductor import Conductor
from sensors.clockin import ClockFollower, Transport
from sensors.clockport import ClockPorts
from sensors.errors import InputUnavailable

log = logging.getLogger(__name__)


class ClockIn:
    """The rig's incoming MIDI clock, as a beat clock (tempo, beat_at, time_at_beat) for its scenes to follow."""

    def __init__(self, loaded: LoadedRig) -> None:
        rig = loaded.rig
        self.follower = ClockFollower(loaded.scenes[0].tempo)
        self.inputs: ClockPorts | None = None
        try:
            self.inputs = ClockPorts(rig.midi.api.value, rig.midi.clock_in, self.follower.feed,
                                     client="performer-clock", own=f"{rig.audio.jack_name}-midi:")
        except InputUnavailable as err:
            log.warning("%s; scenes play their own tempi, and the show does not wait for a Start", err)

    def tempo(self) -> float:
        return self.follower.tempo()

    def beat_at(self, t: float) -> float:
        return self.follower.beat_at(t)

    def time_at_beat(self, beat: float) -> float:
        return self.follower.time_at_beat(beat)

    def close(self) -> None:
        if self.inputs is not None:
            self.inputs.close()


class ClockTransport:
    """A looker: the incoming clock's Start, Continue and Stop, applied to the show. A Start or Continue waits
    until a beat of clocks has given the tempo, so the show's first bar line falls where the master's does."""

    def __init__(self, conductor: Conductor, follower: ClockFollower, start: float) -> None:
        self.conductor, self.follower = conductor, follower
        self._waiting: Transport | None = None  # a Start or Continue heard, the tempo not known yet
        if not follower.running:  # the show waits for the master's Start: its first scene ends where it starts
            conductor.stop(start - conductor.lookahead)

    def look(self, t: float) -> None:
        """Apply the transport changes heard since the last look."""
        for change, _ in self.follower.take():
            log.info("MIDI clock in: %s", change.value)
            self._waiting = None if change is Transport.STOP else change
            if change is Transport.STOP:
                self.conductor.stop(t)
        if self._waiting is not None and self.follower.steady:
            log.info("MIDI clock in: %.1f bpm", self.follower.tempo())
            if self._waiting is Transport.START:
                self.conductor.resume(0, t)
            elif self.conductor.stopped:
                self.conductor.resume(self.conductor.scene_index, t)
            self._waiting = None
