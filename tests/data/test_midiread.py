"""Reading a user's MIDI files for fine-tuning: drums stay out of pitched parts, and no played note is lost (a key
struck again while it sounds, a note never released)."""

from __future__ import annotations

from pathlib import Path

import mido
import pytest

from performer.data.midiread import read_midi_file

TPB = 480


def _write(path: Path, events: list[tuple[float, str, int, int, int]]) -> Path:
    """One track of (beat, type, channel, note, velocity), in order."""
    midi, track, last = mido.MidiFile(ticks_per_beat=TPB), mido.MidiTrack(), 0
    for beat, kind, channel, note, velocity in events:
        tick = round(beat * TPB)
        track.append(mido.Message(kind, channel=channel, note=note, velocity=velocity, time=tick - last))
        last = tick
    midi.tracks.append(track)
    midi.save(str(path))
    return path


def _notes(path: Path) -> list[tuple[float, float, int, int]]:
    parts = read_midi_file(path, path.parent)
    return sorted((float(r[0]), round(float(r[1]), 4), int(r[2]), int(r[3])) for p in parts for r in p.table)


def test_drums_on_channel_10_are_not_read_as_pitches(tmp_path: Path):
    events = [(0.0, "note_on", 0, 60, 90), (0.0, "note_on", 9, 36, 120), (0.5, "note_off", 9, 36, 0),
              (1.0, "note_off", 0, 60, 0), (1.0, "note_on", 9, 38, 100), (1.5, "note_off", 9, 38, 0)]
    assert _notes(_write(tmp_path / "band.mid", events)) == [(0.0, 1.0, 60, 90)]


@pytest.mark.parametrize("offs", [1, 2], ids=["one note-off for both", "a note-off for each"])
def test_a_key_struck_again_while_it_sounds_keeps_both_notes(tmp_path: Path, offs: int):
    events = [(0.0, "note_on", 0, 60, 80), (1.0, "note_on", 0, 60, 100), (1.5, "note_off", 0, 60, 0)]
    events += [(1.75, "note_off", 0, 60, 0)] if offs == 2 else []
    assert _notes(_write(tmp_path / "again.mid", events)) == [(0.0, 1.0, 60, 80), (1.0, 0.5, 60, 100)]


def test_a_note_never_released_ends_with_its_track(tmp_path: Path):
    events = [(0.0, "note_on", 0, 64, 70), (0.0, "note_on", 0, 67, 70), (2.0, "note_off", 0, 67, 0)]
    assert _notes(_write(tmp_path / "held.mid", events)) == [(0.0, 2.0, 64, 70), (0.0, 2.0, 67, 70)]
