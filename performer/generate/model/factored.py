"""The factored n-gram baseline: each attribute of a note (delta, pitch, duration, velocity) predicted from the
previous values of its own kind, orders 0 to 3, and optionally from the attributes the model chooses before it in
the same note (as the model factorizes: delta, then pitch, then duration, then velocity); smoothed, on the model's
own token grids. Its bits per note are the sum over attributes of each attribute's best variant: far less sparse
than an n-gram over whole notes."""

from __future__ import annotations

import numpy as np

from performer.generate.model import tokens as tk
from performer.generate.model.ngram import count_keys, hash_columns, interpolate, lagged

ATTRIBUTES = ("delta", "pitch", "dur", "vel")
VOCAB = {"delta": len(tk.DELTA_GRID), "dur": len(tk.DUR_GRID), "pitch": tk.N_PITCH, "vel": tk.N_VEL}
# What else a variant may condition on: (attribute, 0) of this note, chosen before it in the model's order, or
# (attribute, 1) of the previous note (a score's next onset mostly comes when the last note ends).
Given = tuple[tuple[str, int], ...]
GIVEN: dict[str, tuple[Given, ...]] = {
    "delta": ((), (("dur", 1),)), "pitch": ((), (("delta", 0),)),
    "dur": ((), (("delta", 0),), (("delta", 0), ("pitch", 0))),
    "vel": ((), (("dur", 0),), (("delta", 0), ("dur", 0))),
}
MAX_ORDER = 3
SMOOTHINGS = ("witten-bell", "absolute-discount")
Fields = dict[str, list[np.ndarray]]  # attribute -> one token sequence per part


def _levels(fields: Fields, name: str, given: Given, order: int) -> list[np.ndarray]:
    """Context hashes per note for each backoff level, lowest first: the given attributes alone (if any), then
    with 1..order previous tokens of ``name`` before the part's start padded with a start token."""
    now = [lagged(fields[g], lag, VOCAB[g]) for g, lag in given]
    levels = []
    for k in range(0 if given else 1, order + 1):
        previous = [lagged(fields[name], j, VOCAB[name]) for j in range(1, k + 1)]
        size = len(now[0]) if now else len(previous[0])
        levels.append(hash_columns([np.full(size, k + 10 * len(given)), *now, *previous]))
    return levels


class FieldNGram:
    """Interpolated n-gram over one attribute, backing off to an add-one unigram."""

    def __init__(self, fields: Fields, name: str, given: Given = (), order: int = MAX_ORDER) -> None:
        tokens = np.concatenate(fields[name])
        self.name, self.given = name, given
        self.unigram = (np.bincount(tokens, minlength=VOCAB[name]) + 1.0) / (len(tokens) + VOCAB[name])
        self.counts = [count_keys(level, tokens) for level in _levels(fields, name, given, order)]

    def bits(self, fields: Fields, order: int, smoothing: str) -> np.ndarray:
        """Bits of every token of ``fields[name]`` after up to ``order`` previous tokens (and the given ones)."""
        tokens = np.concatenate(fields[self.name])
        levels = _levels(fields, self.name, self.given, order)
        prob = interpolate(self.unigram[tokens], tokens, self.counts[:len(levels)], levels, smoothing)
        return -np.log2(prob)


def best_factored(train: Fields, test: Fields, transposed: Fields | None = None) -> dict:
    """Per attribute, bits per note of every variant: order 0..3 × smoothing × what of the same note it is given
    (× for pitch, train as is or in all transpositions). The best of each counts; the baseline is their sum."""
    per_attribute, variants = {}, {}
    for name in ATTRIBUTES:
        fits = {"plain": train} | ({"transposed": transposed} if transposed and name == "pitch" else {})
        scores = {}
        for given in GIVEN[name]:
            for fit_name, data in fits.items():
                if given and fit_name == "transposed":
                    continue
                model = FieldNGram(data, name, given)
                for smoothing in SMOOTHINGS:
                    for order in range(MAX_ORDER + 1):
                        named = "+".join(f"{g}{'' if lag == 0 else '-1'}" for g, lag in given) or "none"
                        label = f"order{order}/{smoothing}/{fit_name}/given:{named}"
                        scores[label] = float(model.bits(test, order, smoothing).mean())
        best = min(scores, key=lambda key: scores[key])
        per_attribute[name] = round(scores[best], 4)
        variants[name] = best
    return {"bits": round(sum(per_attribute.values()), 4), "per_attribute": per_attribute, "best": variants}
