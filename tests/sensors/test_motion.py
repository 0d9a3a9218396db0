"""Audience motion on real footage: vtest.avi from Debian's opencv-doc (people walking in a hall), re-cut into
videos that are written with OpenCV and read back through cv2.VideoCapture, as a camera would be read."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest

from performer.bench.testvideo import PEOPLE, read_video, write_video
from sensors.motion import MotionAnalyzer, Zone
from tests.conftest import require

FPS = 10.0  # vtest.avi's own rate


@pytest.fixture(scope="module")
def people() -> list[np.ndarray]:
    """The first 200 frames of vtest.avi."""
    require(PEOPLE.exists(), "vtest.avi", "opencv-doc")
    frames = read_video(PEOPLE, limit=200)
    assert len(frames) == 200, "vtest.avi ended early"
    return frames


def _through_a_file(frames: list[np.ndarray], path: Path) -> list[np.ndarray]:
    """Write frames as an MJPG video and read them back with cv2.VideoCapture."""
    return read_video(write_video(frames, path, FPS))


def _analyse(frames: list[np.ndarray], analyzer: MotionAnalyzer | None = None) -> list:
    analyzer = analyzer or MotionAnalyzer()
    return [analyzer.update(frame, i / FPS) for i, frame in enumerate(frames)]


def test_energy_rises_when_people_move(people, tmp_path):
    frozen = [people[0]] * 40  # the same hall, nobody moving
    readings = _analyse(_through_a_file(frozen + people[:100] + [people[99]] * 60, tmp_path / "v.avi"))
    still = [r.energy for r in readings[2:40]]
    walking = [r.energy for r in readings[42:140]]
    assert max(still) < 0.02 and np.mean(walking) > 0.1, (max(still), np.mean(walking))
    presence = [r.presence for r in readings]
    assert presence[39] == 0.0 and presence[60] == 1.0  # on within a second of people moving
    assert presence[160] == 1.0 and presence[199] == 0.0  # kept for a while once they stop, then off


def test_the_centroid_and_zones_follow_the_people(people, tmp_path):
    def placed(frame: np.ndarray, left: bool) -> np.ndarray:
        canvas = np.full((288, 768, 3), 90, np.uint8)  # the hall, half size, on one side of a still wall
        small = cv2.resize(frame, (384, 288))
        if left:
            canvas[:, :384] = small
        else:
            canvas[:, 384:] = small
        return canvas

    frames = [placed(f, True) for f in people[:60]] + [placed(f, False) for f in people[60:120]]
    zones = (Zone("left", 0.0, 0.0, 0.5, 1.0), Zone("right", 0.5, 0.0, 1.0, 1.0))
    readings = _analyse(_through_a_file(frames, tmp_path / "sides.avi"), MotionAnalyzer(zones=zones))
    left, right = readings[5:58], readings[63:118]
    assert max(r.x for r in left) < 0.5 < min(r.x for r in right)
    assert np.mean([r.zones["left"] for r in left]) > 5 * np.mean([r.zones["left"] for r in right])
    assert np.mean([r.zones["right"] for r in right]) > 5 * np.mean([r.zones["right"] for r in left])


@pytest.mark.parametrize("gain", [1.5, 0.6])
def test_a_sudden_change_of_light_is_not_motion(people, tmp_path, gain):
    lit = people[:60] + [cv2.convertScaleAbs(f, alpha=gain, beta=0) for f in people[60:120]]
    readings = _analyse(_through_a_file(lit, tmp_path / "light.avi"))
    before = [r.energy for r in readings[45:60]]
    assert readings[60].light_change and readings[60].energy <= max(before)
    after = [r.energy for r in readings[61:75]]
    assert 0.5 < np.mean(after) / np.mean(before) < 2.0  # the same people read as the same motion


def test_signals_reach_the_bus_through_osc(people):
    """The camera process sends each frame's signals as one OSC bundle; the conductor's dispatcher reads them."""
    from sensors.events import ControlEvent
    from sensors.osc import OscDispatcher
    from sensors.oscout import osc_bundle

    zones = (Zone("door", 0.0, 0.0, 0.3, 1.0),)
    reading = _analyse(people[:20], MotionAnalyzer(zones=zones))[-1]
    events = OscDispatcher().dispatch(osc_bundle(reading.signals()), t=1.0)
    assert {e.name: round(e.value, 5) for e in events if isinstance(e, ControlEvent)} == {
        name: round(value, 5) for name, value in reading.signals().items()}
    assert "audience/zone/door" in {e.name for e in events}
