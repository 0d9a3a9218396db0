"""Voice allocation, as pure logic: a free voice if there is one, else the oldest is stolen."""

from __future__ import annotations


class VoicePool:
    """Tracks, per voice, when its current note started and when it falls silent (in frames)."""

    def __init__(self, size: int) -> None:
        self.started = [-1] * size
        self.silent_at = [0] * size

    def allocate(self, start: int, silent_at: int) -> tuple[int, bool]:
        """Choose a voice for a note from ``start`` to ``silent_at``; return (index, stolen)."""
        free = [i for i, end in enumerate(self.silent_at) if end <= start]
        if free:
            index, stolen = min(free, key=lambda i: self.silent_at[i]), False
        else:
            index, stolen = min(range(len(self.started)), key=lambda i: self.started[i]), True
        self.started[index], self.silent_at[index] = start, silent_at
        return index, stolen

    def active(self, frame: int) -> int:
        """How many voices are sounding at ``frame``."""
        return sum(1 for s, e in zip(self.started, self.silent_at) if s <= frame < e)

    def clear(self) -> None:
        """Mark every voice silent (after a panic)."""
        self.silent_at = [0] * len(self.silent_at)
