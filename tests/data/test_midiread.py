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


def test_a_key_released_under_the_sustain_pedal_sounds_until_the_pedal_lifts(tmp_path: Path):
    midi, track = mido.MidiFile(ticks_per_beat=TPB), mido.MidiTrack()
    track.extend([mido.Message("control_change", control=64, value=127, time=0),
                  mido.Message("note_on", note=60, velocity=70, time=0),
                  mido.Message("note_off", note=60, time=TPB // 2),  # released after half a beat...
                  mido.Message("note_on", note=64, velocity=60, time=TPB // 2),
                  mido.Message("note_off", note=64, time=TPB // 2),
                  mido.Message("control_change", control=64, value=0, time=TPB * 3 // 2),  # ...pedal up at beat 3
                  mido.Message("note_on", note=67, velocity=80, time=0),
                  mido.Message("note_off", note=67, time=TPB)])
    midi.tracks.append(track)
    midi.save(str(tmp_path / "pedal.mid"))
    assert _notes(tmp_path / "pedal.mid") == [(0.0, 3.0, 60, 70), (1.0, 2.0, 64, 60), (3.0, 1.0, 67, 80)]


def test_broken_empty_type_2_and_enormous_files_get_one_line_each_and_prep_goes_on(tmp_path: Path, caplog):
    from performer.data.eventfile import EventFile
    from performer.data.prep import prep

    folder = tmp_path / "mine"
    folder.mkdir()
    _write(folder / "good.mid", [(0.0, "note_on", 0, 60, 90), (1.0, "note_off", 0, 60, 0)])
    (folder / "broken.mid").write_bytes(b"MThd\x00\x00\x00\x06\x00\x01\x00\x02\x01\xe0MTrk\xff\xff")
    (folder / "empty.mid").write_bytes(b"")
    patterns = mido.MidiFile(type=2)
    patterns.tracks.append(mido.MidiTrack([mido.Message("note_on", note=60, velocity=90, time=0)]))
    patterns.save(str(folder / "patterns.mid"))
    with open(folder / "enormous.mid", "wb") as huge:  # sparse: 20 MB on paper, nothing on disk
        huge.truncate(20 * 1024 * 1024)
    _write(folder / "silent.mid", [])
    with caplog.at_level("WARNING"):
        events = prep(tmp_path / "ev.npz", tmp_path / "cache", folder, seed=1, workers=1)
    assert events.pieces == ["good.mid"] and EventFile.load(tmp_path / "ev.npz").table[0, 2] == 60
    lines = [r.getMessage() for r in caplog.records]
    for name, reason in (("broken", "not parsed"), ("empty", "not parsed"), ("patterns", "type 2"),
                         ("enormous", "over the 8 MB"), ("silent", "no pitched notes")):
        said = [line for line in lines if f"{name}.mid" in line]
        assert len(said) == 1 and reason in said[0] and "\n" not in said[0], (name, lines)
