"""Sampling settings and masks. The draw itself is kernels.choose: softmax with a temperature, an additive
mask and a top-p nucleus."""

from __future__ import annotations

import math

import numpy as np


def additive_mask(allowed: np.ndarray, size: int) -> np.ndarray:
    """A boolean mask as 0 / -inf, ready to add to logits, padded with 0 to ``size`` (padding logits are
    already -1e30 in the runner)."""
    mask = np.zeros(size, dtype=np.float32)
    mask[:len(allowed)] = np.where(allowed, 0.0, -np.inf)
    return mask


def safe_temperature(value: float) -> float:
    """Temperature kept within 0.05..4; NaN plays at 1."""
    return 1.0 if math.isnan(value) else min(4.0, max(0.05, value))


def safe_top_p(value: float) -> float:
    """top-p kept within 0.05..1; NaN means no nucleus."""
    return 1.0 if math.isnan(value) else min(1.0, max(0.05, value))
