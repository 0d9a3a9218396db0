"""Offline render of a rig from a recorded session: the conductor on the engine's sample clock, then the engine
on pyo's offline server. Writes audio.wav, notes.mid and summary.png, beside the session replayed and the notes
and scene marks as a live run's folder holds them (performer/offline/layout.py)."""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Sequence

from performer.config.loading import LoadedRig
from performer.config.session import Session
from performer.config.sessionfolder import AUDIO, MIDI, SUMMARY, LinkSample
from performer.config.settings import audio_settings
from performer.generate.factory import rig_factory
from performer.music.linkreplay import RecordedLink
from performer.offline.layout import Replay, check_out, tempi, write_layout
from performer.offline.midifile import write_midi
from performer.offline.summary import write_summary
from performer.show.clock import SampleClock
from performer.show.conductor import Conductor, Trace
from sensors.events import Event
from synthesis.protocol import Cut, Loudness, Note, Param, Thru
from synthesis.settings import AudioSettings

if TYPE_CHECKING:
    from synthesis.offline import RenderStats

LEAD_IN = 0.25  # seconds of silence before the show, rounded up to a whole beat of the first scene


class CollectSink:
    """A note sink that keeps what it is sent."""

    def __init__(self) -> None:
        self.notes: list[Note] = []
        self.params: list[Param] = []
        self.panics: list[int] = []
        self.caps: list[Loudness] = []
        self.cuts: list[Cut] = []

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

    def cut(self, cut: Cut) -> None:
        self.cuts.append(cut)

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


def shifted(event: Event, offset: float) -> Event:
    """The same event, moved to the render's clock."""
    return dataclasses.replace(event, t=event.t + offset)


def conduct(loaded: LoadedRig, session: Session, settings: AudioSettings,
            link: Sequence[LinkSample] = ()) -> tuple[list[Note], Trace, float]:
    """Run the conductor over the session on a sample clock; return notes, trace and the show's start. With the
    run's ``link`` samples, scenes that follow Link follow the session as the run recorded it."""
    beat = 60.0 / loaded.scenes[0].tempo
    start = math.ceil(LEAD_IN / beat) * beat
    sink, trace = CollectSink(), Trace()
    clock = SampleClock(settings.sample_rate, settings.buffer_size)
    recorded = RecordedLink([(s.t + start, s.beat, s.tempo) for s in link], clock.now) if link else None
    conductor = Conductor(loaded, sink, rig_factory(loaded), start=start, trace=trace, link=recorded)
    for event in session.events:
        conductor.ingest(shifted(event, start))
    end = start + session.duration
    while clock.now() < end:
        clock.tick()
        conductor.advance_to(clock.now())
    trace.notes = [n for n in sink.notes if n.start < end]
    return trace.notes, trace, start


def render_audio(notes: list[Note], trace: Trace, length: float, settings: AudioSettings, out: Path) -> RenderStats:
    """The engine's offline render of conducted notes with the parameter changes and loudness caps of their trace:
    audio.wav, or the same show with some notes left out (a test hears one voice as the mix minus the others)."""
    from synthesis.offline import render_notes  # imports pyo only when rendering

    return render_notes(notes, settings, out, duration=length, params=[*trace.params, *trace.loudness, *trace.cuts])


def as_heard(notes: list[Note], cuts: list[Cut]) -> list[Note]:
    """The notes as they sound: a note still held when its voice was cut ends at the cut (for notes.mid)."""
    at: dict[str, list[float]] = {}
    for cut in cuts:
        at.setdefault(cut.voice, []).append(cut.at)
    out = []
    for note in notes:
        ends = [t for t in at.get(note.voice, []) if note.start < t < note.end]
        out.append(dataclasses.replace(note, duration=min(ends) - note.start) if ends else note)
    return out


def render(loaded: LoadedRig, replay: Replay | Session, out: Path) -> Rendered:
    """Render the replayed session (a run's, or a session made up, as tests do) through the rig into ``out``."""
    replay = replay if isinstance(replay, Replay) else Replay(replay)
    check_out(replay, out)
    out.mkdir(parents=True, exist_ok=True)
    settings, session = audio_settings(loaded.rig), replay.session
    notes, trace, start = conduct(loaded, session, settings, replay.link)
    audio, midi, summary = out / AUDIO, out / MIDI, out / SUMMARY
    stats = render_audio(notes, trace, start + session.duration, settings, audio)
    length = stats.length
    scenes = {s.name: s for s in loaded.scenes}
    write_midi(as_heard(notes, trace.cuts), tempi(replay, trace, start, scenes), trace.scenes, midi)
    write_summary(trace, length, summary, f"{loaded.rig.name}: {len(notes)} notes")
    write_layout(out, replay, trace, start, scenes)
    return Rendered(audio, midi, summary, notes, length, trace, stats.stolen)
