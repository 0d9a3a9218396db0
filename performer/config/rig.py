"""The schema of a rig file (rigs/*.toml): which scenes, which audio output, which inputs."""

from __future__ import annotations

import ipaddress
import re
from enum import Enum
from typing import Optional

from pydantic import Field, field_validator, model_validator

from performer.config.base import Strict
from performer.config.gallery import GalleryConfig
from performer.config.monitor import MonitorConfig
from performer.config.sessionfolder import SessionsConfig
from sensors.events import is_signal_name
from synthesis.catalog import INSTRUMENTS


class AudioBackend(str, Enum):
    """Where the engine's audio goes."""

    portaudio = "portaudio"
    jack = "jack"
    offline = "offline"


class AudioConfig(Strict):
    """The engine's audio settings. The limiter's ceiling is always on."""

    backend: AudioBackend = AudioBackend.portaudio
    device: str = ""  # PortAudio output device name (substring); empty means the default device
    jack_name: str = "performer"
    jack_connect: bool = True  # connect the engine's JACK outputs to system:playback
    sample_rate: int = Field(48000, ge=8000, le=192000)
    buffer_size: int = Field(256, ge=32, le=4096)
    channels: int = Field(2, ge=1, le=2)
    ceiling_db: float = Field(-1.0, ge=-40.0, le=0.0)
    gain_db: float = Field(-6.0, ge=-60.0, le=12.0)
    # A gallery's cap on loudness (RMS over about a second, dBFS): a slow leveller before the limiter.
    max_loudness_db: Optional[float] = Field(None, ge=-60.0, le=0.0)


class EngineConfig(Strict):
    """How far ahead of their start the conductor sends notes, and how many voices an instrument has (``voices``
    for each, unless ``instrument_voices`` names it: when a pool is full its oldest note is stolen)."""

    # 20 ms: measured with `performer bench response` (the laptop rig live on jackd, 10 minutes, no late note, the
    # least margin 9.7 ms); a rig on a busier machine may raise it.
    lookahead_ms: float = Field(20.0, ge=20.0, le=2000.0)
    voices: int = Field(16, ge=1, le=256)
    instrument_voices: dict[str, int] = {}

    @field_validator("instrument_voices")
    @classmethod
    def _instrument_voices(cls, value: dict[str, int]) -> dict[str, int]:
        for name, count in value.items():
            if name not in INSTRUMENTS:
                raise ValueError(f"expected instruments among {', '.join(INSTRUMENTS)}, got {name!r}")
            if not 1 <= count <= 256:
                raise ValueError(f"{name}: expected 1..256 voices, got {count}")
        return value


class MidiApi(str, Enum):
    """rtmidi API for MIDI input: ALSA's sequencer by default, JACK's MIDI ports on request."""

    alsa = "alsa"
    jack = "jack"


def check_pattern(value: str) -> str:
    """A port name's regular expression must compile here, not in the engine once it is playing."""
    try:
        re.compile(value)
    except re.error as err:
        raise ValueError(f"expected a regular expression ({err}), got {value!r}") from None
    return value


class MidiInputConfig(Strict):
    """A controller, found by a regular expression on its port name."""

    port: str = Field(min_length=1, max_length=200)

    _port = field_validator("port")(check_pattern)


class MidiOutputConfig(Strict):
    """The rig's MIDI out: the notes of voices on ``channels`` (every voice when empty) go out as they start, to
    the ports matching ``port`` (none: the rig's own out port, JACK_NAME-midi:out, waits for a connection).
    A message heard back on an input within ``echo_window_ms`` of being sent is the rig's own and is dropped
    (feedback suppression; 0 turns it off). With ``clock``, MIDI clock goes out too (24 a beat, Start, Stop, Song
    Position Pointer), at the playing scene's tempo, or Link's when the scene follows Link."""

    port: str = Field("", max_length=200)
    channels: list[int] = []
    echo_window_ms: float = Field(100.0, ge=0.0, le=2000.0)
    clock: bool = False

    _port = field_validator("port")(check_pattern)

    @field_validator("channels")
    @classmethod
    def _channels(cls, value: list[int]) -> list[int]:
        if any(not 1 <= channel <= 16 for channel in value):
            raise ValueError(f"expected MIDI channels 1..16, got {value}")
        return value


class MidiConfig(Strict):
    """MIDI controllers: CC and notes go onto the bus as midi/cc/N and midi/note/N. With ``thru``, keys played
    on them also sound at once on the scene's thru voice (the engine reads the ports itself) and feed its model;
    ``thru_channel`` 0 listens to every channel. ``output`` sends the voices' notes out. ``clock_in`` (a port's
    regular expression) follows an incoming MIDI clock instead of Link: scenes with ``link = true`` take its tempo
    and bar lines, and its Start, Continue and Stop play and stop the show."""

    api: MidiApi = MidiApi.alsa
    inputs: list[MidiInputConfig] = []
    thru: bool = True
    thru_channel: int = Field(0, ge=0, le=16)
    output: Optional[MidiOutputConfig] = None
    learned: dict[str, str] = {}  # signal name -> control (cc/N, note/N, bend, pressure), written by `performer learn`
    clock_in: str = Field("", max_length=200)

    _clock_in = field_validator("clock_in")(check_pattern)

    @field_validator("learned")
    @classmethod
    def _learned(cls, value: dict[str, str]) -> dict[str, str]:
        for signal, source in value.items():
            if not is_signal_name(signal):
                raise ValueError(f"expected signal names like stage/filter, got {signal!r}")
            if not re.fullmatch(r"(cc|note)/([0-9]|[1-9][0-9]|1[01][0-9]|12[0-7])|bend|pressure", source):
                raise ValueError(f"{signal}: expected cc/N, note/N, bend or pressure, got {source!r}")
        return value


class OscRoute(Strict):
    """An OSC address (or address pattern: ``/fader/*``) whose first argument, scaled from ``range`` to 0..1,
    goes onto ``signal`` (whose ``*`` take what the address's wildcards matched: ``osc/fader/*``)."""

    address: str
    signal: str
    range: tuple[float, float] = (0.0, 1.0)

    @field_validator("address")
    @classmethod
    def _address(cls, value: str) -> str:
        if not value.startswith("/"):
            raise ValueError(f"expected an OSC address starting with /, got {value!r}")
        return value

    @field_validator("signal")
    @classmethod
    def _signal(cls, value: str) -> str:
        if not is_signal_name(value.replace("*", "x")):
            raise ValueError(f"expected a signal name like osc/fader/1 (or osc/fader/*), got {value!r}")
        return value


class OscOutConfig(Strict):
    """OSC out, for visuals (TouchDesigner, Max, Processing): at ``rate`` frames a second, one bundle per frame to
    each of ``to`` ("host:port"), with the bus's signals, the scene when it changes and the notes as they start
    (the README lists the addresses)."""

    to: list[str] = Field(min_length=1, max_length=16)
    rate: float = Field(30.0, ge=1.0, le=120.0)
    signals: bool = True
    notes: bool = True

    @field_validator("to")
    @classmethod
    def _to(cls, value: list[str]) -> list[str]:
        for entry in value:
            host, _, port = entry.rpartition(":")
            if not host or not port.isdigit() or not 1 <= int(port) <= 65535 or len(entry) > 255:
                raise ValueError(f"expected host:port destinations like 127.0.0.1:9001, got {entry!r}")
        return value


class OscConfig(Strict):
    """OSC input, bound to loopback unless the rig says otherwise. An address becomes a signal (``/a/b`` sets
    ``a/b``) only if a scene maps that signal (mappings, triggers, strikes), a route or ``midi.learned`` names it,
    or ``signals`` declares it (to record it, say); anything else is counted per address and dropped. Rates are
    messages a second: each message of a bundle counts, and a long one counts once per 256 bytes. The rig's own
    cameras do not use this port (they have a private channel), so none of this limits them."""

    enabled: bool = True
    host: str = "127.0.0.1"
    port: int = Field(9000, ge=0, le=65535)
    routes: list[OscRoute] = []
    allow: list[str] = ["127.0.0.1", "::1"]  # senders (addresses or networks) whose packets are read
    # messages a second per sender (an address; on loopback, an address and port: each local app); more are dropped
    rate_limit: float = Field(1000.0, gt=0, le=100000)
    total_rate_limit: float = Field(3000.0, gt=0, le=100000)  # messages a second from all senders together
    signals: list[str] = Field([], max_length=1024)  # signals read from OSC though no scene maps them
    out: Optional[OscOutConfig] = None

    @field_validator("allow")
    @classmethod
    def _allow(cls, value: list[str]) -> list[str]:
        for entry in value:
            try:
                ipaddress.ip_network(entry, strict=False)
            except ValueError:
                raise ValueError(f"expected IP addresses or networks like 192.168.1.0/24, got {entry!r}") from None
        return value

    @field_validator("signals")
    @classmethod
    def _signals(cls, value: list[str]) -> list[str]:
        for name in value:
            if not is_signal_name(name) or len(name) > 127:
                raise ValueError(f"expected signal names like touch/fader/1 (at most 127 characters), got {name!r}")
        return value


class ZoneConfig(Strict):
    """A named part of a camera's picture, in 0..1 coordinates [x0, y0, x1, y1] (y down): audience/zone/NAME."""

    name: str = Field(pattern=r"^[a-z0-9_]+$", max_length=32)
    rect: tuple[float, float, float, float]

    @field_validator("rect")
    @classmethod
    def _rect(cls, value: tuple[float, float, float, float]) -> tuple[float, float, float, float]:
        x0, y0, x1, y1 = value
        if not (0 <= x0 < x1 <= 1 and 0 <= y0 < y1 <= 1):
            raise ValueError(f"expected [x0, y0, x1, y1] within 0..1 with x0 < x1 and y0 < y1, got {list(value)}")
        return value


class CameraConfig(Strict):
    """A camera and what to read from it: hands (hand/left/x, ...) and/or audience motion (audience/energy, ...).
    Its own process sends the signals to the conductor's private channel; or, with ``node`` (the address of
    another machine, which runs it with ``performer sense``), to the rig's OSC port, which reads only this
    camera's signals from that address."""

    device: str = "0"  # an index, part of the device's name, or a video file
    width: int = Field(640, ge=160, le=3840)
    height: int = Field(480, ge=120, le=2160)
    mirror: bool = False
    hands: int = Field(0, ge=0, le=2)
    # MediaPipe's hand models: 0 the lite ones; 1 the full ones, which find more hands (holding something, dim
    # light) for about 2.3 ms more a frame per hand tracked (3.3 against 5.5 ms here; finding one: 9 against 12)
    model_complexity: int = Field(0, ge=0, le=1)
    motion: bool = False
    zones: list[ZoneConfig] = []
    node: str = ""  # the IP address of the machine it runs on, if not this one

    @field_validator("node")
    @classmethod
    def _node(cls, value: str) -> str:
        if not value:
            return value
        try:
            ip = ipaddress.ip_address(value)
        except ValueError:
            ip = None
        if ip is None or ip.is_loopback or ip.is_unspecified or ip.is_multicast:
            raise ValueError(f"expected the IP address of another machine, like 192.168.1.31 (a camera on this "
                             f"one names no node), got {value!r}")
        return str(ip)


class LinkConfig(Strict):
    """Ableton Link: join the network's session, so that scenes with ``link = true`` follow its tempo and phase
    (bar lines every ``quantum`` beats). Link multicasts on every network interface."""

    enabled: bool = False
    quantum: int = Field(4, ge=1, le=16)


class GeneratorKind(str, Enum):
    """What makes the notes: the trained model, or the rule-based walk (always the fallback)."""

    model = "model"
    rules = "rules"


class ModelConfig(Strict):
    """The note generator: which one, which weights, and how adventurous its sampling is."""

    generator: GeneratorKind = GeneratorKind.model
    weights: str = ""  # a state_dict file, relative to the rig; empty means the shipped weights
    temperature: float = Field(1.0, ge=0.05, le=4.0)
    top_p: float = Field(0.95, gt=0.0, le=1.0)


class Rig(Strict):
    """A rig: its show (a show file, or the scenes in order, looping) and the hardware it expects."""

    name: str = Field(min_length=1, max_length=200)
    description: str = ""
    # The folder (relative to this file) that every file the rig, its show and scenes name must lie within:
    # shipped rigs say ".." for the project, whose scenes/ they play. "/" opens the whole machine.
    root: str = "."
    seed: int = Field(0, ge=0, le=2**32 - 1)
    scenes: list[str] = []
    show: str = ""  # a show file (scenes/*.show.toml), instead of scenes
    reload: bool = False  # rehearsal: scene files are read again when saved, without stopping the audio
    demo_session: Optional[str] = None
    audio: AudioConfig = AudioConfig()
    engine: EngineConfig = EngineConfig()
    midi: MidiConfig = MidiConfig()
    osc: OscConfig = OscConfig()
    model: ModelConfig = ModelConfig()
    cameras: list[CameraConfig] = []
    gallery: Optional[GalleryConfig] = None  # an installation's opening hours, quiet hours and attract scene
    link: LinkConfig = LinkConfig()
    monitor: MonitorConfig = MonitorConfig()
    sessions: SessionsConfig = SessionsConfig()  # each run's dated folder: its logs, notes.mid, summary.png

    @model_validator(mode="after")
    def _show_or_scenes(self) -> "Rig":
        if bool(self.scenes) == bool(self.show):
            raise ValueError("expected either scenes = [scene files] or show = \"a show file\", not both or neither")
        if self.gallery is not None and self.gallery.quiet and self.audio.max_loudness_db is None:
            raise ValueError("gallery.quiet: quiet hours lower [audio] max_loudness_db, which the rig must set")
        if self.midi.clock_in and self.link.enabled:
            raise ValueError("midi.clock_in: scenes follow one shared clock, an incoming MIDI clock or Link (link."
                             "enabled), not both")
        return self
