"""Compiled inner loops of the live generator (numba): one GRU step, one head, one choice.

numpy spends ~3 µs of interpreter overhead per call on this class of machine, and an event needs ~60 calls, so
the per-event work is compiled instead. Matrix-vector products are plain loops; with reassociation allowed LLVM
vectorizes them, and no BLAS (or its threads) is involved. Compiled code is cached next to this file."""

from __future__ import annotations

import math

import numpy as np
from numba import njit

FAST = {"reassoc", "contract", "nsz", "arcp"}  # not nnan/ninf: masks are -inf on purpose


@njit(cache=True, fastmath=FAST)
def matvec_add(w: np.ndarray, x: np.ndarray, bias: np.ndarray, out: np.ndarray) -> None:
    """out = w @ x + bias, for a row-major w."""
    rows, cols = w.shape
    for i in range(rows):
        acc = np.float32(0.0)
        for j in range(cols):
            acc += w[i, j] * x[j]
        out[i] = acc + bias[i]


@njit(cache=True, fastmath=FAST)
def gru_step(h, tokens, table, offsets, w_ih, b_ih, w_hh, b_hh):
    """torch.nn.GRU for one time step. Layer 0's input projection is the sum of folded embedding rows."""
    layers, hidden = h.shape
    out = np.empty_like(h)
    x = b_ih[0].copy()
    for k in range(tokens.shape[0]):
        x += table[offsets[k] + tokens[k]]
    hp = np.empty(3 * hidden, dtype=np.float32)
    for layer in range(layers):
        if layer > 0:
            matvec_add(w_ih[layer - 1], out[layer - 1], b_ih[layer], x)
        matvec_add(w_hh[layer], h[layer], b_hh[layer], hp)
        for i in range(hidden):
            r = 1.0 / (1.0 + math.exp(-(x[i] + hp[i])))
            z = 1.0 / (1.0 + math.exp(-(x[hidden + i] + hp[hidden + i])))
            c = math.tanh(x[2 * hidden + i] + r * hp[2 * hidden + i])
            out[layer, i] = c + z * (h[layer, i] - c)
    return out


@njit(cache=True, fastmath=FAST)
def head_logits(ctx, index, conds, table, offsets, out_w, out_b):
    """Logits of head ``index``: ReLU(its context slice + its conditioning rows), then its output layer.
    offsets[index, k] < 0 marks an unused condition slot."""
    size = out_w.shape[2]
    pre = ctx[index * size:(index + 1) * size].copy()
    for k in range(offsets.shape[1]):
        if offsets[index, k] >= 0:
            pre += table[offsets[index, k] + conds[k]]
    for i in range(size):
        if pre[i] < 0.0:
            pre[i] = 0.0
    logits = np.empty(out_w.shape[1], dtype=np.float32)
    matvec_add(out_w[index], pre, out_b[index], logits)
    return logits


@njit(cache=True)
def choose(logits, mask, temperature, top_p, u):
    """Index drawn from softmax(logits / temperature + mask), within the top-p nucleus; ``u`` is uniform 0..1."""
    n = logits.shape[0]
    scaled = np.empty(n)
    top = -np.inf
    for i in range(n):
        scaled[i] = logits[i] / temperature + mask[i]
        top = max(top, scaled[i])
    probs = np.empty(n)
    total = 0.0
    for i in range(n):
        probs[i] = math.exp(scaled[i] - top) if scaled[i] > -np.inf else 0.0
        total += probs[i]
    order = np.argsort(-probs, kind="mergesort") if top_p < 1.0 else np.arange(n)
    keep, acc = n, 0.0
    if top_p < 1.0:
        for k in range(n):
            acc += probs[order[k]]
            if acc >= top_p * total:
                keep = k + 1
                break
        total = acc
    target, acc = u * total, 0.0
    last = order[0]
    for k in range(keep):
        p = probs[order[k]]
        if p > 0.0:
            last = order[k]
            acc += p
            if acc > target:
                return last
    return last
