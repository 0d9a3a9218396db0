"""Counts of what an input refused, kept per key but bounded: whatever arrives (a flood of new addresses, spoofed
senders), a tally holds at most ``max_keys`` keys, and every later new key is counted under ``OTHER``."""

from __future__ import annotations

from collections import Counter

OTHER = "(other)"  # the key that counts every new key beyond the cap


class Tally(Counter[str]):
    """A Counter of at most ``max_keys`` keys plus ``OTHER``; read it as any Counter."""

    def __init__(self, max_keys: int = 64) -> None:
        super().__init__()
        self.max_keys = max_keys

    def add(self, key: str, count: int = 1) -> str:
        """Count ``key`` (or ``OTHER`` once the tally is full) and say which key was counted."""
        if key not in self and len(self) >= self.max_keys:
            key = OTHER
        self[key] += count
        return key
