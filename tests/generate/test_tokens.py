"""The live generator's scalar tokenizers and steering vector must match the vectorized ones training used,
or the model would hear different numbers live than it learned from."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from performer.generate.model import tokens as tk
from performer.generate.model.features import normalize, steering_vector
from performer.music.steering import Steering

GRID_POINTS = np.concatenate([np.linspace(0.0, 10.0, 2001), tk.DELTA_GRID, tk.DUR_GRID])


def test_scalar_time_tokens_match_training():
    assert [tk.delta_index(float(x)) for x in GRID_POINTS] == tk.delta_token(GRID_POINTS).tolist()
    positive = GRID_POINTS[GRID_POINTS > 0]
    assert [tk.dur_index(float(x)) for x in positive] == tk.dur_token(positive).tolist()


def test_scalar_pitch_and_velocity_tokens_match_training():
    values = np.arange(-40, 170)
    assert [tk.pitch_index(int(p)) for p in values] == tk.pitch_token(values).tolist()
    assert [tk.vel_index(int(v)) for v in values] == tk.vel_token(values).tolist()


@given(st.floats(0.0, 20.0), st.floats(0.0, 127.0), st.floats(0.0, 30.0), st.floats(1.0, 127.0))
def test_live_steering_vector_matches_training(density, register, spread, velocity):
    live = steering_vector(Steering(density, register, spread, velocity))
    s = Steering(density, register, spread, velocity).clamped()
    trained = normalize(np.array(s.density), np.array(s.register), np.array(s.spread), np.array(s.velocity))
    np.testing.assert_allclose(live, trained, atol=1e-6)
