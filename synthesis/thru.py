"""The thru path's key logic, pure: a player's MIDI note-ons, note-offs and sustain pedal, turned into
"start this key" and "release this key" for the engine, which plays them at once on the scene's thru instrument.

A held key sounds until its note-off (or the pedal's release), and never longer than HOLD_LIMIT, so a lost
note-off (an unplugged keyboard) cannot leave a note hanging."""

from __future__ import annotations

from dataclasses import dataclass, field

HOLD_LIMIT = 60.0  # seconds a thru note may be held before it releases by itself
SUSTAIN = 64  # the sustain pedal's controller number
NOTE_OFF, NOTE_ON, CONTROL = 0x80, 0x90, 0xB0  # MIDI status bytes, channel in the low nibble


Key = tuple[int, int]  # (channel 0-15, note)


@dataclass(frozen=True)
class KeyOn:
    key: Key
    velocity: int


@dataclass(frozen=True)
class KeyOff:
    key: Key


@dataclass(frozen=True)
class KeysLost:
    """A keyboard went away (unplugged, its JACK port gone): every key held on the thru path is released now,
    since their note-offs will never come."""


@dataclass
class ThruKeys:
    """Which keys are down, which the pedal holds, and which channel to listen to."""

    channel: int = 0  # 1-16, as players count them; 0 for every channel
    down: set[Key] = field(default_factory=set)
    pedal: set[int] = field(default_factory=set)  # channels whose sustain pedal is down
    sustained: set[Key] = field(default_factory=set)  # released keys the pedal still holds

    def handle(self, message: list[int] | bytes) -> list[KeyOn | KeyOff]:
        """What to play for one raw MIDI message; anything but notes and the sustain pedal gives nothing."""
        if len(message) < 3:
            return []
        status, channel, data1, data2 = message[0] & 0xF0, message[0] & 0x0F, message[1], message[2]
        if self.channel and channel + 1 != self.channel:
            return []
        if status == NOTE_ON and data2 > 0:
            return self._press((channel, data1), data2)
        if status in (NOTE_ON, NOTE_OFF):
            return self._lift((channel, data1))
        if status == CONTROL and data1 == SUSTAIN:
            return self._pedal(channel, data2 >= 64)
        return []

    def _press(self, key: Key, velocity: int) -> list[KeyOn | KeyOff]:
        again = key in self.down or key in self.sustained  # a repeated key restarts its note
        self.sustained.discard(key)
        self.down.add(key)
        return [KeyOff(key), KeyOn(key, velocity)] if again else [KeyOn(key, velocity)]

    def _lift(self, key: Key) -> list[KeyOn | KeyOff]:
        if key not in self.down:
            return []
        self.down.discard(key)
        if key[0] in self.pedal:
            self.sustained.add(key)
            return []
        return [KeyOff(key)]

    def _pedal(self, channel: int, pressed: bool) -> list[KeyOn | KeyOff]:
        if pressed:
            self.pedal.add(channel)
            return []
        self.pedal.discard(channel)
        released = sorted(k for k in self.sustained if k[0] == channel)
        self.sustained.difference_update(released)
        return [KeyOff(k) for k in released]

    def clear(self) -> None:
        """Forget every key (after a panic)."""
        self.down.clear()
        self.pedal.clear()
        self.sustained.clear()
