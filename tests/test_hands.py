"""Hand gestures on real photos: handSrc.jpg and handDst.jpg from Debian's opencv-doc, moved by affine warps into
a video written with OpenCV and read back through cv2.VideoCapture, then tracked by MediaPipe as live."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest

from sensors.hands import HandTracker, hand_features
from tests.conftest import require

PHOTOS = Path("/usr/share/doc/opencv-doc/opencv4/html")
FRAMES, FPS, TRAVEL, SCALE = 120, 30.0, 200.0, 0.5  # the photos fill the frame: halve them to give room


def _moving_hand(photo: Path, path: Path) -> tuple[list[np.ndarray], np.ndarray]:
    """The photo at half size, shifted from TRAVEL/2 px left of centre to TRAVEL/2 right and back, rocking by 5
    degrees; returns the frames read back from the video file and the shift of each frame."""
    require(photo.exists(), photo.name, "opencv-doc")
    image = cv2.imread(str(photo))
    h, w = image.shape[:2]
    shifts = TRAVEL * (0.5 - 0.5 * np.cos(2 * np.pi * np.arange(FRAMES) / FRAMES)) - TRAVEL / 2
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), FPS, (w, h))
    for i, dx in enumerate(shifts):
        warp = cv2.getRotationMatrix2D((w / 2, h / 2), 5 * np.sin(2 * np.pi * i / 60), SCALE)
        warp[0, 2] += dx
        writer.write(cv2.warpAffine(image, warp, (w, h), borderMode=cv2.BORDER_REPLICATE))
    writer.release()
    capture, frames = cv2.VideoCapture(str(path)), []
    while (read := capture.read())[0]:
        frames.append(read[1])
    return frames, shifts


@pytest.fixture(scope="module")
def tracked(tmp_path_factory) -> dict[str, tuple[list[dict[str, float]], np.ndarray]]:
    out = {}
    for name in ("handSrc.jpg", "handDst.jpg"):
        frames, shifts = _moving_hand(PHOTOS / name, tmp_path_factory.mktemp("hands") / "hand.avi")
        assert len(frames) == FRAMES
        tracker = HandTracker(max_hands=2)
        try:
            out[name] = ([tracker.update(cv2.cvtColor(f, cv2.COLOR_BGR2RGB), i / FPS) for i, f in enumerate(frames)],
                         shifts)
        finally:
            tracker.close()
    return out


@pytest.mark.parametrize("name", ["handSrc.jpg", "handDst.jpg"])
def test_the_hand_is_present_and_x_follows_the_motion(tracked, name):
    signals, shifts = tracked[name]
    sides = [s for s in ("left", "right") if signals[-1][f"hand/{s}/presence"]]
    assert len(sides) == 1, signals[-1]  # one hand in the photo, and one only
    side = sides[0]
    present = [s[f"hand/{side}/presence"] for s in signals]
    assert all(present[5:]), present.index(0.0, 5)
    xs = np.array([s[f"hand/{side}/x"] for s in signals[5:]])
    assert np.corrcoef(xs, shifts[5:])[0, 1] > 0.95
    assert xs.max() - xs.min() > 0.8 * TRAVEL / 640  # most of the shift


@pytest.mark.parametrize("name", ["handSrc.jpg", "handDst.jpg"])
def test_the_landmarks_are_stable(tracked, name):
    """The hand's shape does not change while it moves: its shape signals must not wander."""
    signals, _ = tracked[name]
    side = next(s for s in ("left", "right") if signals[-1][f"hand/{s}/presence"])
    for feature in ("openness", "pinch", "height"):
        values = [s[f"hand/{side}/{feature}"] for s in signals[10:]]
        assert np.std(values) < 0.03, (feature, np.std(values))


def _open_hand() -> np.ndarray:
    """21 landmarks of a flat, open, upright hand: wrist, then thumb and four fingers, each joint further out."""
    points = [(0.5, 0.9)]
    bases = [(0.42, 0.8, -0.6), (0.44, 0.62, -0.15), (0.5, 0.6, 0.0), (0.56, 0.61, 0.15), (0.61, 0.64, 0.3)]
    for bx, by, lean in bases:
        points += [(bx + lean * 0.1 * k, by - 0.1 * k) for k in range(4)]
    return np.column_stack([np.array(points), np.zeros(21)])


def test_features_of_an_open_hand_a_fist_and_a_pinch():
    """Pure geometry: a flat open hand reads open and upright; curled fingers read closed; thumb to index pinches."""
    hand = _open_hand()
    open_hand = hand_features(hand, aspect=1.0)
    assert open_hand["openness"] > 0.7 and abs(open_hand["roll"] - 0.5) < 0.03 and open_hand["pinch"] < 0.5
    fist = hand.copy()
    palm = fist[[0, 5, 9, 13, 17], :2].mean(axis=0)
    for tip in (8, 12, 16, 20):
        fist[tip, :2] = palm + 0.3 * (fist[tip - 3, :2] - palm)  # tips curled back to the palm
    assert hand_features(fist, aspect=1.0)["openness"] < 0.3
    pinched = hand.copy()
    pinched[4, :2] = pinched[8, :2] + 0.005
    assert hand_features(pinched, aspect=1.0)["pinch"] > 0.9
