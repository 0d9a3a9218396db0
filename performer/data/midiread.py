"""Read a user's .mid files into part note tables with mido, for fine-tuning on their own style."""

from __future__ import annotations

from pathlib import Path

import mido
import numpy as np

from performer.data.corpus import MAX_VOICE
from performer.data.parts import PartNotes
from performer.errors import PerformerError

DRUM_CHANNEL = 9  # General MIDI's channel 10: kit pieces, not pitches
SUSTAIN = 64  # the sustain pedal's controller: at 64 and above, released keys sound on until it lifts
MAX_BYTES = 8 * 1024 * 1024  # a performance of hours is a few MB; anything larger is not a MIDI file to learn from


class SkippedFile(PerformerError):
    """A file prep leaves out, with the reason (one line)."""


def read_midi_file(path: Path, root: Path) -> list[PartNotes]:
    """One part per (track, channel) that holds pitched notes; velocities are the file's own, and a note held by
    the sustain pedal lasts until the pedal lifts, as it is heard. Channel 10 is a drum kit, whose note numbers
    name kit pieces, not pitches: it is left out of pitched parts."""
    size = path.stat().st_size
    if size > MAX_BYTES:
        raise SkippedFile(f"{size / 1e6:.0f} MB, over the {MAX_BYTES // 2**20} MB a MIDI file to learn from may be")
    midi = mido.MidiFile(str(path))
    if midi.type == 2:
        raise SkippedFile("type 2 (independent patterns, not one piece)")
    tpb = midi.ticks_per_beat
    meters = _meters(midi, tpb)
    streams: dict[tuple[int, int], list[tuple[float, ...]]] = {}
    for track_index, track in enumerate(midi.tracks):
        for channel, row in _track_notes(track, tpb):
            bar_pos, bar_len = _bar_position(meters, row[0])
            streams.setdefault((track_index, channel), []).append((*row, bar_pos, bar_len))
    if not streams:
        raise SkippedFile("no pitched notes")
    name = str(path.relative_to(root))
    parts = []
    for voice, key in enumerate(sorted(streams, key=lambda k: -np.mean([r[2] for r in streams[k]]))):
        table = np.array(streams[key], dtype=np.float32)
        table = table[np.lexsort((-table[:, 2], table[:, 0]))]
        parts.append(PartNotes(piece=name, voice=min(voice, MAX_VOICE), table=table))
    return parts


def _track_notes(track: mido.MidiTrack, tpb: int) -> list[tuple[int, tuple[float, float, int, int]]]:
    """A track's pitched notes as (channel, (onset, duration, pitch, velocity)) in beats. A key released while the
    sustain pedal is down sounds until the pedal lifts. A key struck again while it sounds ends the note it held
    there (a player's repeated note, or a file with one note-off for both), and a note still held at the track's
    end ends there: no note is lost."""
    tick, out = 0, []
    held: dict[tuple[int, int], tuple[float, int]] = {}  # (channel, key) -> (onset in beats, velocity)
    pedal: dict[int, set[int]] = {}  # channel -> keys released under its down pedal (absent: pedal up)

    def end(key: tuple[int, int]) -> None:
        onset, velocity = held.pop(key)
        out.append((key[0], (onset, max(tick / tpb - onset, 1 / 24), key[1], velocity)))

    for msg in track:
        tick += msg.time
        if msg.type == "control_change" and msg.control == SUSTAIN and msg.channel != DRUM_CHANNEL:
            if msg.value >= 64:
                pedal.setdefault(msg.channel, set())
            else:
                for note in pedal.pop(msg.channel, set()):
                    if (msg.channel, note) in held:
                        end((msg.channel, note))
            continue
        if msg.type not in ("note_on", "note_off") or msg.channel == DRUM_CHANNEL:
            continue
        key = (msg.channel, msg.note)
        struck = msg.type == "note_on" and msg.velocity > 0
        if key in held and (struck or msg.channel not in pedal):
            end(key)
            pedal.get(msg.channel, set()).discard(msg.note)
        elif key in held:
            pedal[msg.channel].add(msg.note)  # released, but the pedal holds it
        if struck:
            held[key] = (tick / tpb, msg.velocity)
    for key in list(held):
        end(key)
    return out


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
