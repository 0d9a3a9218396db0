"""The n-gram baseline that the model's bits per note are compared with: it must be a proper distribution and
use its context, or the comparison means nothing."""

from __future__ import annotations

import numpy as np

from performer.generate.model.ngram import VOCAB, NGram

PATTERN = np.array([100, 2000, 35000, 100, 2000, 42000])  # order 3 is needed to tell 35000 from 42000


def test_higher_orders_use_their_context():
    model = NGram([np.tile(PATTERN, 100) for _ in range(5)], 4)
    test = [np.tile(PATTERN, 20)]
    bits = [model.bits(test, order, "witten-bell") for order in range(1, 5)]
    assert bits[2] < 0.05 < bits[1]  # two notes back cannot resolve the pattern; three can
    assert model.bits(test, 3, "absolute-discount") < 0.5


def test_probabilities_over_the_whole_vocabulary_sum_to_one():
    rng = np.random.default_rng(1)
    train = [rng.integers(0, 5000, 300) for _ in range(20)] + [np.tile(PATTERN, 30)]
    model = NGram(train, 2)
    context = PATTERN[:2]
    candidates = np.arange(VOCAB)
    for smoothing in ("witten-bell", "absolute-discount"):
        # one two-note "sequence" per candidate, after the same context: bits of the last note only
        probs = model.next_probs(context, candidates, smoothing)
        assert abs(probs.sum() - 1.0) < 1e-6
        assert probs[35000] + probs[42000] > 0.95  # the two continuations seen after (100, 2000)
