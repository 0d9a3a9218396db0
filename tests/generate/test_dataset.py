"""Training windows from a real Bach chorale: its whole texture in the keys role (chords as delta 0), and windows
made to look played (rolled and loosened onsets, articulation, pp to ff) whose steering follows what is played."""

from __future__ import annotations

import numpy as np
import pytest

from performer.data.corpus import corpus_root, read_corpus_file
from performer.data.eventfile import EventFile
from performer.generate.model import tokens as tk
from performer.generate.model.dataset import Tokenized, batch, window
from performer.generate.model.playing import Manner


@pytest.fixture(scope="module")
def chorale() -> EventFile:
    parts = read_corpus_file(corpus_root() / "bach" / "bwv10.7.mxl")
    events = EventFile.from_parts(parts, seed=1, fractions=(1.0, 0.0))
    return events


def test_a_piece_of_several_parts_is_also_one_stream_of_chords_in_the_keys_role(chorale):
    data = Tokenized.from_events(chorale, "train", keys=True)
    keys = [i for i in range(len(data.starts)) if data.voice[data.starts[i]] == tk.KEYS_ROLE]
    assert len(data.starts) == 5 and len(keys) == 1
    stream = slice(data.starts[keys[0]], data.ends[keys[0]])
    assert data.ends[keys[0]] - data.starts[keys[0]] == sum(len(chorale.part(i)) for i in range(4))
    assert np.mean(data.delta[stream] == 0) > 0.5  # four voices mostly move together: chords
    assert np.all(np.diff(data.onset[stream]) >= 0)
    assert Tokenized.from_events(chorale, "train").voice.max() == 3  # single parts only, unless asked


def test_a_played_window_rolls_loosens_and_moves_its_loudness(chorale):
    data = Tokenized.from_events(chorale, "train", keys=True)
    keys = int(np.flatnonzero(data.voice[data.starts] == tk.KEYS_ROLE)[0])
    start = int(data.starts[keys]) + 40
    plain = window(data, keys, start, 64, 0)
    rng = np.random.default_rng(3)
    soft = Manner(jitter=0.0, roll=0.06, articulation=0.4, level=24, swell=0, accent_gain=1, velocity_jitter=2)
    played = window(data, keys, start, 64, 0, soft, rng)
    assert np.mean(played["delta"] == 0) < np.mean(plain["delta"] == 0)  # rolled chords are no longer simultaneous
    assert tk.DELTA_GRID[played["delta"]].sum() == pytest.approx(tk.DELTA_GRID[plain["delta"]].sum(), abs=1.0)
    assert np.median(tk.DUR_GRID[played["dur"]]) < np.median(tk.DUR_GRID[plain["dur"]])  # staccato
    assert played["vel"].max() < plain["vel"].min()  # pp, where the score's derived velocities are mf
    assert played["steer"][:, 3].mean() < plain["steer"][:, 3].mean() - 0.4  # the steering hears it
    assert played["in_delta"][0] != len(tk.DELTA_GRID)  # the window's first note still has its previous one


def test_played_batches_span_pianissimo_to_fortissimo(chorale):
    data = Tokenized.from_events(chorale, "train", keys=True)
    b = batch(data, 64, 32, np.random.default_rng(1), played_share=1.0)
    velocities = tk.vel_token(np.array([0]))[0] + b["vel"][b["mask"] > 0] * tk.VEL_STEP
    assert velocities.min() <= 32 and velocities.max() >= 104
    for key in ("delta", "dur", "pitch", "vel", "pos", "in_delta", "in_pitch"):
        assert (b[key] >= 0).all()
    assert np.isfinite(b["steer"]).all()
