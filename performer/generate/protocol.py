"""The interface every note generator offers the conductor: the trained model (performer/generate/model/) and the
rule-based walk (performer/generate/rulewalk.py), its fallback."""

from __future__ import annotations

from typing import Any, Protocol

from performer.music.notes import NoteEvent
from performer.music.steering import Constraints, Steering


class Generator(Protocol):
    """A streaming note source for one voice. It does no I/O and never blocks."""

    def feed(self, note: NoteEvent) -> None:
        """Tell the generator about a note someone else played, so it continues from there."""
        ...

    def sample(self, steering: Steering, constraints: Constraints) -> NoteEvent:
        """The next note, honouring every constraint: ``complete`` at the delta ``plan`` gives."""
        ...

    def plan(self, steering: Steering, constraints: Constraints) -> float:
        """The next note's onset, as a delta in beats from the last note, without committing to it. Called again
        (steering moved), it answers from the same random draw, so the onset moves only as far as the steering."""
        ...

    def complete(self, steering: Steering, constraints: Constraints, delta: float) -> NoteEvent:
        """The planned note, starting ``delta`` beats after the last one, its pitch, duration and velocity chosen
        now under ``steering``; the generator moves past it."""
        ...

    def cut_after(self, beats: float) -> None:
        """The voice's sounding notes were cut ``beats`` after its last note's onset (it turned dense): its next
        onset may come from then, not only once they would have ended."""
        ...

    def reset(self) -> None:
        """Forget all history."""
        ...

    def snapshot(self) -> Any:
        """Everything the continuation depends on, to ``restore`` (a second try at the same note)."""
        ...

    def restore(self, snapshot: Any) -> None:
        """Continue exactly as from ``snapshot``."""
        ...
