"""Training windows from an event file: tokens, steering from each note's neighbourhood, and transposition."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from performer.data.eventfile import EventFile
from performer.generate.model import tokens as tk
from performer.generate.model.features import N_STEER, absent_vector, neighbourhood

TRANSPOSE = range(-6, 6)  # semitones; each window is shifted by one of these, if it stays on the piano
STEER_DROPOUT = 0.1  # windows shown with no steering, so the model also plays when no signal arrives


@dataclass
class Tokenized:
    """Every note of one split as token columns, with the part each note belongs to."""

    delta: np.ndarray
    dur: np.ndarray
    pitch: np.ndarray  # raw MIDI pitch: transposition happens per window
    vel: np.ndarray
    pos: np.ndarray
    barlen: np.ndarray
    voice: np.ndarray
    steer: np.ndarray  # (n, N_STEER)
    starts: np.ndarray  # first note of each part
    ends: np.ndarray

    @classmethod
    def from_events(cls, events: EventFile, split: str) -> "Tokenized":
        columns: dict[str, list[np.ndarray]] = {k: [] for k in ("delta", "dur", "pitch", "vel", "pos", "barlen",
                                                                   "voice", "steer")}
        lengths = []
        for i in events.parts_in(split):
            table = events.part(i)
            onset, dur, pitch, vel, bar_pos, bar_len = (table[:, c] for c in range(6))
            columns["delta"].append(tk.delta_token(np.diff(onset, prepend=0.0).clip(0, 8)))
            columns["dur"].append(tk.dur_token(dur))
            columns["pitch"].append(pitch.astype(np.int64))
            columns["vel"].append(tk.vel_token(vel))
            columns["pos"].append(tk.pos_token(bar_pos))
            columns["barlen"].append(tk.barlen_token(bar_len))
            columns["voice"].append(np.full(len(table), int(events.voices[i]), dtype=np.int64))
            columns["steer"].append(neighbourhood(onset, pitch, vel))
            lengths.append(len(table))
        ends = np.cumsum(lengths, dtype=np.int64)
        joined = {k: np.concatenate(v) if v else np.zeros(0, np.int64) for k, v in columns.items()}
        return cls(**joined, starts=ends - np.array(lengths, dtype=np.int64), ends=ends)

    def __len__(self) -> int:
        return len(self.delta)


def window(data: Tokenized, part: int, start: int, length: int, shift: int) -> dict[str, np.ndarray]:
    """One training window: the previous note's tokens as input, this note's tokens as targets."""
    first, end = int(data.starts[part]), int(data.ends[part])
    idx = np.arange(start, min(start + length, end))
    prev = idx - 1
    has_prev = prev >= first
    prev = np.where(has_prev, prev, idx)
    pitch = tk.pitch_token(data.pitch[idx] + shift)
    prev_pitch = tk.pitch_token(data.pitch[prev] + shift)
    steer = data.steer[idx].copy()
    steer[:, 1] += shift / 24.0
    return {
        "in_delta": np.where(has_prev, data.delta[prev], len(tk.DELTA_GRID)),
        "in_dur": np.where(has_prev, data.dur[prev], len(tk.DUR_GRID)),
        "in_pitch": np.where(has_prev, prev_pitch, tk.N_PITCH),
        "in_vel": np.where(has_prev, data.vel[prev], tk.N_VEL),
        "in_pos": np.where(has_prev, data.pos[prev], 0),
        "barlen": data.barlen[idx], "voice": data.voice[idx], "steer": steer,
        "delta": data.delta[idx], "pitch": pitch, "dur": data.dur[idx], "vel": data.vel[idx], "pos": data.pos[idx],
    }


def legal_shift(data: Tokenized, part: int, start: int, length: int, rng: np.random.Generator) -> int:
    """A random transposition that keeps the whole window on the piano (0 if none other does)."""
    pitches = data.pitch[start:min(start + length, int(data.ends[part]))]
    lo, hi = int(pitches.min()), int(pitches.max())
    legal = [s for s in TRANSPOSE if lo + s >= tk.PITCH_LOW and hi + s <= tk.PITCH_HIGH]
    return int(rng.choice(legal)) if legal else 0


def batch(data: Tokenized, size: int, length: int, rng: np.random.Generator, augment: bool = True) -> dict:
    """A batch of windows, parts drawn in proportion to their length, padded and masked to ``length``."""
    lengths = (data.ends - data.starts).astype(np.float64)
    parts = rng.choice(len(lengths), size=size, p=lengths / lengths.sum())
    rows = []
    for part in parts:
        span = int(lengths[part])
        offset = 0 if rng.random() < 0.25 else int(rng.integers(0, max(1, span - length + 1)))
        start = int(data.starts[part]) + offset
        shift = legal_shift(data, part, start, length, rng) if augment else 0
        row = window(data, int(part), start, length, shift)
        if augment and rng.random() < STEER_DROPOUT:
            row["steer"][:] = absent_vector()
        rows.append(row)
    return collate(rows, length)


def collate(rows: list[dict[str, np.ndarray]], length: int) -> dict[str, np.ndarray]:
    """Stack windows, padding each to ``length``; ``mask`` marks the real notes."""
    out: dict[str, np.ndarray] = {}
    for key in rows[0]:
        shape = (len(rows), length) + rows[0][key].shape[1:]
        array = np.zeros(shape, dtype=np.float32 if key == "steer" else np.int64)
        for i, row in enumerate(rows):
            array[i, :len(row[key])] = row[key]
        out[key] = array
    out["mask"] = np.zeros((len(rows), length), dtype=np.float32)
    for i, row in enumerate(rows):
        out["mask"][i, :len(row["delta"])] = 1.0
    assert out["steer"].shape[-1] == N_STEER
    return out
