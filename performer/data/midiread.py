"""Read a user's .mid files into part note tables with mido, for fine-tuning on their own style."""

from __future__ import annotations

from pathlib import Path

import mido
import numpy as np

from performer.data.corpus import MAX_VOICE
from performer.data.parts import PartNotes


def read_midi_file(path: Path, root: Path) -> list[PartNotes]:
    """One part per (track, channel) that holds notes; velocities are the file's own."""
    midi = mido.MidiFile(str(path))
    tpb = midi.ticks_per_beat
    meters = _meters(midi, tpb)
    streams: dict[tuple[int, int], list[tuple[float, ...]]] = {}
    for track_index, track in enumerate(midi.tracks):
        tick = 0
        open_notes: dict[tuple[int, int], list[tuple[float, int]]] = {}
        for msg in track:
            tick += msg.time
            if msg.type == "note_on" and msg.velocity > 0:
                open_notes.setdefault((msg.channel, msg.note), []).append((tick / tpb, msg.velocity))
            elif msg.type in ("note_off", "note_on") and open_notes.get((msg.channel, msg.note)):
                onset, velocity = open_notes[(msg.channel, msg.note)].pop(0)
                bar_pos, bar_len = _bar_position(meters, onset)
                row = (onset, max(tick / tpb - onset, 1 / 24), msg.note, velocity, bar_pos, bar_len)
                streams.setdefault((track_index, msg.channel), []).append(row)
    name = str(path.relative_to(root))
    parts = []
    for voice, key in enumerate(sorted(streams, key=lambda k: -np.mean([r[2] for r in streams[k]]))):
        table = np.array(streams[key], dtype=np.float32)
        table = table[np.lexsort((-table[:, 2], table[:, 0]))]
        parts.append(PartNotes(piece=name, voice=min(voice, MAX_VOICE), table=table))
    return parts


def _meters(midi: mido.MidiFile, tpb: int) -> list[tuple[float, float]]:
    """(beat where it starts, bar length in beats) for every time signature; 4/4 from the start by default."""
    meters: list[tuple[float, float]] = []
    for track in midi.tracks:
        tick = 0
        for msg in track:
            tick += msg.time
            if msg.type == "time_signature":
                meters.append((tick / tpb, msg.numerator * 4.0 / msg.denominator))
    if not any(start == 0 for start, _ in meters):
        meters.append((0.0, 4.0))
    return sorted(meters, key=lambda m: m[0])


def _bar_position(meters: list[tuple[float, float]], onset: float) -> tuple[float, float]:
    bar_start, bar_len = 0.0, 4.0
    for start, length in meters:
        if start > onset + 1e-9:
            break
        if start > bar_start:  # bars restart at each meter change
            bar_start = start
        bar_len = length
    return (onset - bar_start) % bar_len, bar_len
