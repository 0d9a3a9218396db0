"""Which notes each conductor voice still holds, as pure logic: so a cut can release them (a voice that turns
dense stops the long note it chose under the sparse setting)."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class HeldNotes:
    """Per voice name, its notes as (instrument, pool index, start frame, end-of-hold frame)."""

    held: dict[str, list[tuple[str, int, int, int]]] = field(default_factory=dict)

    def add(self, voice: str, instrument: str, index: int, start: int, hold_end: int, now: int) -> None:
        """A note started; the voice's notes whose hold has ended are forgotten."""
        notes = [n for n in self.held.get(voice, []) if n[3] > now]
        self.held[voice] = notes + [(instrument, index, start, hold_end)]

    def cut(self, voice: str, now: int) -> list[tuple[str, int, int]]:
        """The voice's notes still held at ``now``, to release: (instrument, pool index, start frame)."""
        return [(name, index, start) for name, index, start, end in self.held.pop(voice, []) if end > now]

    def clear(self) -> None:
        """After a panic: nothing is held."""
        self.held.clear()
