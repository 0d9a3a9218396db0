"""The network's forward pass for one note at a time, in numpy.

Embeddings that feed a linear layer are folded into it once at load time (table @ W.T), so a step costs a few
row lookups and matrix-vector products. tests/test_model.py checks it against the torch module."""

from __future__ import annotations

import numpy as np

from performer.model.features import N_STEER
from performer.model.weights import Weights

GRU_INPUTS = ("e_delta", "e_dur", "e_pitch", "e_vel", "e_pos", "e_barlen", "e_voice")
HEAD_CONDITIONS = {  # the embeddings each head sees after [h, steering], in order
    "h_delta": (), "h_pitch": ("e_delta", "e_pos"), "h_dur": ("e_delta", "e_pos", "e_pitch"),
    "h_vel": ("e_pos", "e_pitch", "e_dur"),
}


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


class Runner:
    """Stateless forward pieces over loaded weights; the generator owns the state."""

    def __init__(self, w: Weights) -> None:
        self.hidden, self.layers = w.hidden, w.layers
        self.gru_tables = self._fold(w, GRU_INPUTS, w["gru.weight_ih_l0"], 0)
        self.w_hh = [w[f"gru.weight_hh_l{i}"] for i in range(self.layers)]
        self.b_hh = [w[f"gru.bias_hh_l{i}"] for i in range(self.layers)]
        self.w_ih = [None] + [w[f"gru.weight_ih_l{i}"] for i in range(1, self.layers)]
        self.b_ih = [w[f"gru.bias_ih_l{i}"] for i in range(self.layers)]
        ctx = self.hidden + N_STEER
        self.ctx_weight = np.concatenate([w[f"{h}.0.weight"][:, :ctx] for h in HEAD_CONDITIONS])
        self.ctx_bias = np.concatenate([w[f"{h}.0.bias"] for h in HEAD_CONDITIONS])
        self.head_size = w["h_delta.0.weight"].shape[0]
        self.head_tables = {h: self._fold(w, names, w[f"{h}.0.weight"], ctx) for h, names in HEAD_CONDITIONS.items()}
        self.out = {h: (w[f"{h}.2.weight"], w[f"{h}.2.bias"]) for h in HEAD_CONDITIONS}

    @staticmethod
    def _fold(w: Weights, names: tuple[str, ...], weight: np.ndarray, offset: int) -> dict[str, np.ndarray]:
        """Each embedding table multiplied through its columns of ``weight``: (vocab, out) per name."""
        tables = {}
        for name in names:
            table = w[f"{name}.weight"]
            tables[name] = np.ascontiguousarray(table @ weight[:, offset:offset + table.shape[1]].T)
            offset += table.shape[1]
        return tables

    def initial_state(self) -> np.ndarray:
        return np.zeros((self.layers, self.hidden), dtype=np.float32)

    def step(self, h: np.ndarray, tokens: tuple[int, ...]) -> np.ndarray:
        """Advance the GRU by one note. ``tokens`` index GRU_INPUTS in order."""
        x_proj = self.b_ih[0].copy()
        for name, token in zip(GRU_INPUTS, tokens):
            x_proj += self.gru_tables[name][token]
        new = np.empty_like(h)
        for layer in range(self.layers):
            if layer:
                x_proj = self.w_ih[layer] @ new[layer - 1] + self.b_ih[layer]
            new[layer] = self._cell(x_proj, h[layer], layer)
        return new

    def _cell(self, x_proj: np.ndarray, h: np.ndarray, layer: int) -> np.ndarray:
        n = self.hidden
        h_proj = self.w_hh[layer] @ h + self.b_hh[layer]
        r = _sigmoid(x_proj[:n] + h_proj[:n])
        z = _sigmoid(x_proj[n:2 * n] + h_proj[n:2 * n])
        cand = np.tanh(x_proj[2 * n:] + r * h_proj[2 * n:])
        return (1.0 - z) * cand + z * h

    def context(self, h: np.ndarray, steer: np.ndarray) -> np.ndarray:
        """First-layer pre-activations of all four heads from [top GRU state, steering], stacked."""
        return self.ctx_weight @ np.concatenate([h[-1], steer]) + self.ctx_bias

    def head(self, ctx: np.ndarray, index: int, name: str, conditions: tuple[int, ...]) -> np.ndarray:
        """Logits of one head, given its slice of the context and its conditioning tokens."""
        size = self.head_size
        pre = ctx[index * size:(index + 1) * size].copy()
        for cond, token in zip(HEAD_CONDITIONS[name], conditions):
            pre += self.head_tables[name][cond][token]
        weight, bias = self.out[name]
        return weight @ np.maximum(pre, 0.0) + bias
