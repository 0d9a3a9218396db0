"""Messages between the conductor and the engine, as plain dataclasses that encode to and decode from OSC bytes.

Notes travel ahead of time with their start on the sender's clock; the engine starts each at its sample."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Union

from pythonosc.osc_message import OscMessage
from pythonosc.osc_message_builder import OscMessageBuilder

NO_MARGIN = 10**9  # Health.margin_us before any note has arrived
SILENT_CDB = -12000  # Health.peak_cdb of silence: -120 dB, in hundredths of a dB
OscArg = Union[str, bytes, bool, int, float]  # what OscMessageBuilder.add_arg accepts, as far as we send


def _encode(address: str, args: list[tuple[str, OscArg]]) -> bytes:
    builder = OscMessageBuilder(address=address)
    for type_tag, value in args:
        builder.add_arg(value, type_tag)
    return builder.build().dgram


@dataclass(frozen=True)
class Note:
    """A note to play: start on the conductor's clock (seconds), duration in seconds."""

    start: float
    duration: float
    pitch: int
    velocity: int
    instrument: str
    voice: str = ""
    channel: int = 1

    ADDRESS = "/note"

    def to_osc(self) -> bytes:
        return _encode(self.ADDRESS, [("d", self.start), ("f", self.duration), ("i", self.pitch),
                                      ("i", self.velocity), ("s", self.instrument), ("s", self.voice),
                                      ("i", self.channel)])

    @property
    def end(self) -> float:
        return self.start + self.duration


@dataclass(frozen=True)
class Panic:
    """All notes off now, and forget every pending note."""

    ADDRESS = "/panic"

    def to_osc(self) -> bytes:
        return _encode(self.ADDRESS, [])


@dataclass(frozen=True)
class Param:
    """Set one of an instrument's parameters (see synthesis/catalog.py PARAMS) at time ``at`` on the
    conductor's clock (0, or a time already past: at once); it glides over 10 ms."""

    instrument: str
    name: str
    value: float
    at: float = 0.0

    ADDRESS = "/param"

    def to_osc(self) -> bytes:
        return _encode(self.ADDRESS, [("s", self.instrument), ("s", self.name), ("f", self.value), ("d", self.at)])


@dataclass(frozen=True)
class Thru:
    """From time ``at`` on the conductor's clock (0: at once), the player's MIDI notes, which the engine reads
    straight from the controller, sound on ``instrument`` ("" mutes the thru path)."""

    instrument: str
    at: float = 0.0

    ADDRESS = "/thru"

    def to_osc(self) -> bytes:
        return _encode(self.ADDRESS, [("s", self.instrument), ("d", self.at)])


@dataclass(frozen=True)
class Cut:
    """From time ``at`` on the conductor's clock, the notes of ``voice`` that are still held are released, as a
    player lifts a key: a voice that turns dense stops the long note it chose under the sparse setting."""

    voice: str
    at: float

    ADDRESS = "/cut"

    def to_osc(self) -> bytes:
        return _encode(self.ADDRESS, [("s", self.voice), ("d", self.at)])


@dataclass(frozen=True)
class Loudness:
    """From time ``at`` on the conductor's clock (0: at once), the gallery leveller's cap in dBFS RMS: quiet hours
    lower it. NaN goes back to the rig's own ``max_loudness_db``."""

    max_db: float
    at: float = 0.0

    ADDRESS = "/loudness"

    def to_osc(self) -> bytes:
        return _encode(self.ADDRESS, [("f", self.max_db), ("d", self.at)])


class ClockMode(str, Enum):
    """What a ``Clock`` segment does to the MIDI clock when its time comes (synthesis/clockout.py)."""

    START = "start"  # Start (0xFA), counting from position 0
    RUN = "run"  # go on at this pace (locating first if the engine's count disagrees)
    LOCATE = "locate"  # Song Position Pointer and Continue, on the position's next sixteenth
    STOP = "stop"  # Stop (0xFC)


@dataclass(frozen=True)
class Clock:
    """A segment of the MIDI clock's tempo map: from time ``at`` on the conductor's clock the song is at
    ``position`` (beats since Start) and goes on at ``seconds_per_beat`` (inf: it holds). It replaces whatever the
    engine had planned from ``at`` on; ``at`` already past takes effect at once."""

    at: float
    position: float
    seconds_per_beat: float
    mode: ClockMode = ClockMode.RUN

    ADDRESS = "/clock"

    def to_osc(self) -> bytes:
        return _encode(self.ADDRESS, [("d", self.at), ("d", self.position), ("d", self.seconds_per_beat),
                                      ("s", self.mode.value)])


@dataclass(frozen=True)
class Health:
    """The engine's periodic report to the conductor. ``xruns`` is JACK's count (-1 on other backends);
    ``gaps`` counts audio callbacks that came more than 1.5 periods after the previous one, a proxy every backend
    can measure. ``cpu`` is the engine process's CPU time per wall second, in percent; ``thru``, the player's notes
    played through the thru path; ``midi_out``, messages sent on the rig's MIDI out, and ``echoes``, those heard back
    on an input and dropped; ``margin_us``, the least time any note arrived before its start frame, in microseconds
    (negative: late; 10**9 before the first), which measures how long the conductor's notes take to arrive;
    ``peak_cdb``, the output's level (a peak meter falling 20 dB a second), in hundredths of a dBFS."""

    gaps: int
    voices: int
    late: int
    played: int
    dropped: int
    clamped: int
    xruns: int = -1
    cpu: int = -1
    thru: int = 0
    midi_out: int = 0
    echoes: int = 0
    margin_us: int = NO_MARGIN
    peak_cdb: int = SILENT_CDB

    ADDRESS = "/engine/health"

    def to_osc(self) -> bytes:
        return _encode(self.ADDRESS, [("i", self.gaps), ("i", self.voices), ("i", self.late), ("i", self.played),
                                      ("i", self.dropped), ("i", self.clamped), ("i", self.xruns), ("i", self.cpu),
                                      ("i", self.thru), ("i", self.midi_out), ("i", self.echoes),
                                      ("i", self.margin_us), ("i", self.peak_cdb)])


Message = Union[Note, Panic, Param, Thru, Loudness, Cut, Clock, Health]


def decode(dgram: bytes) -> Message:
    """Decode one OSC datagram into a message; raise ValueError naming the address if it is not one of ours."""
    try:
        msg = OscMessage(dgram)
        params = list(msg.params)
    except Exception as err:  # python-osc raises its own ParseError and struct errors
        raise ValueError(f"malformed OSC packet ({len(dgram)} bytes): {err}") from err
    try:
        if msg.address == Note.ADDRESS:
            start, duration, pitch, velocity, instrument, voice, channel = params
            return Note(float(start), float(duration), int(pitch), int(velocity), str(instrument), str(voice),
                        int(channel))
        if msg.address == Panic.ADDRESS:
            return Panic()
        if msg.address == Param.ADDRESS:
            instrument, name, value, at = params
            return Param(str(instrument), str(name), float(value), float(at))
        if msg.address == Thru.ADDRESS:
            instrument, at = params
            return Thru(str(instrument), float(at))
        if msg.address == Cut.ADDRESS:
            voice, at = params
            return Cut(str(voice), float(at))
        if msg.address == Loudness.ADDRESS:
            max_db, at = params
            return Loudness(float(max_db), float(at))
        if msg.address == Clock.ADDRESS:
            at, position, seconds_per_beat, mode = params
            return Clock(float(at), float(position), float(seconds_per_beat), ClockMode(mode))
        if msg.address == Health.ADDRESS:
            return Health(*(int(p) for p in params))
    except (TypeError, ValueError) as err:
        raise ValueError(f"{msg.address}: unexpected arguments {params!r}") from err
    raise ValueError(f"{msg.address}: unknown address")
