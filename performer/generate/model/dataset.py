"""Training windows from an event file: tokens, steering from each note's neighbourhood, and augmentation
(transposition, and score windows made to look played, see playing.py).

Besides each part on its own, a piece of several parts also gives its whole texture as one stream in the
keys role: chords there are ordinary notes with delta 0."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from performer.data.eventfile import EventFile
from performer.generate.model import tokens as tk
from performer.generate.model.features import N_HEAR, N_STEER, absent_vector, drop_hearing, hearing_rows, neighbourhood
from performer.generate.model.playing import Manner, play
from performer.generate.model.texture import labels, others_at_onsets

TRANSPOSE = range(-6, 6)  # semitones; each window is shifted by one of these, if it stays on the piano
STEER_DROPOUT = 0.25  # windows shown with no steering, so the model also plays (and is measured) without a signal
KEYS_WEIGHT = 0.35  # how often a merged texture is drawn, per note, against a single part
MARGIN = 48  # notes either side of a played window that are played too, so its steering sees its surroundings
RAW = ("onset", "dur_raw", "vel_raw", "bar_pos", "bar_len")
COLUMNS = ("delta", "dur", "pitch", "vel", "pos", "barlen", "voice", "steer", "others", "bass")  # of a window
FLOATS = ("steer", "hear")  # window columns that are vectors of floats, not tokens
PREVIOUS = ("delta", "dur", "pitch", "vel", "pos")  # the previous note's tokens a window's input sees


@dataclass
class Tokenized:
    """Every note of one split as token columns, with the part each note belongs to, and its raw values."""

    delta: np.ndarray
    dur: np.ndarray
    pitch: np.ndarray  # raw MIDI pitch: transposition happens per window
    vel: np.ndarray
    pos: np.ndarray
    barlen: np.ndarray
    voice: np.ndarray
    steer: np.ndarray  # (n, N_STEER)
    onset: np.ndarray  # beats from the part's start (float64), and the other raw columns the played windows use
    dur_raw: np.ndarray
    vel_raw: np.ndarray
    bar_pos: np.ndarray
    bar_len: np.ndarray
    others: np.ndarray  # uint16 mask of the pitch classes the piece's other parts sound at each onset
    bass: np.ndarray  # int8: the lowest of them (-1: none)
    starts: np.ndarray  # first note of each part
    ends: np.ndarray
    weight: np.ndarray  # how often each part is drawn, per note
    tonic: np.ndarray  # per part: its piece's key (-1: unknown), mode and style (-1: none), see texture.py
    minor: np.ndarray
    style: np.ndarray

    @classmethod
    def from_events(cls, events: EventFile, split: str, keys: bool = False) -> Tokenized:
        """The split's parts; with ``keys``, also each piece's parts merged into one stream in the keys role."""
        tables = _piece_tables(events, split, keys)
        columns: dict[str, list[np.ndarray]] = {k: [] for k in (*COLUMNS, *RAW)}
        for table, voice, _, others, bass, _ in tables:
            for key, values in _columns(table, voice).items():
                columns[key].append(values)
            columns["others"].append(others)
            columns["bass"].append(bass)
        lengths = np.array([len(t[0]) for t in tables], dtype=np.int64)
        ends = np.cumsum(lengths, dtype=np.int64)
        empty: dict[str, np.ndarray] = {"steer": np.zeros((0, N_STEER)), "others": np.zeros(0, np.uint16),
                                        "bass": np.zeros(0, np.int8)}
        joined: dict[str, np.ndarray] = {k: np.concatenate(v) if v else empty.get(k, np.zeros(0))
                                         for k, v in columns.items()}
        piece = [t[5] for t in tables]
        return cls(**joined, starts=ends - lengths, ends=ends,
                   weight=np.array([t[2] for t in tables], dtype=np.float64),
                   tonic=np.array([p.tonic for p in piece], dtype=np.int8),
                   minor=np.array([p.minor for p in piece], dtype=bool),
                   style=np.array([p.style for p in piece], dtype=np.int8))

    def __len__(self) -> int:
        return len(self.delta)


def _columns(table: np.ndarray, voice: int) -> dict[str, np.ndarray]:
    """Token and raw columns of one part's note table."""
    onset, dur, pitch, vel, bar_pos, bar_len = (table[:, c].astype(np.float64) for c in range(6))
    return {"delta": tk.delta_token(np.diff(onset, prepend=0.0).clip(0, 8)), "dur": tk.dur_token(dur),
            "pitch": pitch.astype(np.int64), "vel": tk.vel_token(vel), "pos": tk.pos_token(bar_pos),
            "barlen": tk.barlen_token(bar_len), "voice": np.full(len(table), voice, dtype=np.int64),
            "steer": neighbourhood(onset, pitch, vel), "onset": onset, "dur_raw": dur, "vel_raw": vel,
            "bar_pos": bar_pos, "bar_len": bar_len}


def _piece_tables(events: EventFile, split: str, keys: bool) -> list[tuple]:
    """Per part of the split (and per piece, its merged texture with ``keys``): its table, role, weight, what each
    note hears of the other parts, and the piece's labels."""
    by_piece: dict[int, list[int]] = {}
    for i in events.parts_in(split):
        by_piece.setdefault(int(events.part_piece[i]), []).append(i)
    out: list[tuple] = []
    for piece, indices in by_piece.items():
        parts = [events.part(i) for i in indices]
        heard = others_at_onsets(parts)
        piece_labels = labels(events.pieces[piece], parts)
        out += [(table, int(events.voices[i]), 1.0, others, bass, piece_labels)
                for i, table, (others, bass) in zip(indices, parts, heard)]
        if keys and len(parts) > 1:
            table = np.concatenate(parts)
            order = np.lexsort((-table[:, 2], table[:, 0]))
            others, bass = (np.concatenate([h[k] for h in heard])[order] for k in (0, 1))
            out.append((table[order], tk.KEYS_ROLE, KEYS_WEIGHT, others, bass, piece_labels))
    return out


def window(data: Tokenized, part: int, start: int, length: int, shift: int,
           manner: Manner | None = None, rng: np.random.Generator | None = None) -> dict[str, np.ndarray]:
    """One training window: the previous note's tokens as input, this note's tokens as targets. With a
    ``manner``, the window (and the notes around it that its steering sees) is first played that way."""
    first, end = int(data.starts[part]), int(data.ends[part])
    if manner is None:
        lo, full = first, {k: getattr(data, k)[first:end] for k in COLUMNS}
    else:
        lo, full = _played(data, first, end, start, length, manner, rng)
    cols, prev_cols, has_prev = _window_columns(full, start - lo, min(start + length, end) - lo)
    steer = cols["steer"].copy()
    steer[:, 1] += shift / 24.0
    tonic, style = int(data.tonic[part]), int(data.style[part])
    hear = hearing_rows(cols["others"], cols["bass"], None if tonic < 0 else tonic, bool(data.minor[part]),
                        None if style < 0 else style, shift)
    return {
        "in_delta": np.where(has_prev, prev_cols["delta"], len(tk.DELTA_GRID)),
        "in_dur": np.where(has_prev, prev_cols["dur"], len(tk.DUR_GRID)),
        "in_pitch": np.where(has_prev, tk.pitch_token(prev_cols["pitch"] + shift), tk.N_PITCH),
        "in_vel": np.where(has_prev, prev_cols["vel"], tk.N_VEL),
        "in_pos": np.where(has_prev, prev_cols["pos"], 0),
        "barlen": cols["barlen"], "voice": cols["voice"], "steer": steer, "hear": hear,
        "delta": cols["delta"], "pitch": tk.pitch_token(cols["pitch"] + shift), "dur": cols["dur"],
        "vel": cols["vel"], "pos": cols["pos"],
    }


def _played(data: Tokenized, first: int, end: int, start: int, length: int, manner: Manner,
            rng: np.random.Generator | None) -> tuple[int, dict[str, np.ndarray]]:
    """Where the played span starts in the part, and its columns: the window and MARGIN notes either side, played
    (see playing.py) and tokenized, with the steering of what is played."""
    rng = rng if rng is not None else np.random.default_rng()
    lo, hi = max(first, start - MARGIN), min(end, start + length + MARGIN)
    onset, pitch = data.onset[lo:hi], data.pitch[lo:hi]
    played_onset, duration, velocity, order = play(onset, data.dur_raw[lo:hi], data.vel_raw[lo:hi], pitch,
                                                   manner, rng)
    bar_len = data.bar_len[lo:hi]
    bar_pos = np.mod(data.bar_pos[lo:hi] + played_onset - onset, bar_len)
    played_onset, duration, velocity, pitch = (a[order] for a in (played_onset, duration, velocity, pitch))
    others, bass = data.others[lo:hi][order], data.bass[lo:hi][order]
    bar_pos, bar_len = bar_pos[order], bar_len[order]
    delta = np.diff(played_onset, prepend=played_onset[0]).clip(0, 8)  # a span's first note is never a window's
    if lo == first:  # first with a previous note (MARGIN), unless it is the part's first: its delta is its onset
        delta[0] = min(8.0, max(0.0, float(played_onset[0])))
    steer = neighbourhood(played_onset, pitch.astype(np.float64), velocity)
    return lo, {"delta": tk.delta_token(delta), "dur": tk.dur_token(duration), "pitch": pitch,
                "vel": tk.vel_token(velocity.astype(np.int64)), "pos": tk.pos_token(bar_pos),
                "barlen": tk.barlen_token(bar_len), "voice": data.voice[lo:hi], "steer": steer, "others": others,
                "bass": bass}


def _window_columns(full: dict[str, np.ndarray], a: int, b: int) -> tuple[dict, dict, np.ndarray]:
    """Rows ``a:b`` of a part's columns, the previous note's tokens for each, and which rows have one."""
    rows = np.arange(a, b)
    has_prev = rows >= 1
    prev = np.where(has_prev, rows - 1, rows)
    return {k: v[a:b] for k, v in full.items()}, {k: full[k][prev] for k in PREVIOUS}, has_prev


def legal_shift(data: Tokenized, part: int, start: int, length: int, rng: np.random.Generator) -> int:
    """A random transposition that keeps the whole window on the piano (0 if none other does)."""
    pitches = data.pitch[start:min(start + length, int(data.ends[part]))]
    lo, hi = int(pitches.min()), int(pitches.max())
    legal = [s for s in TRANSPOSE if lo + s >= tk.PITCH_LOW and hi + s <= tk.PITCH_HIGH]
    return int(rng.choice(legal)) if legal else 0


def batch(data: Tokenized, size: int, length: int, rng: np.random.Generator, augment: bool = True,
          played_share: float = 0.0) -> dict:
    """A batch of windows, parts drawn in proportion to their length (and weight), padded and masked to
    ``length``. With ``augment``, each is transposed, a ``played_share`` of them played (playing.py), and a
    STEER_DROPOUT share shown without steering."""
    mass = (data.ends - data.starts).astype(np.float64) * data.weight
    parts = rng.choice(len(mass), size=size, p=mass / mass.sum())
    rows = []
    for part in parts:
        span = int(data.ends[part] - data.starts[part])
        offset = 0 if rng.random() < 0.25 else int(rng.integers(0, max(1, span - length + 1)))
        start = int(data.starts[part]) + offset
        shift = legal_shift(data, part, start, length, rng) if augment else 0
        manner = Manner.draw(rng) if augment and rng.random() < played_share else None
        row = window(data, int(part), start, length, shift, manner, rng)
        if augment and rng.random() < STEER_DROPOUT:
            row["steer"][:] = absent_vector()
        if augment:
            drop_hearing(row["hear"], rng)
        rows.append(row)
    return collate(rows, length)


def collate(rows: list[dict[str, np.ndarray]], length: int) -> dict[str, np.ndarray]:
    """Stack windows, padding each to ``length``; ``mask`` marks the real notes."""
    out: dict[str, np.ndarray] = {}
    for key in rows[0]:
        shape = (len(rows), length) + rows[0][key].shape[1:]
        array = np.zeros(shape, dtype=np.float32 if key in FLOATS else np.int64)
        for i, row in enumerate(rows):
            array[i, :len(row[key])] = row[key]
        out[key] = array
    out["mask"] = np.zeros((len(rows), length), dtype=np.float32)
    for i, row in enumerate(rows):
        out["mask"][i, :len(row["delta"])] = 1.0
    assert out["steer"].shape[-1] == N_STEER and out["hear"].shape[-1] == N_HEAR
    return out
