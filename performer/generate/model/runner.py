"""The network's forward pass for one note at a time, on compiled kernels.

Embeddings that feed a linear layer are folded into it once at load time (table @ W.T), so a step costs a few
row lookups and matrix-vector products. tests/generate/test_model.py checks it against the torch module."""

from __future__ import annotations

import numpy as np

from performer.generate.model import kernels
from performer.generate.model.features import N_HEAR, N_STEER
from performer.generate.model.weights import Weights

GRU_INPUTS = ("e_delta", "e_dur", "e_pitch", "e_vel", "e_pos", "e_barlen", "e_voice")
HEAD_CONDITIONS = {  # the embeddings each head sees after [h, steering], in order
    "h_delta": (), "h_pitch": ("e_delta", "e_pos"), "h_dur": ("e_delta", "e_pos", "e_pitch"),
    "h_vel": ("e_pos", "e_pitch", "e_dur"),
}
HEADS = tuple(HEAD_CONDITIONS)
MAX_CONDITIONS = 3
PAD_LOGIT = -1e30  # bias of the padding rows that make every head's output the same size


def _fold(w: Weights, names: tuple[str, ...], weight: np.ndarray, offset: int) -> list[np.ndarray]:
    """Each embedding table multiplied through its columns of ``weight``: (vocab, out) per name."""
    tables = []
    for name in names:
        table = w[f"{name}.weight"]
        tables.append(table @ weight[:, offset:offset + table.shape[1]].T)
        offset += table.shape[1]
    return tables


def _pack(tables: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """Stack tables row-wise; return the stack and where each starts."""
    starts = np.cumsum([0] + [len(t) for t in tables[:-1]]).astype(np.int64)
    return np.ascontiguousarray(np.concatenate(tables), dtype=np.float32), starts


class Runner:
    """Forward pieces over loaded weights, as contiguous float32 arrays; the generator owns the state."""

    def __init__(self, w: Weights) -> None:
        f32 = np.float32
        self.hidden, self.layers, self.voices, self.hear = w.hidden, w.layers, w.voices, w.hear
        self.gru_table, self.gru_offsets = _pack(_fold(w, GRU_INPUTS, w["gru.weight_ih_l0"], 0))
        self.w_hh = np.stack([w[f"gru.weight_hh_l{i}"] for i in range(self.layers)]).astype(f32)
        self.b_hh = np.stack([w[f"gru.bias_hh_l{i}"] for i in range(self.layers)]).astype(f32)
        self.b_ih = np.stack([w[f"gru.bias_ih_l{i}"] for i in range(self.layers)]).astype(f32)
        upper = [w[f"gru.weight_ih_l{i}"] for i in range(1, self.layers)] or [np.zeros((1, 1), f32)]
        self.w_ih = np.ascontiguousarray(np.stack(upper), dtype=f32)
        ctx = self.hidden + N_STEER + self.hear
        self.ctx_w = np.ascontiguousarray(np.concatenate([w[f"{h}.0.weight"][:, :ctx] for h in HEADS]), dtype=f32)
        self.ctx_b = np.concatenate([w[f"{h}.0.bias"] for h in HEADS]).astype(f32)
        self._pack_heads(w, ctx)

    def _pack_heads(self, w: Weights, ctx: int) -> None:
        tables, self.head_offsets = [], np.full((len(HEADS), MAX_CONDITIONS), -1, dtype=np.int64)
        start = 0
        for i, head in enumerate(HEADS):
            for k, table in enumerate(_fold(w, HEAD_CONDITIONS[head], w[f"{head}.0.weight"], ctx)):
                tables.append(table)
                self.head_offsets[i, k] = start
                start += len(table)
        self.head_table = np.ascontiguousarray(np.concatenate(tables), dtype=np.float32)
        self.head_sizes = [w[f"{h}.2.bias"].shape[0] for h in HEADS]
        size, width = max(self.head_sizes), w["h_delta.2.weight"].shape[1]
        self.out_w = np.zeros((len(HEADS), size, width), dtype=np.float32)
        self.out_b = np.full((len(HEADS), size), PAD_LOGIT, dtype=np.float32)
        for i, head in enumerate(HEADS):
            self.out_w[i, :self.head_sizes[i]] = w[f"{head}.2.weight"]
            self.out_b[i, :self.head_sizes[i]] = w[f"{head}.2.bias"]

    def initial_state(self) -> np.ndarray:
        return np.zeros((self.layers, self.hidden), dtype=np.float32)

    def step(self, h: np.ndarray, tokens: np.ndarray) -> np.ndarray:
        """Advance the GRU by one note. ``tokens`` (int64) index GRU_INPUTS in order."""
        return kernels.gru_step(h, tokens, self.gru_table, self.gru_offsets, self.w_ih, self.b_ih, self.w_hh,
                                self.b_hh)

    def context(self, h: np.ndarray, steer: np.ndarray, hear: np.ndarray) -> np.ndarray:
        """First-layer pre-activations of all four heads from [top GRU state, steering, ensemble], stacked
        (weights from before the ensemble input read only the first two)."""
        out = np.empty(len(self.ctx_b), dtype=np.float32)
        kernels.matvec_add(self.ctx_w, np.concatenate((h[-1], steer, hear[:self.hear])), self.ctx_b, out)
        return out

    def head(self, ctx: np.ndarray, index: int, conditions: np.ndarray) -> np.ndarray:
        """Logits of head ``index`` (padded to the widest head), given its conditioning tokens (int64[3])."""
        return kernels.head_logits(ctx, index, conditions, self.head_table, self.head_offsets, self.out_w,
                                   self.out_b)

    def warm_up(self) -> None:
        """Compile (or load the cached compilation of) every kernel now, not at the first note."""
        h = self.step(self.initial_state(), np.zeros(len(GRU_INPUTS), dtype=np.int64))
        context = self.context(h, np.zeros(N_STEER, dtype=np.float32), np.zeros(N_HEAR, dtype=np.float32))
        logits = self.head(context, 0, np.zeros(3, dtype=np.int64))
        kernels.choose(logits, np.zeros(len(logits), dtype=np.float32), 1.0, 0.9, 0.5)
