"""Hand gestures on real photos: handSrc.jpg and handDst.jpg from Debian's opencv-doc, moved by affine warps into
a video written with OpenCV and read back through cv2.VideoCapture, then tracked by MediaPipe as live (each search
for a second hand waited for, so that every run gives the same signals: tests/sensors/conftest.py)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from performer.bench.testvideo import HAND_PHOTOS, moving_hand, read_video, two_hands, write_video
from sensors.hands import hand_features
from tests.conftest import require
from tests.sensors.conftest import track_hands

FRAMES, FPS, TRAVEL, SCALE = 120, 30.0, 200.0, 0.5  # the photos fill the frame: halve them to give room


def _moving_hand(photo: Path, path: Path) -> tuple[list[np.ndarray], np.ndarray]:
    """The photo moving left and right (performer/bench/testvideo.py), written to a video file and read back."""
    require(photo.exists(), photo.name, "opencv-doc")
    frames, shifts = moving_hand(photo, FRAMES, TRAVEL, SCALE)
    return read_video(write_video(frames, path, FPS)), shifts


@pytest.fixture(scope="module")
def tracked(tmp_path_factory) -> dict[str, tuple[list[dict[str, float]], np.ndarray]]:
    out = {}
    for photo in HAND_PHOTOS:
        name = photo.name
        frames, shifts = _moving_hand(photo, tmp_path_factory.mktemp("hands") / "hand.avi")
        assert len(frames) == FRAMES
        out[name] = (track_hands(frames, FPS), shifts)
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


def test_two_hands_in_view_are_both_tracked_each_on_its_side(tmp_path):
    """Both photos side by side (the second mirrored, so it reads as the other hand), through a video file."""
    for photo in HAND_PHOTOS:
        require(photo.exists(), photo.name, "opencv-doc")
    signals = track_hands(read_video(write_video(two_hands(FRAMES), tmp_path / "two.avi", FPS)), FPS)
    settled = signals[round(FPS / 2):]  # the second hand is looked for every 0.2 s, and present on its 2nd frame
    both = [s for s in settled if s["hand/left/presence"] and s["hand/right/presence"]]
    assert len(both) >= 0.95 * len(settled)
    for s in both:  # one hand in each half, whichever MediaPipe calls which
        assert sorted([s["hand/left/x"], s["hand/right/x"]])[0] < 0.4 < 0.6 < max(s["hand/left/x"], s["hand/right/x"])
