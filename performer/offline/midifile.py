"""Writing notes.mid: one track per voice, with the scenes' tempo changes, so a DAW lines it up with audio.wav."""

from __future__ import annotations

from bisect import bisect_right
from pathlib import Path

import mido

from synthesis.protocol import Note

TICKS_PER_BEAT = 1920


class TempoMap:
    """Piecewise-constant tempo: (time in seconds, bpm) changes, the first at time 0."""

    def __init__(self, changes: list[tuple[float, float]]) -> None:
        ordered = sorted(changes) or [(0.0, 120.0)]
        # a tempo that does not change is not a change (Link's tempo is sampled every second, steady or not)
        self.changes = [c for i, c in enumerate(ordered) if i == 0 or abs(c[1] - ordered[i - 1][1]) > 1e-6]
        self.changes[0] = (0.0, self.changes[0][1])  # the first tempo also covers any lead-in
        self._times = [c[0] for c in self.changes]
        self._tick_at = [0.0]
        for (t0, bpm), (t1, _) in zip(self.changes, self.changes[1:]):
            self._tick_at.append(self._tick_at[-1] + (t1 - t0) * bpm / 60.0 * TICKS_PER_BEAT)

    def ticks(self, t: float) -> int:
        """The tick at time ``t`` seconds."""
        i = max(0, bisect_right(self._times, t) - 1)
        t0, bpm = self.changes[i]
        return round(self._tick_at[i] + (t - t0) * bpm / 60.0 * TICKS_PER_BEAT)


def write_midi(notes: list[Note], tempi: list[tuple[float, float]], scenes: list[tuple[float, str]],
               path: Path) -> None:
    """Write a type-1 MIDI file: a tempo/marker track and one track per voice, each on its voice's channel."""
    tempo_map = TempoMap(tempi)
    meta: list[tuple[int, mido.MetaMessage]] = [
        (tempo_map.ticks(t), mido.MetaMessage("set_tempo", tempo=mido.bpm2tempo(bpm))) for t, bpm in tempo_map.changes]
    meta += [(tempo_map.ticks(t), mido.MetaMessage("marker", text=name)) for t, name in scenes]
    midi = mido.MidiFile(type=1, ticks_per_beat=TICKS_PER_BEAT)
    midi.tracks.append(_track("performer", meta))
    for voice in sorted({n.voice for n in notes}):
        events: list[tuple[int, mido.Message]] = []
        for n in (n for n in notes if n.voice == voice):
            channel = n.channel - 1
            events.append((tempo_map.ticks(n.start), mido.Message("note_on", channel=channel, note=n.pitch,
                                                                  velocity=n.velocity)))
            events.append((tempo_map.ticks(n.end), mido.Message("note_off", channel=channel, note=n.pitch)))
        midi.tracks.append(_track(voice or "notes", events))
    midi.save(str(path))


def _track(name: str, events: list[tuple[int, mido.Message | mido.MetaMessage]]) -> mido.MidiTrack:
    """A track from absolute-tick events; note-offs sort before note-ons at the same tick."""
    track = mido.MidiTrack([mido.MetaMessage("track_name", name=name)])
    order = sorted(events, key=lambda e: (e[0], e[1].type != "note_off"))
    now = 0
    for tick, message in order:
        track.append(message.copy(time=tick - now))
        now = tick
    return track
