"""Offline rendering: the same Engine, on pyo's offline server, with notes placed on the sample clock."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Iterable

from synthesis.engine import Engine
from synthesis.protocol import Note, Param
from synthesis.scheduler import FrameClock
from synthesis.server import AudioSettings, make_server

TAIL = 1.5  # seconds rendered after the last note ends


def render_notes(notes: Iterable[Note], settings: AudioSettings, out: Path, duration: float | None = None,
                 params: Iterable[Param] = ()) -> float:
    """Render ``notes`` (start times in seconds from 0), and instrument parameter changes at their times, to a
    24-bit WAV; return the rendered length in seconds."""
    notes = list(notes)
    length = max([duration or 0.0] + [n.end + TAIL for n in notes])
    server = make_server(replace(settings, backend="offline"))
    try:
        engine = Engine(server, settings, FrameClock(settings.sample_rate, origin=0.0), live=False)
        for message in [*params, *notes]:
            engine.submit(message)
        server.recordOptions(dur=length, filename=str(out), fileformat=0, sampletype=1)
        server.start()  # an offline server renders the whole file before returning
    finally:
        server.shutdown()
    return length
