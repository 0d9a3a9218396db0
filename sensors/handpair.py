"""MediaPipe hand solvers (the backend of sensors/hands.py): one hand, or two at about the cost of one.

MediaPipe's own two-hand mode runs its landmark model once per hand, one after the other (16 ms a frame here),
and while it sees fewer hands than allowed it runs the palm detector on every frame (21 ms). ``HandPair`` instead
runs two single-hand solvers side by side on the two cores (MediaPipe releases the GIL): the first on the
picture, the second on the picture with the first hand's box painted out, so that it finds the other hand. While
the second has no hand, its search runs at most every SEARCH_EVERY seconds and is not waited for."""

from __future__ import annotations

import queue
import threading
from typing import Any

import numpy as np

Hand = tuple[np.ndarray, str]  # 21 landmarks (x, y, z; x and y in 0..1 of the picture), MediaPipe's label
SEARCH_EVERY = 0.2  # seconds between looks for a second hand while there is none
MARGIN = 0.3  # a painted-out box is this much larger than the hand's landmarks, on each side
SAME_HAND = 0.08  # palm centres closer than this (picture heights) are one hand seen twice


def _solver(max_hands: int, complexity: int = 0) -> Any:
    """MediaPipe Hands in tracking mode; ``complexity`` is its model_complexity, 0 (lite) or 1 (full models)."""
    import mediapipe as mp  # heavy: only the camera process loads it

    if complexity not in (0, 1):
        raise ValueError(f"model_complexity {complexity!r}: 0 or 1")
    return mp.solutions.hands.Hands(static_image_mode=False, max_num_hands=max_hands, model_complexity=complexity,
                                    min_detection_confidence=0.5, min_tracking_confidence=0.5)


def _hands(result: Any) -> list[Hand]:
    if not getattr(result, "multi_hand_landmarks", None):
        return []
    return [(np.array([(p.x, p.y, p.z) for p in marks.landmark], dtype=np.float64),
             handed.classification[0].label)
            for marks, handed in zip(result.multi_hand_landmarks, result.multi_handedness)]


class OneSolver:
    """MediaPipe Hands as it comes, for one hand (or two, one after the other)."""

    def __init__(self, max_hands: int = 1, complexity: int = 0) -> None:
        self.solver = _solver(max_hands, complexity)

    def process(self, rgb: np.ndarray, now: float) -> list[Hand]:
        return _hands(self.solver.process(rgb))

    def close(self) -> None:
        self.solver.close()


def painted_out(rgb: np.ndarray, points: np.ndarray) -> np.ndarray:
    """A copy of the picture with the box around ``points`` (plus MARGIN) filled with the picture's mean colour."""
    h, w = rgb.shape[:2]
    (x0, y0), (x1, y1) = points[:, :2].min(axis=0), points[:, :2].max(axis=0)
    mx, my = (x1 - x0) * MARGIN, (y1 - y0) * MARGIN
    left, right = max(0, int((x0 - mx) * w)), min(w, int((x1 + mx) * w) + 1)
    top, bottom = max(0, int((y0 - my) * h)), min(h, int((y1 + my) * h) + 1)
    out = rgb.copy()
    if right > left and bottom > top:
        out[top:bottom, left:right] = rgb[::16, ::16].mean(axis=(0, 1)).astype(rgb.dtype)  # a sample is enough
    return out


class HandPair:
    """Two hands: a solver per hand, the second on a worker thread of its own, fed the picture with the first
    hand painted out. ``process`` returns the hands seen in this frame (a found second hand joins from the frame
    its search finishes on)."""

    def __init__(self, complexity: int = 0) -> None:
        self.solvers = [_solver(1, complexity), _solver(1, complexity)]
        self.last: list[list[Hand]] = [[], []]  # what each solver saw last
        self._requests: queue.Queue[tuple[Any, np.ndarray, np.ndarray | None] | None] = queue.Queue()
        self._results: queue.Queue[list[Hand]] = queue.Queue()
        self._pending = False
        self._next_search = 0.0
        self._worker = threading.Thread(target=self._work, name="second-hand", daemon=True)
        self._worker.start()

    def _work(self) -> None:
        while (request := self._requests.get()) is not None:
            solver, rgb, first_hand = request
            self._results.put(_hands(solver.process(rgb if first_hand is None else painted_out(rgb, first_hand))))

    def process(self, rgb: np.ndarray, now: float) -> list[Hand]:
        if not self._pending and not self.last[0] and self.last[1]:
            self.solvers.reverse()  # the first lost its hand and the second has one: it leads from now on
            self.last.reverse()
        tracking = bool(self.last[1])
        if not self._pending and (tracking or now >= self._next_search):
            self._requests.put((self.solvers[1], rgb, self.last[0][0][0] if self.last[0] else None))
            self._pending = True
            self._next_search = now + SEARCH_EVERY
        self.last[0] = _hands(self.solvers[0].process(rgb))
        if self._pending and (tracking or not self._results.empty()):
            self.last[1] = self._results.get()
            self._pending = False
        elif not self._pending:
            self.last[1] = []
        return self._merged()

    def _merged(self) -> list[Hand]:
        """Both solvers' hands, a hand seen by both kept once, and two hands never given the same label."""
        hands = list(self.last[0])
        for points, label in self.last[1]:
            if any(_palm_distance(points, other) < SAME_HAND for other, _ in hands):
                self.last[1], self._next_search = [], 0.0  # it found the first's hand: look again at once
                continue
            if any(label == other for _, other in hands):
                label = "Left" if label == "Right" else "Right"
            hands.append((points, label))
        return hands

    def close(self) -> None:
        self._requests.put(None)
        self._worker.join(5.0)
        for solver in self.solvers:
            solver.close()


def _palm_distance(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.linalg.norm(a[:, :2].mean(axis=0) - b[:, :2].mean(axis=0)))
