"""Warnings that junk cannot multiply: at most one line per kind of trouble per period, saying how many were
left unsaid, over a bounded set of kinds; and what a line quotes from the outside is cut short and escaped."""

from __future__ import annotations

import logging
import time
from typing import Callable

from sensors.tally import OTHER

PERIOD = 10.0  # seconds between two lines of one kind
MAX_KINDS = 32  # kinds remembered; any further kind shares one budget
EXCERPT = 80  # characters of outside text a line may quote


def excerpt(value: object, limit: int = EXCERPT) -> str:
    """``value`` as one escaped line (no newline, no control character) of at most ``limit`` characters and an
    ellipsis: text from outside never fills a log."""
    text = value[:limit + 1].decode("latin-1") if isinstance(value, (bytes, bytearray)) else str(value)[:limit + 1]
    text = text.encode("ascii", "backslashreplace").decode("ascii")
    text = "".join(c if " " <= c <= "~" else f"\\x{ord(c):02x}" for c in text)
    return text if len(text) <= limit else text[:limit] + "..."


class RateLimitedLog:
    """Logs through ``logger``, at most one line per ``kind`` every ``period`` seconds; the next line of a kind
    says how many of it were suppressed since. Safe to share between threads (a lost count costs nothing)."""

    def __init__(self, logger: logging.Logger, period: float = PERIOD, max_kinds: int = MAX_KINDS,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.logger, self.period, self.max_kinds, self.clock = logger, period, max_kinds, clock
        self._kinds: dict[str, tuple[float, int]] = {}  # kind -> (when it last logged, suppressed since)
        self.suppressed = 0  # lines not logged, in all

    def warning(self, kind: str, message: str, *args: object) -> bool:
        """Log ``message % args`` unless ``kind`` logged within the period; say whether it was logged."""
        return self.log(logging.WARNING, kind, message, *args, stacklevel=3)

    def log(self, level: int, kind: str, message: str, *args: object, exc_info: bool = False,
            stacklevel: int = 2) -> bool:
        """Log at ``level`` (with the exception being handled, if ``exc_info``), unless ``kind`` logged within the
        period; say whether it was logged."""
        now = self.clock()
        if kind not in self._kinds and len(self._kinds) >= self.max_kinds:
            kind = OTHER
        last, suppressed = self._kinds.get(kind, (-1e300, 0))
        if now - last < self.period:
            self._kinds[kind] = (last, suppressed + 1)
            self.suppressed += 1
            return False
        self._kinds[kind] = (now, 0)
        if suppressed:
            message += f" (and {suppressed} more like it in the last {now - last:.0f} s)"
        self.logger.log(level, message, *args, exc_info=exc_info, stacklevel=stacklevel)
        return True
