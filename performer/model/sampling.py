"""Choosing one token from logits under a mask, a temperature and a nucleus (top-p), with numpy only."""

from __future__ import annotations

import math

import numpy as np


def choose(logits: np.ndarray, allowed: np.ndarray | None, temperature: float, top_p: float,
           rng: np.random.Generator) -> int:
    """Sample an index whose ``allowed`` entry is True. The caller guarantees at least one is."""
    scaled = logits.astype(np.float64) / temperature
    if allowed is not None:
        scaled = np.where(allowed, scaled, -np.inf)
    scaled -= scaled.max()
    probs = np.exp(scaled)
    probs /= probs.sum()
    if top_p < 1.0:
        order = np.argsort(-probs)
        cumulative = np.cumsum(probs[order])
        keep = order[: int(np.searchsorted(cumulative, top_p)) + 1]
        nucleus = np.zeros_like(probs)
        nucleus[keep] = probs[keep]
        probs = nucleus / nucleus.sum()
    index = int(np.searchsorted(np.cumsum(probs), rng.random() * (1 - 1e-12), side="right"))
    index = min(index, len(probs) - 1)
    if probs[index] == 0.0:  # float edge at the end of the cumulative sum: take the likeliest instead
        index = int(probs.argmax())
    return index


def safe_temperature(value: float) -> float:
    """Temperature kept within 0.05..4; NaN plays at 1."""
    return 1.0 if math.isnan(value) else min(4.0, max(0.05, value))


def safe_top_p(value: float) -> float:
    """top-p kept within 0.05..1; NaN means no nucleus."""
    return 1.0 if math.isnan(value) else min(1.0, max(0.05, value))
