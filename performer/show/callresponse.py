"""Call and response, pure: the player's phrase (a call) and when an answering voice may play. A call starts
with a key pressed after a silence and ends when every key is up; the answer starts ``gap`` later and lasts as
long as the call, within ``shortest`` and ``longest``, unless the player starts a new call first."""

from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass
class Call:
    """The player's keys as a phrase, in seconds on the conductor's clock."""

    gap: float  # silence after the call before the answer: also what separates two calls
    shortest: float
    longest: float
    held: int = 0
    started: float = math.nan  # when the current (or last) call began
    ended: float = math.nan  # when its last key went up (NaN while a key is held)

    def press(self, t: float) -> None:
        if self.held == 0 and not (t - self.ended < self.gap):  # after a silence: a new call
            self.started = t
        self.held += 1
        self.ended = math.nan

    def lift(self, t: float) -> None:
        self.held = max(0, self.held - 1)
        if self.held == 0:
            self.ended = t

    def answer(self) -> tuple[float, float] | None:
        """When the answer to the last call may sound, [from, to); None while calling or before any call."""
        if self.held or math.isnan(self.ended):
            return None
        length = min(self.longest, max(self.shortest, self.ended - self.started))
        return self.ended + self.gap, self.ended + self.gap + length

    def may_answer(self, start: float) -> bool:
        """Whether an answering voice may play a note starting at ``start``."""
        window = self.answer()
        return window is not None and window[0] <= start < window[1]
