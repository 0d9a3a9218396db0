"""Making a pyo server for the rig's backend: PortAudio (device by name), JACK, or offline."""

from __future__ import annotations

import contextlib
import os
from dataclasses import dataclass
from typing import Iterator

import pyo

RANDOM_SEED = 1


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


@contextlib.contextmanager
def quiet_stderr() -> Iterator[None]:
    """Silence C libraries (ALSA, PortAudio, PortMidi) that print to fd 2 while probing devices."""
    saved = os.dup(2)
    try:
        with open(os.devnull, "w") as null:
            os.dup2(null.fileno(), 2)
            yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)


def output_devices() -> list[tuple[int, str]]:
    """PortAudio's output devices as (index, name)."""
    with quiet_stderr():
        names, indexes = pyo.pa_get_output_devices()
    return list(zip(indexes, names))


def find_output(device: str) -> int | None:
    """Index of the first output device whose name contains ``device`` (the default device if empty)."""
    devices = output_devices()
    if not devices:
        raise AudioDeviceError("no audio output device (PortAudio found none)")
    if not device:
        return None
    for index, name in devices:
        if device.lower() in name.lower():
            return index
    raise AudioDeviceError(f"no audio output device matches {device!r} (have: {', '.join(n for _, n in devices)})")


def make_server(settings: AudioSettings) -> pyo.Server:
    """Create and boot a pyo server; raise AudioDeviceError with one line if the output is not there."""
    audio = {"portaudio": "portaudio", "jack": "jack", "offline": "offline"}[settings.backend]
    device = find_output(settings.device) if audio == "portaudio" else None
    with quiet_stderr():
        server = pyo.Server(sr=settings.sample_rate, nchnls=settings.channels, buffersize=settings.buffer_size,
                            duplex=0, audio=audio, jackname=settings.jack_name, verbosity=1)
        server.deactivateMidi()
        server.setGlobalSeed(RANDOM_SEED)  # noise and oscillator phases repeat: a render is the same every time
        if device is not None:
            server.setOutputDevice(device)
        if audio == "jack":
            server.setJackAuto(False, settings.jack_connect)
        server.boot()
    if not server.getIsBooted():
        where = "JACK server (is jackd running?)" if audio == "jack" else "audio device"
        raise AudioDeviceError(f"could not open the {where}")
    return server
