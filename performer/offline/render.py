"""Offline render of a rig from a recorded session: the conductor on the engine's sample clock, then the engine
on pyo's offline server. Writes audio.wav, notes.mid and summary.png."""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field
from pathlib import Path

from performer.show.clock import SampleClock
from performer.show.conductor import Conductor, Trace
from sensors.events import Event
from performer.config.loading import LoadedRig
from performer.offline.midifile import write_midi
from performer.runtime.session import Session
from performer.offline.summary import write_summary
from synthesis.protocol import Loudness, Note, Param, Thru
from synthesis.server import AudioSettings

LEAD_IN = 0.25  # seconds of silence before the show, rounded up to a whole beat of the first scene


class CollectSink:
    """A note sink that keeps what it is sent."""

    def __init__(self) -> None:
        self.notes: list[Note] = []
        self.params: list[Param] = []
        self.panics: list[int] = []
        self.caps: list[Loudness] = []

    def send(self, note: Note) -> None:
        self.notes.append(note)

    def param(self, param: Param) -> None:
        self.params.append(param)

    def panic(self) -> None:
        self.panics.append(len(self.notes))

    def thru(self, thru: Thru) -> None:
        """Offline there is no thru path: the conductor renders the player's notes itself (``played``)."""

    def loudness(self, loudness: Loudness) -> None:
        self.caps.append(loudness)

    def played(self, note: Note) -> None:
        self.notes.append(note)


@dataclass
class Rendered:
    """Where the render went and what it contains."""

    audio: Path
    midi: Path
    summary: Path
    notes: list[Note]
    length: float
    trace: Trace = field(default_factory=Trace)
    stolen: int = 0  # notes cut short because an instrument's voice pool was full

    def report(self) -> str:
        """One line saying what was rendered and where."""
        cut = f" ({self.stolen} cut short: raise [engine] voices)" if self.stolen else ""
        return (f"rendered {len(self.notes)} notes{cut}, {self.length:.1f} s: {self.audio}, {self.midi}, "
                f"{self.summary}")


def audio_settings(loaded: LoadedRig) -> AudioSettings:
    """The engine's view of the rig's audio section."""
    a, e, midi = loaded.rig.audio, loaded.rig.engine, loaded.rig.midi
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


def shifted(event: Event, offset: float) -> Event:
    """The same event, moved to the render's clock."""
    return dataclasses.replace(event, t=event.t + offset)


def conduct(loaded: LoadedRig, session: Session, settings: AudioSettings) -> tuple[list[Note], Trace, float]:
    """Run the conductor over the session on a sample clock; return notes, trace and the show's start."""
    beat = 60.0 / loaded.scenes[0].tempo
    start = math.ceil(LEAD_IN / beat) * beat
    sink, trace = CollectSink(), Trace()
    conductor = Conductor(loaded, sink, start=start, trace=trace)
    for event in session.events:
        conductor.ingest(shifted(event, start))
    clock = SampleClock(settings.sample_rate, settings.buffer_size)
    end = start + session.duration
    while clock.now() < end:
        clock.tick()
        conductor.advance_to(clock.now())
    trace.notes = [n for n in sink.notes if n.start < end]
    return trace.notes, trace, start


def render(loaded: LoadedRig, session: Session, out: Path) -> Rendered:
    """Render ``session`` through the rig into ``out``."""
    from synthesis.offline import render_notes  # imports pyo only when rendering

    out.mkdir(parents=True, exist_ok=True)
    settings = audio_settings(loaded)
    notes, trace, start = conduct(loaded, session, settings)
    audio, midi, summary = out / "audio.wav", out / "notes.mid", out / "summary.png"
    stats = render_notes(notes, settings, audio, duration=start + session.duration,
                         params=[*trace.params, *trace.loudness])
    length = stats.length
    scenes = {s.name: s for s in loaded.scenes}
    tempi = [(t, scenes[name].tempo) for t, name in trace.scenes]
    write_midi(notes, tempi, trace.scenes, midi)
    write_summary(trace, length, summary, f"{loaded.rig.name}: {len(notes)} notes")
    return Rendered(audio, midi, summary, notes, length, trace, stats.stolen)
