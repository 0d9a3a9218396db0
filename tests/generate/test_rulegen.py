"""The rule-based generator: constraints always hold, and steering moves density and register."""

from __future__ import annotations

import statistics

from hypothesis import given, settings
from hypothesis import strategies as st

from performer.generate.rulewalk import RuleGenerator
from performer.music.scales import Scale, pitch_classes
from performer.music.steering import Constraints, Steering


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 10_000), low=st.integers(21, 100), width=st.integers(0, 40),
       classes=st.frozensets(st.integers(0, 11), min_size=1), density=st.floats(0.01, 20),
       register=st.floats(0, 127), spread=st.floats(0, 40), velocity=st.floats(-10, 300))
def test_constraints_always_hold(seed: int, low: int, width: int, classes: frozenset[int], density: float,
                                 register: float, spread: float, velocity: float) -> None:
    constraints = Constraints(classes, low=low, high=min(108, low + width))
    gen = RuleGenerator(seed)
    steering = Steering(density, register, spread, velocity)
    possible = constraints.allowed_pitches()
    for _ in range(30):
        note = gen.sample(steering, constraints)
        assert note.pitch % 12 in classes
        if possible:  # when the range admits no allowed pitch, the range is the constraint relaxed first
            assert constraints.low <= note.pitch <= constraints.high
        assert 1 <= note.velocity <= 127
        assert note.duration > 0 and note.delta >= 0


def run(steering: Steering, seed: int = 1, n: int = 200) -> tuple[float, float]:
    gen = RuleGenerator(seed)
    constraints = Constraints(pitch_classes("C", Scale.major), low=36, high=96)
    notes = [gen.sample(steering, constraints) for _ in range(n)]
    beats = sum(note.delta for note in notes[1:])
    return (n - 1) / beats, statistics.mean(note.pitch for note in notes)


def test_density_and_register_follow_steering() -> None:
    sparse, _ = run(Steering(density=0.5))
    busy, _ = run(Steering(density=3.0))
    assert busy > 2.5 * sparse
    _, low = run(Steering(register=48))
    _, high = run(Steering(register=80))
    assert high - low > 25


def test_same_seed_same_notes_and_reset() -> None:
    constraints = Constraints(pitch_classes("D", Scale.dorian), low=50, high=80)
    a, b = RuleGenerator(5), RuleGenerator(5)
    first = [a.sample(Steering(), constraints) for _ in range(50)]
    assert first == [b.sample(Steering(), constraints) for _ in range(50)]
    a.reset()
    assert [a.sample(Steering(), constraints) for _ in range(50)] == first
