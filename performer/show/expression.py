"""Expression on sounding notes: a voice's ``glide`` mapping makes the note that sounds follow a control, as a
theremin's pitch follows the hand. The control sets a target pitch (snapped to the voice's scale if the mapping
asks); the instrument's ``bend`` carries the sounding note there, and each new note starts on the target too."""

from __future__ import annotations

from performer.show.mapping import Mapping
from synthesis.catalog import PARAMS
from synthesis.protocol import Note, Param

BEND_STEP = 0.01  # semitones: a smaller move is not sent


class Glide:
    """One voice's glide: the pitch its last note started on, and the bend last sent to its instrument."""

    def __init__(self, mapping: Mapping, instrument: str, pitch_classes: frozenset[int]) -> None:
        self.mapping, self.instrument = mapping, instrument
        self.keys = [p for p in range(128) if p % 12 in pitch_classes] if mapping.spec.snap else []
        _, self.low, self.high = PARAMS[instrument]["bend"]  # the instrument's reach, in semitones
        self.pitch: int | None = None  # the voice's sounding note, once it has played one
        self.sent: float | None = None

    @property
    def target(self) -> float:
        """Where the control puts the note: the mapping's value, or with ``snap`` the nearest pitch of the scale."""
        value = self.mapping.value
        return float(min(self.keys, key=lambda p: abs(p - value))) if self.keys else value

    def pitch_at_start(self) -> int:
        """A new note's pitch: the target's nearest key, so the note is recorded (and sent out) as it is heard and
        the bend starts within half a semitone; the generator still chooses when, how long and how loud."""
        return min(127, max(0, round(self.target)))

    def bend(self) -> float:
        """The bend from the sounding note to the target, within the instrument's reach."""
        assert self.pitch is not None
        return min(self.high, max(self.low, self.target - self.pitch))

    def on_note(self, note: Note) -> Param:
        """A new note of the voice: the bend that starts it on the target, from the note's start."""
        self.pitch = note.pitch
        self.sent = self.bend()
        return Param(self.instrument, "bend", self.sent, at=note.start)

    def moved(self, t: float) -> Param | None:
        """The sounding note's new bend, at once, if the target moved it."""
        if self.pitch is None:
            return None
        bend = self.bend()
        if self.sent is not None and abs(bend - self.sent) < BEND_STEP:
            return None
        self.sent = bend
        return Param(self.instrument, "bend", bend, at=t)
