"""What crosses the boundary into an engine process: its audio settings and where it listens, one frozen object
serialised once (``to_json``) by whoever starts the engine and parsed once (``from_json``) inside it. No pyo here,
so the supervisor can build one without loading the audio library."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from typing import Any


class AudioDeviceError(OSError):
    """No usable audio output: no device, no such device, or no JACK server."""


@dataclass(frozen=True)
class AudioSettings:
    """What the engine needs to know about its audio, decoupled from the rig file's schema."""

    backend: str = "portaudio"  # portaudio | jack | offline
    device: str = ""
    jack_name: str = "performer"
    jack_connect: bool = True
    sample_rate: int = 48000
    buffer_size: int = 256
    channels: int = 2
    ceiling_db: float = -1.0
    gain_db: float = -6.0
    voices: int = 16  # per instrument, unless instrument_voices names it
    instrument_voices: tuple[tuple[str, int], ...] = ()
    max_loudness_db: float | None = None  # a gallery's loudness cap (RMS, dBFS); None: only the limiter
    effects: bool = True  # reverb and delay sends; off to hear (or test) the instruments dry
    thru_api: str = "alsa"  # alsa | jack: where the player's MIDI ports are
    thru_ports: tuple[str, ...] = ()  # name patterns of the ports whose notes the engine plays at once
    thru_channel: int = 0  # MIDI channel 1-16 the thru path listens to; 0 for every channel
    midi_out: bool = False  # send the notes of the voices on midi_out_channels to a MIDI port (thru_api's)
    midi_out_port: str = ""  # name pattern of the destinations; empty: a port of our own that others connect to
    midi_out_channels: tuple[int, ...] = ()  # voices' channels sent out; empty: every channel
    echo_window: float = 0.1  # seconds within which a sent message heard back on an input is dropped as an echo

    def voices_of(self, instrument: str) -> int:
        """The size of an instrument's voice pool."""
        return dict(self.instrument_voices).get(instrument, self.voices)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> AudioSettings:
        """The settings ``asdict`` gave, lists back to tuples; unknown keys are an error (a version mismatch)."""
        voices = tuple((str(name), int(count)) for name, count in data.get("instrument_voices", ()))
        return cls(**{**data, "instrument_voices": voices, "thru_ports": tuple(data.get("thru_ports", ())),
                      "midi_out_channels": tuple(data.get("midi_out_channels", ()))})


@dataclass(frozen=True)
class EngineSettings:
    """An engine process: its audio, the UDP port it reads notes on (0 picks one, reported when ready) and the
    port on ``host`` it sends health reports to (0: none)."""

    audio: AudioSettings
    port: int = 0
    health: int = 0
    host: str = "127.0.0.1"

    def to_json(self) -> str:
        """One JSON argument for the engine process."""
        return json.dumps(asdict(self))

    @classmethod
    def from_json(cls, text: str) -> EngineSettings:
        """Parse what ``to_json`` wrote; ValueError (or TypeError) names what is wrong."""
        data = json.loads(text)
        return cls(**{**data, "audio": AudioSettings.from_dict(data["audio"])})
