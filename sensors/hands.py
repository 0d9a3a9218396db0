"""Hand gestures: MediaPipe's hand landmarks (mediapipe==0.10.21 ``solutions.hands``, whose models ship in the
wheel) turned into control signals per hand, smoothed, with hysteresis on presence.

``hand_features`` is pure (21 landmarks in, numbers out); ``HandTracker`` runs the model on frames and keeps the
per-hand state. Signals are ``hand/left/x`` and so on, each 0..1:

- presence: on after a few frames with the hand, off after a few without;
- x, y: the palm's centre in the picture (y down), mirrored if the rig says so;
- height: the hand's apparent size (wrist to middle knuckle, 1 at 0.4 of the picture's height), which grows as
  the hand comes nearer the camera (higher, with a camera on the floor looking up);
- openness: fingertips' distance from the palm centre, over the palm's size (``palm_size``), 0 for a fist and 1
  for a flat open hand (``openness``);
- pinch: 1 when thumb and index tips touch;
- roll: the wrist-to-middle-knuckle direction, 0.5 upright, 0.25 and 0.75 pointing left and right;
- speed: how fast the palm centre moves, in picture widths per second, over 2."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
from OneEuroFilter import OneEuroFilter

from sensors.handpair import Hand, HandPair, OneSolver

WRIST, THUMB_TIP, INDEX_TIP, INDEX_MCP, MIDDLE_MCP, PINKY_MCP = 0, 4, 8, 5, 9, 17
PALM = (0, 5, 9, 13, 17)
TIPS = (4, 8, 12, 16, 20)
FEATURES = ("x", "y", "height", "openness", "pinch", "roll", "speed")
# An upright palm's breadth (index to little-finger knuckle) over its length (wrist to middle knuckle): median
# 0.66, 0.62-0.74 (5th-95th percentile) in MediaPipe's landmarks of the opencv-doc hand photos, rotated, scaled
# and mirrored; a breadth above 0.75 of the length means the length is foreshortened.
PALM_BREADTH = 0.75
# Fingertips' mean distance from the palm centre, in palm sizes, that reads openness 0 and 1. Flat open hand: the
# opencv-doc photos (160 rotated, scaled and mirrored views, model_complexity 0 and 1) give 0.96-1.19, median
# 0.98-1.08 per photo and complexity; issue 16's three fully spread real hands 1.0-1.14. Fist: the 1572 fists of
# a public set of real MediaPipe hands (Kazuhito00/hand-gesture-recognition-using-mediapipe, keypoint.csv) give
# a median of 0.37; the photos' own fingertips moved onto their knuckles 0.38-0.42. Spreading the fingers moves
# the tips sideways more than outwards, so openness mostly measures the fingers' curl.
OPEN_FIST, OPEN_FLAT = 0.4, 1.0


def clamp01(value: float) -> float:
    return min(1.0, max(0.0, value))


def palm_size(xy: np.ndarray) -> float:
    """The hand's size for its shape ratios, from landmarks in square units: the palm's length, or its breadth
    over PALM_BREADTH where that is more. The length alone shrinks to nothing when the fingers point at the camera,
    and a fist seen knuckles first then reads wide open: in the public keypoint set, 10% of real fists read
    openness 0.8 or more over the length alone, 1.2% over this (and open hands 92% instead of 97%)."""
    length = float(np.linalg.norm(xy[MIDDLE_MCP] - xy[WRIST]))
    breadth = float(np.linalg.norm(xy[PINKY_MCP] - xy[INDEX_MCP]))
    return max(1e-6, length, breadth / PALM_BREADTH)


def openness(tips: float) -> float:
    """0..1 from the fingertips' mean distance from the palm centre in palm sizes: OPEN_FIST to OPEN_FLAT."""
    return clamp01((tips - OPEN_FIST) / (OPEN_FLAT - OPEN_FIST))


def hand_features(points: np.ndarray, aspect: float = 4 / 3) -> dict[str, float]:
    """Shape features of one hand from its 21 landmarks (x, y in 0..1 of the picture); speed is the tracker's.
    ``aspect`` is width over height, so distances are measured in square units."""
    xy = points[:, :2] * np.array([aspect, 1.0])
    palm = xy[list(PALM)].mean(axis=0)
    size = palm_size(xy)
    tips = float(np.linalg.norm(xy[list(TIPS)] - palm, axis=1).mean()) / size
    pinch = float(np.linalg.norm(xy[THUMB_TIP] - xy[INDEX_TIP])) / size
    dx, dy = xy[MIDDLE_MCP] - xy[WRIST]
    roll = math.atan2(dx, -dy)  # 0 upright, +pi/2 pointing right
    return {
        "x": clamp01(palm[0] / aspect), "y": clamp01(float(palm[1])),
        "height": clamp01(math.hypot(dx, dy) / 0.4),
        "openness": openness(tips),
        "pinch": clamp01(1.0 - (pinch - 0.15) / 0.85),
        "roll": clamp01(0.5 + roll / (2 * math.pi)),
    }


@dataclass
class HandState:
    """One hand's presence hysteresis, smoothing filters and last position (for speed)."""

    rate: float
    seen: int = 0
    missed: int = 0
    present: bool = False
    last: tuple[float, float, float] | None = None  # (t, x, y)
    speed: float = 0.0
    filters: dict[str, OneEuroFilter] = field(default_factory=dict)

    def smooth(self, name: str, value: float, t: float) -> float:
        if name not in self.filters:
            self.filters[name] = OneEuroFilter(self.rate, mincutoff=1.5, beta=0.5, dcutoff=1.0)
        return clamp01(self.filters[name](value, t))


@dataclass(frozen=True)
class Hysteresis:
    """Frames a hand must be seen before it is present, and missed before it is gone."""

    on: int = 2
    off: int = 5


class HandTracker:
    """MediaPipe Hands on frames, one or two hands, with per-hand smoothing and presence hysteresis. Two hands
    use a solver per hand on the two cores (sensors/handpair.py), unless ``paired`` is off. ``complexity`` is
    MediaPipe's model_complexity, 0 or 1 (its cost: sensors/camerasettings.py)."""

    def __init__(self, max_hands: int = 2, mirror: bool = False, rate: float = 60.0,
                 hysteresis: Hysteresis | None = None, paired: bool = True, complexity: int = 0) -> None:
        self._solver = (HandPair(complexity) if max_hands == 2 and paired
                        else OneSolver(max_hands, complexity))
        self.mirror = mirror
        self.hysteresis = hysteresis or Hysteresis()
        self.state = {side: HandState(rate) for side in ("left", "right")}

    def close(self) -> None:
        self._solver.close()

    def update(self, rgb: np.ndarray, t: float) -> dict[str, float]:
        """Signals for one RGB frame taken at ``t``; a hand's signals are sent only while it is present."""
        found = self._found(self._solver.process(rgb, t), rgb.shape[1] / rgb.shape[0])
        signals: dict[str, float] = {}
        for side, state in self.state.items():
            features = found.get(side)
            state.seen, state.missed = (state.seen + 1, 0) if features else (0, state.missed + 1)
            if not state.present and state.seen >= self.hysteresis.on:
                state.present = True
            elif state.present and state.missed >= self.hysteresis.off:
                state.present, state.last, state.filters = False, None, {}
            signals[f"hand/{side}/presence"] = 1.0 if state.present else 0.0
            if state.present and features:
                signals.update(self._smoothed(side, state, features, t))
        return signals

    def _found(self, hands: list[Hand], aspect: float) -> dict[str, dict[str, float]]:
        """Features per handedness label; NaN landmarks (a tracker glitch) drop that hand for the frame."""
        found: dict[str, dict[str, float]] = {}
        for points, label in hands:
            if not np.isfinite(points).all():
                continue
            if self.mirror:  # a new array: the solver keeps its own to paint the hand out next frame
                points = points * np.array([-1.0, 1.0, 1.0]) + np.array([1.0, 0.0, 0.0])
            # MediaPipe labels hands as if the picture were a mirror image; ours come straight from the camera
            side = {"left": "right", "right": "left"}[label.lower()]
            found[side] = hand_features(points, aspect)
        return found

    def _smoothed(self, side: str, state: HandState, features: dict[str, float], t: float) -> dict[str, float]:
        if state.last is not None and t > state.last[0]:
            distance = math.hypot(features["x"] - state.last[1], features["y"] - state.last[2])
            state.speed = distance / (t - state.last[0])
        state.last = (t, features["x"], features["y"])
        values = dict(features, speed=clamp01(state.speed / 2.0))
        return {f"hand/{side}/{name}": state.smooth(name, values[name], t) for name in FEATURES}
