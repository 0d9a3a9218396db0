"""Audience motion, as pure analysis: frames in, motion signals out (energy, centroid, spread, debounced
presence, and activity per zone). OpenCV on a downscaled grey image; no capture, no threads.

Motion is the difference between consecutive frames after the previous frame's tones are matched to the
current one's (histogram matching): a change of light over the whole picture (a lamp, a door, the camera's
exposure) remaps every level alike, whatever its gain, offset or clipping, so the match takes most of it away.
A frame whose mean brightness jumps (people walking move it by well under 1 %), or where most of the picture
still changes at once, is taken as a change of light and holds the previous reading."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import cv2
import numpy as np

from sensors.camerasettings import Zone

SIZE = (320, 240)  # width, height the analysis works at
THRESHOLD = 0.4  # change, in standard deviations of the picture's grey levels, a pixel must show to be moving
MIN_LEVELS = 8.0  # and at least this many grey levels, so a dark, flat picture's noise is not motion
FULL = 0.08  # fraction of moving pixels that reads as energy 1
LIGHT_CHANGE = 0.5  # more than this fraction moving at once: a change of light, not people
LIGHT_STEP = 0.06  # a jump of the mean brightness by more than this fraction: a change of light


def matched_tones(source: np.ndarray, target: np.ndarray) -> np.ndarray:
    """``source`` (uint8 grey) with its levels remapped so that its histogram matches ``target``'s."""
    cdf_source = cv2.calcHist([source], [0], None, [256], [0, 256]).ravel().cumsum()
    cdf_target = cv2.calcHist([target], [0], None, [256], [0, 256]).ravel().cumsum()
    lut = np.searchsorted(cdf_target / cdf_target[-1], cdf_source / cdf_source[-1]).clip(0, 255)
    return cv2.LUT(source, lut.astype(np.uint8))


@dataclass(frozen=True)
class MotionReading:
    """One frame's signals, all 0..1. x and y hold their last value while nothing moves."""

    energy: float
    x: float
    y: float
    spread: float
    presence: float
    zones: dict[str, float]
    light_change: bool = False

    def signals(self, prefix: str = "audience") -> dict[str, float]:
        """As bus signal names and values."""
        out = {f"{prefix}/energy": self.energy, f"{prefix}/x": self.x, f"{prefix}/y": self.y,
               f"{prefix}/spread": self.spread, f"{prefix}/presence": self.presence}
        out.update({f"{prefix}/zone/{name}": value for name, value in self.zones.items()})
        return out


@dataclass
class Presence:
    """Someone is there once energy stays above ``on`` for ``rise`` seconds, and gone once it stays below ``off``
    for ``fall`` seconds: people standing still in a gallery do not blink out."""

    on: float = 0.05
    off: float = 0.02
    rise: float = 0.5
    fall: float = 4.0
    present: bool = False
    _since: float | None = None

    def update(self, energy: float, t: float) -> bool:
        crossing = energy < self.off if self.present else energy > self.on
        if not crossing:
            self._since = None
        elif self._since is None:
            self._since = t
        elif t - self._since >= (self.fall if self.present else self.rise):
            self.present, self._since = not self.present, None
        return self.present


@dataclass
class MotionAnalyzer:
    """Feed it frames (BGR or grey, any size) with their times; it returns a reading per frame."""

    zones: tuple[Zone, ...] = ()
    size: tuple[int, int] = SIZE
    presence: Presence = field(default_factory=Presence)
    _previous: np.ndarray | None = None
    _last: MotionReading | None = None
    _grid: tuple[np.ndarray, np.ndarray] | None = None

    def update(self, frame: np.ndarray, t: float) -> MotionReading:
        """The signals for ``frame``, taken at time ``t`` (seconds)."""
        grey = self._grey(frame)
        previous, self._previous = self._previous, grey
        if previous is None:
            return self._hold(t, light_change=False)
        # The threshold scales with the picture's contrast: a brighter room shows the same people with bigger
        # differences, and they should read as the same motion.
        threshold = max(MIN_LEVELS, THRESHOLD * float(cv2.meanStdDev(grey)[1][0, 0]))
        moving = cv2.absdiff(grey, matched_tones(previous, grey)) > threshold
        fraction = float(moving.mean())
        step = abs(float(grey.mean()) / max(1.0, float(previous.mean())) - 1.0)
        if fraction > LIGHT_CHANGE or step > LIGHT_STEP:
            return self._hold(t, light_change=True)
        return self._read(moving, fraction, t)

    def _grey(self, frame: np.ndarray) -> np.ndarray:
        grey = frame if frame.ndim == 2 else cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY)
        small = cv2.resize(grey, self.size, interpolation=cv2.INTER_AREA)
        return cv2.GaussianBlur(small, (5, 5), 0)  # sensor noise is not motion

    def _read(self, moving: np.ndarray, fraction: float, t: float) -> MotionReading:
        energy = min(1.0, fraction / FULL)
        x, y, spread = self._centroid(moving)
        zones = {z.name: self._zone(moving, z) for z in self.zones}
        present = self.presence.update(energy, t)
        self._last = MotionReading(energy, x, y, spread, 1.0 if present else 0.0, zones)
        return self._last

    def _centroid(self, moving: np.ndarray) -> tuple[float, float, float]:
        """Mean position of the moving pixels and their spread (RMS distance from it, 0..1 of the diagonal)."""
        if not moving.any():
            last = self._last
            return (last.x, last.y, 0.0) if last is not None else (0.5, 0.5, 0.0)
        ys, xs = np.nonzero(moving)
        h, w = moving.shape
        x, y = xs.mean() / (w - 1), ys.mean() / (h - 1)
        spread = math.sqrt(((xs / (w - 1) - x) ** 2 + (ys / (h - 1) - y) ** 2).mean()) / math.sqrt(0.5)
        return float(x), float(y), min(1.0, 2.0 * spread)

    def _zone(self, moving: np.ndarray, zone: Zone) -> float:
        h, w = moving.shape
        region = moving[int(zone.y0 * h):max(int(zone.y1 * h), int(zone.y0 * h) + 1),
                        int(zone.x0 * w):max(int(zone.x1 * w), int(zone.x0 * w) + 1)]
        return min(1.0, float(region.mean()) / FULL)

    def _hold(self, t: float, light_change: bool) -> MotionReading:
        """The previous reading (or a still one): the first frame, or a change of light."""
        last = self._last or MotionReading(0.0, 0.5, 0.5, 0.0, 0.0, {z.name: 0.0 for z in self.zones})
        present = self.presence.update(last.energy, t)
        return MotionReading(last.energy, last.x, last.y, last.spread, 1.0 if present else 0.0, last.zones,
                             light_change)
