"""The thru player: the player's keys sound at once, without the conductor. The audio callback polls the MIDI
inputs once a buffer; a key-down starts on the instrument the scene named (``/thru``) at the buffer's first
sample, and its key-up (or the sustain pedal lifting) releases it."""

from __future__ import annotations

from typing import Callable, Protocol, Sequence

from synthesis.counts import EngineCounts
from synthesis.instruments import Instrument
from synthesis.thru import HOLD_LIMIT, Key, KeyOn, ThruKeys

EchoCheck = Callable[[list[int], float], bool]  # (message, frame) -> whether it is an echo of our MIDI out


class MidiSource(Protocol):
    """A MIDI input polled without callbacks (an rtmidi ``MidiIn``): each message with its delta time, or None."""

    def get_message(self) -> tuple[list[int], float] | None: ...


class ThruPlayer:
    """Plays the keys from ``midi_in`` on the instrument named by ``instrument`` ("" mutes them)."""

    def __init__(self, instruments: dict[str, Instrument], midi_in: Sequence[MidiSource], channel: int,
                 sample_rate: int, counts: EngineCounts, is_echo: EchoCheck | None = None) -> None:
        self.instruments, self.midi_in, self.sr, self.counts = instruments, list(midi_in), sample_rate, counts
        self.is_echo = is_echo  # recognises the rig's own MIDI out coming back (None: no MIDI out)
        self.keys = ThruKeys(channel=channel)
        self.instrument = ""
        self.held: dict[Key, tuple[Instrument, int, int]] = {}  # key -> (instrument, voice, frame it started)

    def poll(self, frame: int) -> None:
        """Play what arrived since the last buffer, less the rig's own MIDI out heard back."""
        for port in self.midi_in:
            while (message := port.get_message()) is not None:
                if self.is_echo is not None and self.is_echo(message[0], frame):
                    self.counts.echoes += 1
                else:
                    self._play(message[0], frame)

    def _play(self, message: list[int], frame: int) -> None:
        """Key-downs start at once on the thru instrument, key-ups release."""
        for action in self.keys.handle(message):
            if isinstance(action, KeyOn):
                instrument = self.instruments.get(self.instrument)
                if instrument is None:
                    continue
                end = frame + round((HOLD_LIMIT + instrument.release) * self.sr)
                voice = instrument.play(frame, end, 0.0, action.key[1], action.velocity, HOLD_LIMIT)
                self.held[action.key] = (instrument, voice, frame)
                self.counts.thru += 1
            elif action.key in self.held:
                instrument, voice, started = self.held.pop(action.key)
                instrument.release_voice(voice, started, frame + round(instrument.release * self.sr))

    def release_all(self, frame: int) -> None:
        """Release every held key, as if lifted at ``frame`` (a keyboard went away with keys down)."""
        for instrument, voice, started in self.held.values():
            instrument.release_voice(voice, started, frame + round(instrument.release * self.sr))
        self.held.clear()
        self.keys.clear()

    def clear(self) -> None:
        """Forget every held key (a panic silences them)."""
        self.held.clear()
        self.keys.clear()
