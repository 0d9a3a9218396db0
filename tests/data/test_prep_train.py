"""`performer prep` on real scores from music21's corpus and on a folder of .mid files written with mido, then
`performer train` on the result: progress, a checkpoint, resuming from it, and weights that load safely."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import mido
import numpy as np
import pytest
import torch

from performer.data.corpus import corpus_root, read_corpus_file
from performer.data.eventfile import EventFile
from performer.data.parts import metric_strength


def test_a_bach_chorale_becomes_four_parts_with_derived_velocity():
    parts = read_corpus_file(corpus_root() / "bach" / "bwv10.7.mxl")
    assert [p.voice for p in parts] == [0, 1, 2, 3]
    means = [float(p.table[:, 2].mean()) for p in parts]
    assert means == sorted(means, reverse=True)  # soprano on top, bass at the bottom
    for part in parts:
        onset, dur, _, vel, bar_pos, bar_len = part.table.T
        assert (dur > 0).all() and (np.diff(onset) >= 0).all()
        strong = vel[[metric_strength(p, b) == 0 for p, b in zip(bar_pos, bar_len)]]
        weak = vel[[metric_strength(p, b) == 3 for p, b in zip(bar_pos, bar_len)]]
        assert strong.size and (weak.size == 0 or strong.mean() > weak.mean())


def _write_tune(path: Path, seed: int) -> list[tuple[int, int, int]]:
    """A two-track file: a melody and a bass, quarter and half notes; returns the melody (pitch, velocity, ticks)."""
    rng = np.random.default_rng(seed)
    midi = mido.MidiFile(ticks_per_beat=480)
    melody = []
    for track_index, (low, length) in enumerate(((60, 480), (40, 960))):
        track = mido.MidiTrack()
        midi.tracks.append(track)
        if track_index == 0:
            track.append(mido.MetaMessage("time_signature", numerator=3, denominator=4))
        for _ in range(24 if length == 480 else 12):
            pitch, velocity = int(low + rng.integers(0, 12)), int(rng.integers(40, 120))
            track.append(mido.Message("note_on", note=pitch, velocity=velocity, time=0))
            track.append(mido.Message("note_off", note=pitch, velocity=0, time=length))
            if track_index == 0:
                melody.append((pitch, velocity, length))
    midi.save(str(path))
    return melody


@pytest.mark.slow
def test_prep_a_midi_folder_then_train_and_resume(tmp_path, performer_cmd):
    folder = tmp_path / "mine"
    folder.mkdir()
    melodies = {f"tune{i:02d}.mid": _write_tune(folder / f"tune{i:02d}.mid", i) for i in range(40)}
    events_path = tmp_path / "user.npz"
    prep = subprocess.run(performer_cmd + ["prep", "--midi", str(folder), "--out", str(events_path), "--workers", "1",
                                           "--cache", str(tmp_path / "cache")], capture_output=True, text=True)
    assert prep.returncode == 0, prep.stderr
    assert "40 pieces, 80 parts" in prep.stdout
    assert "prep: 100%" in prep.stderr  # the progress bar
    events = EventFile.load(events_path)
    assert len(events.pieces) == 40 and len(events.voices) == 80  # what the summary line says
    first = events.pieces.index("tune00.mid")
    part = next(i for i in range(len(events.voices)) if events.part_piece[i] == first and events.voices[i] == 0)
    table = events.part(part)
    assert [(int(p), int(v)) for p, v in table[:, [2, 3]]] == [(p, v) for p, v, _ in melodies["tune00.mid"]]
    assert np.allclose(table[:, 1], 1.0) and np.allclose(table[:3, 4], [0, 1, 2]) and np.allclose(table[:, 5], 3)
    split = json.loads(events_path.with_suffix(".split.json").read_text())
    assert sorted(sum(split.values(), [])) == sorted(melodies)

    weights, checkpoint = tmp_path / "w.pt", tmp_path / "ck.pt"
    base = performer_cmd + ["train", "--events", str(events_path), "--out", str(weights), "--checkpoint",
                            str(checkpoint), "--threads", "1"]
    first_run = subprocess.run(base + ["--steps", "3"], capture_output=True, text=True)
    assert first_run.returncode == 0, first_run.stderr
    assert "after 3 steps" in first_run.stdout and "train: 100%" in first_run.stderr
    assert torch.load(checkpoint, weights_only=False)["state"]["step"] == 3
    resumed = subprocess.run(base + ["--steps", "5"], capture_output=True, text=True)
    assert resumed.returncode == 0, resumed.stderr
    assert "resuming from step 3" in resumed.stderr and "after 5 steps" in resumed.stdout
    assert torch.load(checkpoint, weights_only=False)["state"]["step"] == 5
    state = torch.load(weights, weights_only=True)
    assert "gru.weight_hh_l0" in state
