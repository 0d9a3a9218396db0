"""Phrase memory: the bookkeeping alone (which span is recalled, moved how far, and which source note comes
next), then the shipped model under the `repetition` steering, measured as the bench measures it."""

from __future__ import annotations

import numpy as np
import pytest

from performer.bench.lines import Line, has_returning_span, motif_recurrence, phrase_repeat_share
from performer.bench.modelmusic import generated_lines
from performer.generate.model.runner import Runner
from performer.generate.model.weights import load_weights
from performer.generate.phrases import SPAN_BARS, PhraseMemory, Remembered
from performer.music.steering import Steering

SPAN = 4.0 * SPAN_BARS


def _memory_with_a_phrase() -> PhraseMemory:
    memory = PhraseMemory(beats_per_bar=4)
    for i, pitch in enumerate([60, 62, 64, 65, 67, 65, 64, 62]):
        memory.record(Remembered(beat=2.0 * i, pitch=pitch, duration=1.5, velocity=70 + i))
    return memory


def test_no_recall_at_repetition_zero_and_always_one_at_one():
    memory = _memory_with_a_phrase()
    assert memory.decide(1, 0.0, 64.0, (0.0, 0.5, 0.1)) is None
    assert memory.decide(1, 0.0, 64.0, (0.0, 0.5, 0.1)) is None  # decided once, kept
    fresh = _memory_with_a_phrase()
    plan = fresh.decide(1, 1.0, 64.0, (0.99, 0.5, 0.1))
    assert plan is not None and plan.source == 0 and plan.shift == 0  # u < REPEAT_SHARE: a plain repeat


def test_a_recalled_span_offers_its_source_notes_in_place():
    memory = _memory_with_a_phrase()
    first = memory.cue(last=14.0, free_onset=17.0, repetition=1.0, register=64.0, u=(0.0, 0.0, 0.1))
    assert first is not None and (first.beat, first.pitch, first.velocity) == (SPAN, 60, 70)
    memory.record(Remembered(beat=SPAN, pitch=60, duration=1.5, velocity=70))
    second = memory.cue(last=SPAN, free_onset=SPAN + 1, repetition=1.0, register=64.0, u=(0.0, 0.0, 0.1))
    assert second is not None and (second.beat, second.pitch) == (SPAN + 2, 62)
    assert memory.sounding(SPAN + 3.0, 64.0).pitch == 62  # between source onsets: the note that sounds there
    assert memory.sounding(SPAN + 3.0, 76.0).pitch == 74  # the register moved an octave up since: so does the phrase


def test_a_sequence_moves_the_phrase_and_follows_the_register():
    memory = _memory_with_a_phrase()
    plan = memory.decide(1, 1.0, 64.0, (0.0, 0.0, 0.6))  # u >= REPEAT_SHARE: a sequence step
    assert plan is not None and plan.shift != 0 and abs(plan.shift) <= 7
    high = _memory_with_a_phrase().decide(1, 1.0, 88.0, (0.0, 0.0, 0.1))
    assert high is not None and high.shift == 24  # the register moved two octaves up: so does the repeat


def test_the_memory_forgets_what_no_recall_can_reach():
    memory = _memory_with_a_phrase()
    memory.record(Remembered(beat=SPAN * 10, pitch=70, duration=1.0, velocity=80))
    assert [n.beat for n in memory.notes] == [SPAN * 10]


def test_the_line_statistics_see_a_repeat_and_a_transposition():
    onset = np.arange(0, 64, 1.0)
    pitch = np.tile(np.array([60, 62, 64, 67] * 4), 4) + np.repeat([0, 0, 5, 9], 16)
    line = Line(onset, pitch)
    assert has_returning_span(line)  # spans 2 and 3 are spans 1 and 0 moved up
    rng = np.random.default_rng(0)
    assert not has_returning_span(Line(onset, rng.integers(48, 84, 64)))


@pytest.fixture(scope="module")
def runner() -> Runner:
    return Runner(load_weights())


def test_repetition_brings_phrases_and_motifs_back_as_asked(runner):
    lines = {rep: generated_lines(runner, Steering(repetition=rep), seeds=4, notes=200) for rep in (0.0, 0.5, 1.0)}
    motifs = {rep: motif_recurrence(found)[0] for rep, found in lines.items()}
    phrases = {rep: phrase_repeat_share(found) for rep, found in lines.items()}
    assert phrases[0.0] == 0.0 and phrases[0.5] >= 0.15 and phrases[1.0] > phrases[0.5]
    assert motifs[0.0] < motifs[0.5] < motifs[1.0]
    assert motifs[0.5] >= motifs[0.0] + 0.08
