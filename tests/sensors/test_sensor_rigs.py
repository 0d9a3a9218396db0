"""The stage rig steered by hand gestures and the gallery rig by audience motion, both from real footage
(opencv-doc's hand photo and vtest.avi) through the sensors' own analysis, then the rig's conductor and model."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from performer.bench.testvideo import HAND_PHOTOS, PEOPLE, moving_hand, read_video
from performer.config.loading import load_rig
from performer.config.session import Session
from performer.config.settings import audio_settings
from performer.offline.render import conduct
from sensors.events import ControlEvent
from sensors.motion import MotionAnalyzer, Zone
from tests.conftest import RIGS, require
from tests.sensors.conftest import track_hands


def _session(frames_signals: list[dict[str, float]], fps: float) -> Session:
    events = [ControlEvent(i / fps, name, value) for i, signals in enumerate(frames_signals)
              for name, value in signals.items()]
    return Session(events=events, header={"duration": len(frames_signals) / fps})


@pytest.mark.slow
def test_the_stage_rig_follows_the_right_hand(tmp_path):
    require(HAND_PHOTOS[0].exists(), "handSrc.jpg", "opencv-doc")
    fps = 30.0
    frames, _ = moving_hand(HAND_PHOTOS[0], frames=600, travel=300.0)
    signals = track_hands([cv2.flip(f, 1) for f in frames], fps)  # the photo's hand, mirrored: a right hand
    xs = np.array([s.get("hand/right/x", np.nan) for s in signals])
    assert np.isfinite(xs[10:]).all(), "the right hand must be tracked throughout"
    loaded = load_rig(RIGS / "stage.toml")
    notes, _, start = conduct(loaded, _session(signals, fps), audio_settings(loaded.rig))
    melody = [(n.pitch, xs[min(len(xs) - 1, int((n.start - start) * fps))]) for n in notes if n.voice == "melody"]
    low = [p for p, x in melody if x < np.nanpercentile(xs, 30)]
    high = [p for p, x in melody if x > np.nanpercentile(xs, 70)]
    assert len(low) >= 8 and len(high) >= 8
    assert np.mean(high) - np.mean(low) > 6, (np.mean(low), np.mean(high))  # right is higher, like a theremin


def test_the_gallery_rig_follows_the_room(tmp_path):
    require(PEOPLE.exists(), "vtest.avi", "opencv-doc")
    fps = 10.0
    people = read_video(PEOPLE, limit=400)
    empty, busy = [people[0]] * 200, people  # 20 s of the hall with nobody moving, then 40 s of people walking
    analyzer = MotionAnalyzer(zones=(Zone("door", 0.0, 0.0, 0.25, 1.0),))
    signals = [analyzer.update(f, i / fps).signals() for i, f in enumerate(empty + busy)]
    loaded = load_rig(RIGS / "gallery.toml")
    notes, trace, start = conduct(loaded, _session(signals, fps), audio_settings(loaded.rig))
    bells = [n for n in notes if n.voice == "bells"]
    quiet = [n for n in bells if 5.0 <= n.start - start < 20.0]
    lively = [n for n in bells if 30.0 <= n.start - start < 60.0]
    assert len(lively) / 30.0 > 2.5 * len(quiet) / 15.0, (len(quiet), len(lively))  # more movement, more notes
    brightness = [p.value for p in trace.params if p.instrument == "pad" and p.name == "brightness"]
    assert brightness and max(brightness) > 0.4  # people by the door brighten the pad
