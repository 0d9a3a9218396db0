"""Feedback suppression, pure: a message the rig sent out on its MIDI out and then hears again on an input (a
synth's MIDI thru merged into the controller, a keyboard echoing what it receives, a loop in the patchbay) is
recognised and dropped, so the model's own notes are not taken for the player's and nothing loops.

Each message sent (or expected to be sent) is remembered for ``window`` seconds; an incoming message equal to
one of them within that window cancels it. A note-on of velocity 0 counts as the note-off it means."""

from __future__ import annotations

from typing import Sequence

SWEEP_EVERY = 512  # sends between sweeps of expired entries
KEEP = 1000  # windows an entry is kept after the latest send, heard back or not: longer than any note lasts


def _key(data: Sequence[int]) -> tuple[int, ...]:
    """The message's identity for matching: note-offs in one form, whatever their velocity byte."""
    status = data[0] & 0xF0 if data else 0
    if status == 0x80 or (status == 0x90 and len(data) > 2 and data[2] == 0):
        return (0x80 | (data[0] & 0x0F), data[1])
    return tuple(data)


class EchoFilter:
    """Recently sent messages, each cancelled by the first equal message heard within ``window`` of it."""

    def __init__(self, window: float) -> None:
        self.window = window
        self.sent_at: dict[tuple[int, ...], list[float]] = {}
        self.echoes = 0  # messages recognised as echoes and dropped
        self._now = float("-inf")  # the latest time a message was heard
        self._latest = float("-inf")  # the latest time a message was sent (or is expected)
        self._since_sweep = 0

    def sent(self, data: Sequence[int], t: float) -> None:
        """Remember that ``data`` goes out at time ``t`` (now, or a scheduled time)."""
        if self.window <= 0:
            return
        self.sent_at.setdefault(_key(data), []).append(t)
        self._latest = max(self._latest, t)
        self._since_sweep += 1
        if self._since_sweep >= SWEEP_EVERY:
            self._sweep()

    def is_echo(self, data: Sequence[int], t: float) -> bool:
        """Whether ``data``, heard at ``t``, is the echo of a message sent within the window (and forget that one)."""
        self._now = max(self._now, t)
        key = _key(data) if data else ()
        times = self.sent_at.get(key)
        if not times:
            return False
        best = min(range(len(times)), key=lambda i: abs(t - times[i]))
        matched = abs(t - times[best]) <= self.window
        if matched:
            del times[best]
            self.echoes += 1
        times[:] = [sent for sent in times if sent >= t - self.window]  # the rest can no longer match
        if not times:
            del self.sent_at[key]
        return matched

    def _sweep(self) -> None:
        self._since_sweep = 0
        horizon = max(self._now - self.window, self._latest - KEEP * self.window)  # nothing heard: still bounded
        for key in list(self.sent_at):
            kept = [t for t in self.sent_at[key] if t >= horizon]
            if kept:
                self.sent_at[key] = kept
            else:
                del self.sent_at[key]
