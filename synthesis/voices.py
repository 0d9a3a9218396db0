"""Voice allocation, as pure logic: the voice already sounding the pitch, else a free voice, else the oldest is
stolen."""

from __future__ import annotations


class VoicePool:
    """Tracks, per voice, its pitch, when its current note started and when it falls silent (in frames)."""

    def __init__(self, size: int) -> None:
        self.started = [-1] * size
        self.silent_at = [0] * size
        self.pitch = [-1] * size
        self.stolen = 0  # notes (or their release tails) cut short because the pool was full

    def allocate(self, start: int, silent_at: int, pitch: int) -> tuple[int, bool]:
        """Choose a voice for a note from ``start`` to ``silent_at``; return (index, busy), busy when the voice
        still sounds and must fade before the attack.

        A pitch that still sounds (held or releasing) is struck again on its own voice, as a played instrument
        does: a second voice would beat against the first's tail in another phase and blur the pitch."""
        again = [i for i, end in enumerate(self.silent_at) if end > start and self.pitch[i] == pitch]
        free = [i for i, end in enumerate(self.silent_at) if end <= start]
        if again:
            index, busy = again[0], True
        elif free:
            index, busy = min(free, key=lambda i: self.silent_at[i]), False
        else:
            index, busy = min(range(len(self.started)), key=lambda i: self.started[i]), True
            self.stolen += 1
        self.started[index], self.silent_at[index], self.pitch[index] = start, silent_at, pitch
        return index, busy

    def active(self, frame: int) -> int:
        """How many voices are sounding at ``frame``."""
        return sum(1 for s, e in zip(self.started, self.silent_at) if s <= frame < e)

    def clear(self) -> None:
        """Mark every voice silent (after a panic)."""
        self.silent_at = [0] * len(self.silent_at)
