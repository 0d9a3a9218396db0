"""Offline rendering: the same Engine, on pyo's offline server, with notes placed on the sample clock."""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import Iterable, Sequence

from synthesis.engine import Engine
from synthesis.protocol import Message, Note
from synthesis.scheduler import FrameClock
from synthesis.server import make_server
from synthesis.settings import AudioSettings
from synthesis.thruplayer import MidiSource

TAIL = 1.5  # seconds rendered after the last note ends


@dataclass(frozen=True)
class RenderStats:
    """What a render played: its length in seconds, the notes played, and those cut short (a voice pool was full:
    its oldest note was stolen) or late."""

    length: float
    played: int
    stolen: int
    late: int


def render_notes(notes: Iterable[Note], settings: AudioSettings, out: Path, duration: float | None = None,
                 params: Iterable[Message] = (), midi_in: Sequence[MidiSource] = ()) -> RenderStats:
    """Render ``notes`` (start times in seconds from 0), and timed messages (parameter changes, the thru
    instrument) at their times, to a 24-bit WAV; return what it played. ``midi_in`` are polled
    inputs for the thru path, read once per buffer as live (rtmidi.MidiIn, or a scripted stand-in)."""
    notes = list(notes)
    length = max([duration or 0.0] + [n.end + TAIL for n in notes])
    server = make_server(replace(settings, backend="offline"))
    try:
        engine = Engine(server, settings, FrameClock(settings.sample_rate, origin=0.0), live=False, midi_in=midi_in)
        for message in [*params, *notes]:
            engine.submit(message)
        server.recordOptions(dur=length, filename=str(out), fileformat=0, sampletype=1)
        server.start()  # an offline server renders the whole file before returning
    finally:
        server.shutdown()
    return RenderStats(length, engine.counts.played, sum(i.pool.stolen for i in engine.instruments.values()),
                       engine.scheduler.late)
