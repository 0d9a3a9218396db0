"""What the engine counts for its health reports, shared by the parts that do the counting."""

from __future__ import annotations

from dataclasses import dataclass

from synthesis.protocol import NO_MARGIN


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
    margin_us: int = NO_MARGIN  # the least time a note arrived before its start frame (negative: late)

    def arrived(self, margin_frames: int, sample_rate: int) -> None:
        """A note arrived ``margin_frames`` before the frame it starts on: the least margin measures delivery."""
        self.margin_us = min(self.margin_us, round(1e6 * margin_frames / sample_rate))

    def summary(self) -> str:
        """One line for the log."""
        margin = f", least margin {self.margin_us / 1000:.1f} ms" if self.margin_us != NO_MARGIN else ""
        return (f"played {self.played} notes, {self.thru} thru keys, {self.midi_out} MIDI out messages, "
                f"{self.echoes} echoes dropped, {self.dropped} dropped, {self.clamped} clamped{margin}")
