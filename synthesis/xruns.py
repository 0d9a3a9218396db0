"""JACK's xrun count, which pyo does not expose: a small JACK client of our own with an xrun callback.

JACK reports every xrun of the server, whichever client caused it, which is what a performer needs to know.
Only the engine process on the JACK backend opens one; other backends report -1 (unknown)."""

from __future__ import annotations

import logging

log = logging.getLogger(__name__)


class XrunCounter:
    """Counts xruns from the moment it opens. JACK calls the callback from its notification thread."""

    def __init__(self, name: str) -> None:
        import jack  # needs libjack; imported only on the JACK backend

        self.count = 0
        self.client = jack.Client(name, no_start_server=True)
        self.client.set_xrun_callback(self._on_xrun)
        self.client.activate()

    def _on_xrun(self, delayed_usecs: float) -> None:
        self.count += 1

    def close(self) -> None:
        self.client.deactivate()
        self.client.close()


def open_counter(name: str) -> XrunCounter | None:
    """An xrun counter, or None (logged once) if JACK will not take another client."""
    try:
        return XrunCounter(name)
    except Exception as err:  # jack.JackError, or OSError when libjack is missing
        log.warning("engine: cannot count JACK xruns (%s); health reports -1", err)
        return None
