"""Making a pyo server for the rig's backend: PortAudio (device by name), JACK, or offline."""

from __future__ import annotations

import contextlib
import os
import sys
from typing import Iterator

import pyo

from synthesis.settings import AudioDeviceError, AudioSettings

RANDOM_SEED = 1


@contextlib.contextmanager
def quiet_output() -> Iterator[None]:
    """Silence C libraries that print while probing devices and booting: ALSA, PortAudio and PortMidi on fd 2,
    and pyo's own errors on fd 1 ("Pyo error: Jack unable to create client."), which we say in one line."""
    sys.stdout.flush()
    saved = [os.dup(1), os.dup(2)]
    try:
        with open(os.devnull, "w") as null:
            os.dup2(null.fileno(), 1)
            os.dup2(null.fileno(), 2)
            yield
    finally:
        os.dup2(saved[0], 1)
        os.dup2(saved[1], 2)
        for fd in saved:
            os.close(fd)


def output_devices() -> list[tuple[int, str]]:
    """PortAudio's output devices as (index, name)."""
    with quiet_output():
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
    with quiet_output():
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
