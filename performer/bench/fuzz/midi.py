"""The MIDI fuzzers: raw bytes from a controller, as rtmidi hands each message over, through both live paths.

The conductor's: ``PolledInputs.poll`` parses them (mido's ``Message.from_bytes``, skipping what it refuses), the
``MidiTranslator`` (with learned controls) turns them into bus events, and a key goes on as ``PlayerMidi`` to the
conductor's ``ThruKeys``. The engine's: the same raw bytes straight into its own ``ThruKeys``. Neither may raise;
every event must name a valid signal with a finite 0..1 value, and every key released must have been started."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from performer.bench.fuzz.checks import check_events, numbered_cue
from performer.bench.fuzz.runner import Crash, Target
from sensors.events import CueEvent, PlayerMidi
from sensors.midi import MidiTranslator, is_key
from sensors.midiports import PolledInputs
from synthesis.thru import Key, KeyOff, KeyOn, ThruKeys

STATUSES = [0x80, 0x90, 0xA0, 0xB0, 0xC0, 0xD0, 0xE0, 0xF0, 0xF1, 0xF2, 0xF3, 0xF6, 0xF7, 0xF8, 0xFA, 0xFE, 0xFF]
DATA_BYTES = {0x80: 2, 0x90: 2, 0xA0: 2, 0xB0: 2, 0xC0: 1, 0xD0: 1, 0xE0: 2, 0xF1: 1, 0xF2: 2, 0xF3: 1}
NAMES = ["stage/filter", "a/b", "x_1/y.z-2/3", "midi/cc/2", "hand/left/x"]  # learned signals, as a rig may name them
SOURCES = ["cc/1", "cc/7", "cc/33", "cc/64", "note/0", "note/60", "note/127", "bend", "pressure"]
Case = tuple[dict[str, str], int, list[list[int]]]  # learned (signal -> source), thru channel, raw messages


class FakePort:
    """An rtmidi ``MidiIn`` stand-in (a benchmark has no MIDI system): the case's messages, then nothing."""

    def __init__(self, messages: list[list[int]]) -> None:
        self._messages = list(reversed(messages))

    def get_message(self) -> tuple[list[int], float] | None:
        return (self._messages.pop(), 0.0) if self._messages else None

    def close_port(self) -> None:
        """Nothing to close."""


def raw_messages() -> st.SearchStrategy[list[int]]:
    """One message's bytes: a status on any channel with its data bytes (mostly as many as it takes, and under
    128), a sysex, or any bytes."""
    statuses = st.sampled_from(STATUSES + STATUSES[:7] * 2)  # channel messages more often
    formed = st.tuples(statuses, st.integers(0, 15), st.binary(min_size=3, max_size=3),
                       st.sampled_from([None, None, None, 0, 1, 2, 3]), st.booleans()).map(_message)
    sysex = st.binary(max_size=6).map(lambda body: [0xF0, *body, 0xF7])
    return st.one_of(formed, formed, formed, sysex, st.binary(max_size=6).map(list))


def _message(parts: tuple[int, int, bytes, int | None, bool]) -> list[int]:
    """A status byte (on ``channel``), and ``length`` of ``data`` (its own length if None), masked to 7 bits."""
    status, channel, data, length, masked = parts
    length = DATA_BYTES.get(status, 0) if length is None else length
    return [status | (channel if status < 0xF0 else 0), *(b & 0x7F if masked else b for b in data[:length])]


def cases() -> st.SearchStrategy[Case]:
    """Learned controls (as a rig's [midi] learned holds them), a thru channel, and up to 24 messages."""
    learned = st.dictionaries(st.sampled_from(NAMES), st.sampled_from(SOURCES), max_size=3)
    return st.tuples(learned, st.integers(0, 16), st.lists(raw_messages(), min_size=1, max_size=24))


def check_keys(keys: ThruKeys, messages: list[list[int]], sounding: set[Key]) -> None:
    """Feed raw messages to ``keys``: a key starts only when silent, stops only when sounding, on a MIDI channel,
    and a well-formed message (data bytes under 128) starts a key 0..127 at a velocity 1..127."""
    for message in messages:
        for action in keys.handle(message):
            channel, note = action.key
            if not 0 <= channel <= 15:
                raise Crash(f"{action!r} on channel {channel} from {message}")
            if isinstance(action, KeyOn):
                if action.key in sounding:
                    raise Crash(f"{action!r} while its key sounds, from {message}")
                if all(b < 128 for b in message[1:3]) and not (0 <= note <= 127 and 1 <= action.velocity <= 127):
                    raise Crash(f"{action!r} out of MIDI's range from {message}")
                sounding.add(action.key)
            elif isinstance(action, KeyOff):
                if action.key not in sounding:
                    raise Crash(f"{action!r} for a key that is not sounding, from {message}")
                sounding.discard(action.key)
            else:
                raise Crash(f"{action!r} is neither a KeyOn nor a KeyOff")


def conductor_path(case: Case) -> str:
    """The conductor's MIDI input path for one case."""
    learned, channel, messages = case
    inputs = PolledInputs("alsa", [], "fuzz")  # no patterns: it opens nothing
    inputs.ports = {"fuzz": FakePort(messages)}
    translator, keys, sounding = MidiTranslator(learned), ThruKeys(channel=channel), set[Key]()
    outcome = "none"
    for i, message in enumerate(inputs.poll()):
        t = i / 1000.0
        events = translator.events(message, t)
        if check_events(events, families=True) == "events":
            outcome = "events"
        for event in events:
            if isinstance(event, CueEvent):
                numbered_cue(event, 127)
        if is_key(message):
            check_keys(keys, [list(PlayerMidi(t, tuple(message.bytes())).data)], sounding)
    return outcome


def engine_path(case: Case) -> str:
    """The engine's thru path for one case: the raw bytes into its ThruKeys."""
    _, channel, messages = case
    check_keys(ThruKeys(channel=channel), messages, set())
    return "played"


def midi_targets() -> list[Target]:
    """The conductor's and the engine's MIDI paths."""
    strategy: st.SearchStrategy[Any] = cases()
    return [Target("midi", strategy, conductor_path), Target("thru", strategy, engine_path)]
