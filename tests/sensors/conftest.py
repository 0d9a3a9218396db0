"""Helpers for the sensor tests: hand tracking on video frames that gives the same signals on every run."""

from __future__ import annotations

import queue

import cv2
import numpy as np

from sensors.handpair import HandPair
from sensors.hands import HandTracker


class _Awaited(queue.Queue):
    """The second-hand solver's results, where ``empty()`` waits for the search under way instead of answering at
    once: HandPair asks only while a search is pending (sensors/handpair.py), so each search is taken up on the
    frame it started on, whatever the two threads' timing."""

    def empty(self) -> bool:
        with self.not_empty:
            if not self.not_empty.wait_for(self._qsize, timeout=30.0):
                raise TimeoutError("the second hand's search took over 30 s")
        return False


def track_hands(frames: list[np.ndarray], fps: float) -> list[dict[str, float]]:
    """Each BGR frame's signals from a two-hand HandTracker, the frame at i / fps.

    The camera process runs the search for a second hand on a thread of its own and does not wait for it; a
    search then joins on whichever frame it happens to finish by. Frames read from a file come as fast as the
    tracker takes them, so which frame that is would depend on thread scheduling (a busy machine delays it, and
    fewer frames see both hands). Here every search is waited for, so the signals depend on the frames alone."""
    tracker = HandTracker(max_hands=2)
    assert isinstance(tracker._solver, HandPair)
    tracker._solver._results = _Awaited()
    try:
        return [tracker.update(cv2.cvtColor(frame, cv2.COLOR_BGR2RGB), i / fps) for i, frame in enumerate(frames)]
    finally:
        tracker.close()
