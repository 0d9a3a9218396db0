"""The baseline the model must beat: n-gram models over whole-note tokens (delta, duration, pitch, velocity),
orders 1 to 4 (that many previous notes), with interpolated smoothing down to a product of per-field unigrams.

Counts are kept as sorted 64-bit hashes of (context, note), so a fit over millions of notes stays in numpy."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from performer.generate.model import tokens as tk

N_DELTA, N_DUR = len(tk.DELTA_GRID), len(tk.DUR_GRID)
VOCAB = N_DELTA * N_DUR * tk.N_PITCH * tk.N_VEL
BOS = VOCAB  # stands in for the notes before a part begins
_MIX = np.uint64(0x9E3779B97F4A7C15)


def note_ids(delta: np.ndarray, dur: np.ndarray, pitch_tok: np.ndarray, vel: np.ndarray) -> np.ndarray:
    """Whole-note token ids."""
    return ((delta.astype(np.int64) * N_DUR + dur) * tk.N_PITCH + pitch_tok) * tk.N_VEL + vel


def split_ids(ids: np.ndarray) -> tuple[np.ndarray, ...]:
    vel = ids % tk.N_VEL
    rest = ids // tk.N_VEL
    return rest // (tk.N_PITCH * N_DUR), (rest // tk.N_PITCH) % N_DUR, rest % tk.N_PITCH, vel


def hash_columns(columns: list[np.ndarray]) -> np.ndarray:
    """Order-sensitive 64-bit hash of aligned integer columns."""
    h = np.full(len(columns[0]), 0x84222325, dtype=np.uint64)
    with np.errstate(over="ignore"):
        for column in columns:
            h = (h ^ column.astype(np.uint64)) * _MIX
            h ^= h >> np.uint64(29)
    return h


def lagged(sequences: list[np.ndarray], lag: int, bos: int = BOS) -> np.ndarray:
    """Each sequence's tokens ``lag`` places back (``bos`` before it begins), concatenated."""
    return np.concatenate([np.concatenate([np.full(lag, bos, dtype=np.int64), s])[:len(s)] for s in sequences])


def contexts(sequences: list[np.ndarray], order: int, bos: int = BOS) -> tuple[np.ndarray, np.ndarray]:
    """(context hash, note id) for every note of every sequence: the ``order`` tokens before it, ``bos`` before
    the sequence begins."""
    return hash_columns([lagged(sequences, k, bos) for k in range(1, order + 1)]), np.concatenate(sequences)


@dataclass
class _Counts:
    joint: np.ndarray  # sorted unique hashes of (context, note)
    joint_n: np.ndarray
    ctx: np.ndarray  # sorted unique context hashes
    ctx_n: np.ndarray  # notes seen after the context
    ctx_types: np.ndarray  # distinct notes seen after it


def _lookup(keys: np.ndarray, values: np.ndarray, query: np.ndarray) -> np.ndarray:
    i = np.minimum(np.searchsorted(keys, query), len(keys) - 1)
    return np.where(keys[i] == query, values[i], 0).astype(np.float64)


def count(sequences: list[np.ndarray], k: int, bos: int = BOS) -> _Counts:
    """Counts of every (k previous tokens, token) in the sequences."""
    return count_keys(*contexts(sequences, k, bos))


def count_keys(ctx: np.ndarray, notes: np.ndarray) -> _Counts:
    """Counts of every (context hash, token) pair."""
    joint = hash_columns([ctx, notes])
    joint_u, first, joint_n = np.unique(joint, return_index=True, return_counts=True)
    ctx_u, ctx_n = np.unique(ctx, return_counts=True)
    types_u, types_n = np.unique(ctx[first], return_counts=True)
    return _Counts(joint_u, joint_n, ctx_u, ctx_n, _lookup(types_u, types_n, ctx_u))


def interpolate(prob: np.ndarray, notes: np.ndarray, counts: list[_Counts], contexts: list[np.ndarray],
                smoothing: str) -> np.ndarray:
    """Each order's counts mixed over the lower orders' probability ``prob``, lowest order first (Witten-Bell or
    interpolated absolute discounting); a context never seen keeps the lower order's estimate."""
    for table, ctx in zip(counts, contexts):
        c_joint = _lookup(table.joint, table.joint_n, hash_columns([ctx, notes]))
        c_ctx = _lookup(table.ctx, table.ctx_n, ctx)
        types = _lookup(table.ctx, table.ctx_types, ctx)
        if smoothing == "witten-bell":
            mixed = (c_joint + types * prob) / np.maximum(c_ctx + types, 1)
        else:
            d = 0.75
            mixed = (np.maximum(c_joint - d, 0) + d * types * prob) / np.maximum(c_ctx, 1)
        prob = np.where(c_ctx > 0, mixed, prob)
    return prob


class NGram:
    """Interpolated n-gram of one order, fitted on sequences of note ids."""

    def __init__(self, sequences: list[np.ndarray], order: int) -> None:
        self.order = order
        all_notes = np.concatenate(sequences)
        fields = split_ids(all_notes)
        sizes = (N_DELTA, N_DUR, tk.N_PITCH, tk.N_VEL)
        self.unigrams = [(np.bincount(f, minlength=n) + 1.0) / (len(f) + n) for f, n in zip(fields, sizes)]
        self.counts = [count(sequences, k) for k in range(1, order + 1)]


    def bits(self, sequences: list[np.ndarray], order: int, smoothing: str = "witten-bell") -> float:
        """Mean bits per note over the sequences, using contexts up to ``order`` notes back."""
        notes = np.concatenate(sequences)
        keys = [contexts(sequences, k)[0] for k in range(1, order + 1)]
        return float(-np.log2(self._probs(notes, keys, smoothing)).mean())

    def next_probs(self, context: np.ndarray, candidates: np.ndarray, smoothing: str) -> np.ndarray:
        """P(candidate | the last notes of ``context``), at this model's full order, for every candidate."""
        padded = np.concatenate([np.full(self.order, BOS, dtype=np.int64), context])
        keys = []
        for k in range(1, self.order + 1):
            key = hash_columns([np.array([padded[len(padded) - 1 - j]]) for j in range(k)])
            keys.append(np.repeat(key, len(candidates)))
        return self._probs(candidates, keys, smoothing)

    def _probs(self, notes: np.ndarray, keys: list[np.ndarray], smoothing: str) -> np.ndarray:
        """Interpolated probability of each note after its context hashes (one array per order, lowest first)."""
        prob = np.ones(len(notes))
        for f, table in zip(split_ids(notes), self.unigrams):
            prob *= table[f]
        return interpolate(prob, notes, self.counts, keys, smoothing)


def best_baseline(train: list[np.ndarray], test: list[np.ndarray], transposed: list[np.ndarray]) -> dict:
    """Bits per note of every order 1..4 × smoothing × (train as is, train in all transpositions).
    The best of them is the baseline."""
    results: dict[str, float] = {}
    for data_name, data in (("plain", train), ("transposed", transposed)):
        model = NGram(data, 4)
        for smoothing in ("witten-bell", "absolute-discount"):
            for order in range(1, 5):
                results[f"order{order}/{smoothing}/{data_name}"] = model.bits(test, order, smoothing)
    best = min(results, key=lambda name: results[name])
    return {"best": best, "bits": results[best], "all": {k: round(v, 4) for k, v in results.items()}}
