"""The engine process: ``python -m performer.runtime.engine_process SETTINGS_JSON``, started by the supervisor.

It wires the leaves together and then gets out of the way: the settings are parsed once, the rig's MIDI devices
(the player's inputs for the thru path, the MIDI out) are opened through sensors' MIDI ports, and synthesis runs
the audio and its receive loop. It imports no model, camera or plotting code."""

from __future__ import annotations

import logging
import sys
from typing import Sequence

from performer.errors import DeviceError
from performer.runtime.handshake import Announcer, child_start
from sensors.midiports import MidiOut, NoMidi, ThruPorts
from synthesis.process import EngineDevices, run
from synthesis.settings import AudioDeviceError, AudioSettings, EngineSettings

log = logging.getLogger("synthesis")


def open_devices(audio: AudioSettings) -> EngineDevices:
    """The player's MIDI inputs (polled by the audio callback, so a key-down sounds in the next buffer without
    waking any other thread) and the rig's MIDI out. A missing one is one line, and the engine goes on without."""
    devices = EngineDevices()
    if audio.thru_ports:
        try:
            thru = ThruPorts(audio.thru_api, list(audio.thru_ports), f"{audio.jack_name}-thru",
                             own=f"{audio.jack_name}-midi:")
            devices.midi_in = list(thru.ports)
            devices.linked.append(thru)
        except NoMidi as err:
            log.warning("%s; the thru path is off", err)
    if audio.midi_out:
        try:
            out = MidiOut(audio.thru_api, f"{audio.jack_name}-midi", audio.midi_out_port)
            devices.midi_out = out
            devices.linked.append(out)
        except OSError as err:  # NoMidi, or a port that would not open
            log.warning("%s; going on without MIDI out", err)
    return devices


def main(args: Sequence[str] | None = None) -> int:
    """Parse the settings, run the engine until SIGTERM/SIGINT, and tell the supervisor how the start went."""
    logging.basicConfig(level=logging.INFO, format="%(message)s", stream=sys.stderr)
    announcer, settings = child_start("engine", EngineSettings.from_json, sys.argv[1:] if args is None else args)
    if settings is None:
        return 1
    try:
        return run(settings, open_devices, lambda port: _ready(announcer, settings, port))
    except AudioDeviceError as err:
        announcer.failed("device", str(err))
        return DeviceError.exit_code


def _ready(announcer: Announcer, settings: EngineSettings, port: int) -> None:
    audio = settings.audio
    log.info("engine: ready on port %d (%s, %d Hz, %d frames)", port, audio.backend, audio.sample_rate,
             audio.buffer_size)
    announcer.ready(port=port)


if __name__ == "__main__":
    sys.exit(main())
