"""What one voice hears of the ensemble when it chooses a note: the harmony of the moment, what the other voices
(and the player) sound, the key, and the style the scene asks for. The model takes it as an input (see
generate/model/features.py); the generators lean toward the chord with it."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Hearing:
    """The ensemble around a voice's next note. ``sounding`` holds the MIDI pitches the other voices and the player
    sound at the note's onset, ``chord`` the harmony plan's pitch classes (``root`` first), ``tonic`` the key's
    pitch class, and ``style`` weights over performer.music.styles.STYLES (empty: no style asked for)."""

    chord: frozenset[int] = frozenset()
    root: int | None = None
    sounding: tuple[int, ...] = ()
    tonic: int | None = None
    minor: bool = False
    style: tuple[float, ...] = ()
    strong: bool = False  # the note lands on a chord change or a downbeat: it leans harder toward the chord
    onsets: tuple[float, ...] = ()  # beats from the voice's last note to notes the others have placed after it
    lock: bool = False  # the voice is the ensemble's lowest: its onsets lock onto the others' (homorhythm)

    def bass(self) -> int | None:
        """The pitch class under the note: the lowest other voice sounding, else the chord's root."""
        return min(self.sounding) % 12 if self.sounding else self.root

    def classes(self) -> frozenset[int]:
        """The pitch classes around the note: the chord and what the others sound."""
        return self.chord | frozenset(p % 12 for p in self.sounding)
