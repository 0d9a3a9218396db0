"""The factored n-gram baseline: each attribute of a note (delta, duration, pitch, velocity) predicted from the
previous ones of its own kind, orders 0 to 3, smoothed, on the model's own token grids. Its bits per note are the
sum over attributes of each attribute's best variant; it is far less sparse than an n-gram over whole notes."""

from __future__ import annotations

import numpy as np

from performer.generate.model import tokens as tk
from performer.generate.model.ngram import contexts, count, interpolate

ATTRIBUTES = ("delta", "dur", "pitch", "vel")
VOCAB = {"delta": len(tk.DELTA_GRID), "dur": len(tk.DUR_GRID), "pitch": tk.N_PITCH, "vel": tk.N_VEL}
MAX_ORDER = 3
SMOOTHINGS = ("witten-bell", "absolute-discount")


class FieldNGram:
    """Interpolated n-gram over one attribute's token sequences, down to an add-one unigram (order 0)."""

    def __init__(self, sequences: list[np.ndarray], vocab: int, order: int = MAX_ORDER) -> None:
        tokens = np.concatenate(sequences)
        self.vocab = vocab
        self.unigram = (np.bincount(tokens, minlength=vocab) + 1.0) / (len(tokens) + vocab)
        self.counts = [count(sequences, k, bos=vocab) for k in range(1, order + 1)]

    def bits(self, sequences: list[np.ndarray], order: int, smoothing: str) -> np.ndarray:
        """Bits of every token of ``sequences`` after up to ``order`` previous tokens."""
        tokens = np.concatenate(sequences)
        keys = [contexts(sequences, k, bos=self.vocab)[0] for k in range(1, order + 1)]
        prob = interpolate(self.unigram[tokens], tokens, self.counts[:order], keys, smoothing)
        return -np.log2(prob)


def best_factored(train: dict[str, list[np.ndarray]], test: dict[str, list[np.ndarray]],
                  transposed_pitch: list[np.ndarray] | None = None) -> dict:
    """Per attribute, bits per note of every order 0..3 × smoothing (and, for pitch, train in all
    transpositions); the best of each counts, and the baseline is their sum."""
    per_attribute, variants = {}, {}
    for name in ATTRIBUTES:
        fits = {"plain": train[name]}
        if name == "pitch" and transposed_pitch:
            fits["transposed"] = transposed_pitch
        scores = {}
        for fit_name, data in fits.items():
            model = FieldNGram(data, VOCAB[name])
            for smoothing in SMOOTHINGS:
                for order in range(MAX_ORDER + 1):
                    scores[f"order{order}/{smoothing}/{fit_name}"] = float(model.bits(test[name], order,
                                                                                      smoothing).mean())
        best = min(scores, key=lambda key: scores[key])
        per_attribute[name] = round(scores[best], 4)
        variants[name] = best
    return {"bits": round(sum(per_attribute.values()), 4), "per_attribute": per_attribute, "best": variants}
