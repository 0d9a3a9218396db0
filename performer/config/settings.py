"""The rig's sections as the settings objects its child processes take: the engine's audio and each camera's.
Written once here, so the rig file's schema and what crosses a process boundary cannot drift apart."""

from __future__ import annotations

from performer.config.rig import CameraConfig, Rig
from sensors.camerasettings import CameraSettings, Zone
from synthesis.settings import AudioSettings

CAMERA_CHANNEL = "camera.sock"  # its name in the run's private folder


def audio_settings(rig: Rig) -> AudioSettings:
    """The engine's view of the rig's audio, engine and MIDI sections."""
    a, e, midi = rig.audio, rig.engine, rig.midi
    return AudioSettings(backend=a.backend.value, device=a.device, jack_name=a.jack_name, jack_connect=a.jack_connect,
                         sample_rate=a.sample_rate, buffer_size=a.buffer_size, channels=a.channels,
                         ceiling_db=a.ceiling_db, gain_db=a.gain_db, max_loudness_db=a.max_loudness_db,
                         voices=e.voices, instrument_voices=tuple(sorted(e.instrument_voices.items())),
                         thru_api=midi.api.value,
                         thru_ports=tuple(p.port for p in midi.inputs) if midi.thru else (),
                         thru_channel=midi.thru_channel, midi_out=midi.output is not None,
                         midi_out_port=midi.output.port if midi.output else "",
                         midi_out_channels=tuple(midi.output.channels) if midi.output else (),
                         echo_window=midi.output.echo_window_ms / 1000.0 if midi.output else 0.1)


def camera_settings(camera: CameraConfig, osc_port: int, channel: str = "", host: str = "127.0.0.1") -> CameraSettings:
    """One of the rig's cameras, sending to the conductor's private camera ``channel`` (an AF_UNIX socket's path;
    the supervisor's run folder holds it), or if none, to the OSC port ``osc_port`` on ``host`` (loopback, or the
    conductor's machine for a sensor node)."""
    zones = tuple(Zone(z.name, *z.rect) for z in camera.zones)
    return CameraSettings(device=camera.device, width=camera.width, height=camera.height, mirror=camera.mirror,
                          hands=camera.hands, model_complexity=camera.model_complexity, motion=camera.motion,
                          zones=zones, send=osc_port, host=host, channel=channel)
