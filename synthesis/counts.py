"""What the engine counts for its health reports, shared by the parts that do the counting."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class EngineCounts:
    """What the engine reports in its health messages."""

    played: int = 0
    dropped: int = 0
    clamped: int = 0
    gaps: int = 0
    thru: int = 0
    midi_out: int = 0  # messages sent on the rig's MIDI out
    echoes: int = 0  # messages heard back from the MIDI out on a thru input, and dropped

    def summary(self) -> str:
        """One line for the log."""
        return (f"played {self.played} notes, {self.thru} thru keys, {self.midi_out} MIDI out messages, "
                f"{self.echoes} echoes dropped, {self.dropped} dropped, {self.clamped} clamped")
