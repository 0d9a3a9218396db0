"""`performer devices`: the audio outputs, MIDI ports and cameras this machine has, each with the rig line that
selects it, so a rig can be written without guessing names. Each system that is not there (no JACK server, no
ALSA sequencer, no camera) is one line saying so."""

from __future__ import annotations

import glob
import re
from dataclasses import dataclass
from pathlib import Path

from synthesis.server import output_devices, quiet_output


@dataclass(frozen=True)
class Section:
    """One kind of device on one system: what the rig says to use it, and a line per device found (or why none
    could be listed)."""

    title: str
    rig: str  # the rig's table and keys the lines below complete
    lines: tuple[str, ...] = ()
    missing: str = ""

    def text(self) -> str:
        head = f"{self.title}: {self.rig}"
        body = [f"  {line}" for line in self.lines] or [f"  ({self.missing or 'none'})"]
        return "\n".join([head, *body])


def _toml_string(name: str) -> str:
    """A regular expression that matches exactly ``name`` (only the characters regular expressions give a meaning
    escaped, so it stays readable), as a TOML string: a literal one, whose backslashes TOML leaves alone."""
    pattern = re.sub(r"([.^$*+?{}\[\]\\|()])", r"\\\1", name)
    return f"'{pattern}'" if "'" not in pattern else '"' + pattern.replace("\\", "\\\\").replace('"', '\\"') + '"'


def portaudio() -> Section:
    try:
        devices = output_devices()
    except Exception as err:  # pyo's PortAudio could not start at all
        return Section("Audio outputs (PortAudio)", '[audio] backend = "portaudio"', missing=f"PortAudio: {err}")
    lines = tuple(f'device = "{name}"' for _, name in devices)
    return Section("Audio outputs (PortAudio)", '[audio] backend = "portaudio"', lines, "no output device")


def jack_ports() -> tuple[Section, Section, Section]:
    """JACK's playback ports and MIDI ports, from a client of our own (never starting a server)."""
    title, missing = "Audio outputs (JACK)", "no JACK server running"
    try:
        import jack  # JACK-Client

        with quiet_output():
            client = jack.Client("performer-devices", no_start_server=True)
    except Exception:
        return (Section(title, '[audio] backend = "jack"', missing=missing),
                Section("MIDI inputs (JACK)", '[midi] api = "jack", [[midi.inputs]]', missing=missing),
                Section("MIDI outputs (JACK)", '[midi] api = "jack", [midi.output]', missing=missing))
    try:
        playback = [p.name for p in client.get_ports(is_audio=True, is_input=True, is_physical=True)]
        sources = [p.name for p in client.get_ports(is_midi=True, is_output=True)]
        sinks = [p.name for p in client.get_ports(is_midi=True, is_input=True)]
    finally:
        client.close()
    audio = (f"{', '.join(playback)}  (jack_connect = true plays on the first {min(2, len(playback))})",) \
        if playback else ()
    return (Section(title, '[audio] backend = "jack"', audio, "no playback port"),
            Section("MIDI inputs (JACK)", '[midi] api = "jack", [[midi.inputs]]',
                    tuple(f"port = {_toml_string(n)}" for n in sources)),
            Section("MIDI outputs (JACK)", '[midi] api = "jack", [midi.output]',
                    tuple(f"port = {_toml_string(n)}" for n in sinks)))


def alsa_midi() -> Section:
    """ALSA sequencer ports that send (a controller's), through rtmidi as the rig opens them."""
    rig = '[midi] api = "alsa", [[midi.inputs]]'
    if not Path("/dev/snd/seq").exists():
        return Section("MIDI inputs (ALSA)", rig, missing="no ALSA sequencer: /dev/snd/seq is missing")
    import rtmidi

    try:
        with quiet_output():
            names = rtmidi.MidiIn(rtmidi.API_LINUX_ALSA, "performer-devices").get_ports()
    except Exception as err:
        return Section("MIDI inputs (ALSA)", rig, missing=f"ALSA: {err}")
    return Section("MIDI inputs (ALSA)", rig, tuple(f"port = {_toml_string(n)}" for n in names
                                                    if "Midi Through" not in n))


def cameras() -> Section:
    """Video4Linux devices by name (a rig may name part of it) and index."""
    lines = []
    for name_file in sorted(glob.glob("/sys/class/video4linux/video*/name")):
        index = Path(name_file).parent.name.removeprefix("video")
        lines.append(f'device = "{Path(name_file).read_text().strip()}"  (or "{index}": /dev/video{index})')
    return Section("Cameras", "[[cameras]]", tuple(lines), "no camera; a video file works too: device = \"FILE\"")


def listing() -> str:
    """Every section, as `performer devices` prints it."""
    return "\n".join(s.text() for s in (portaudio(), *jack_ports(), alsa_midi(), cameras()))
