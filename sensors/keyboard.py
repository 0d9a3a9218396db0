"""The monitor's keys (I/O): bytes from a file descriptor (the conductor's stdin, which the supervisor feeds
from its terminal), read by a thread of their own and handed on one character at a time."""

from __future__ import annotations

import logging
import os
import threading
from typing import Callable

log = logging.getLogger(__name__)


class KeyReader:
    """Reads ``fd`` until it closes; calls ``on_key`` with each character (from this reader's thread). A key the
    callback fails on is logged and counted (``failed``), and reading goes on."""

    def __init__(self, fd: int, on_key: Callable[[str], None]) -> None:
        self.fd, self.on_key = fd, on_key
        self.failed = 0
        self._thread = threading.Thread(target=self._run, name="keys", daemon=True)

    def start(self) -> "KeyReader":
        self._thread.start()
        return self

    def _run(self) -> None:
        while True:
            try:
                data = os.read(self.fd, 64)
            except OSError:
                return
            if not data:
                return
            for char in data.decode(errors="ignore"):
                self._deliver(char)

    def _deliver(self, char: str) -> None:
        try:
            self.on_key(char)
        except Exception:  # one key must not end the reader
            self.failed += 1
            log.exception("keys: %r could not be handled (%d so far)", char, self.failed)
