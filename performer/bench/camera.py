"""`performer bench camera`: hand tracking and audience motion on video made from Debian's opencv-doc footage,
read through cv2.VideoCapture, while a rig plays live on a jackd of its own (engine and note model running).

- hands_fps: frames a second through capture, MediaPipe and the OSC send, at 640x480;
- hands_latency_ms_p95: from a frame's capture returning to its signals leaving as an OSC bundle;
- motion_fps: frames a second through capture and the motion analysis, at 320x240;
- two_hands_fps and two_hands_latency_ms_p95: the same as hands_, with both hands in view and tracked."""

from __future__ import annotations

import contextlib
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Iterator

import cv2
import numpy as np

from performer.bench.testvideo import HAND_PHOTOS, PEOPLE, moving_hand, read_video, two_hands, write_video
from sensors.hands import HandTracker
from sensors.motion import SIZE, MotionAnalyzer
from sensors.oscout import osc_bundle

ROOT = Path(__file__).resolve().parents[2]
HAND_FRAMES = 600


def hands_figures(video: Path, send: "SendTo", max_hands: int = 1, prefix: str = "hands") -> dict:
    """Hands tracked on a looped clip, ``max_hands`` of them (two: a solver per hand, sensors/handpair.py)."""
    tracker = HandTracker(max_hands=max_hands)
    capture = cv2.VideoCapture(str(video))
    latencies, frames, start = [], 0, time.perf_counter()
    try:
        while frames < HAND_FRAMES:
            ok, frame = capture.read()
            if not ok:  # loop the clip
                capture.set(cv2.CAP_PROP_POS_FRAMES, 0)
                continue
            got = time.perf_counter()
            signals = tracker.update(cv2.cvtColor(frame, cv2.COLOR_BGR2RGB), got)
            send(osc_bundle(signals))
            latencies.append(1000 * (time.perf_counter() - got))
            frames += 1
    finally:
        tracker.close()
    elapsed = time.perf_counter() - start
    p50, p95 = (round(float(np.percentile(latencies, q)), 2) for q in (50, 95))
    return {f"{prefix}_fps": round(frames / elapsed, 1), f"{prefix}_latency_ms_p50": p50,
            f"{prefix}_latency_ms_p95": p95, f"{prefix}_frames": frames, f"{prefix}_tracked": max_hands}


def motion_figures(video: Path, send: "SendTo") -> dict:
    analyzer, capture = MotionAnalyzer(), cv2.VideoCapture(str(video))
    frames, start = 0, time.perf_counter()
    while True:
        ok, frame = capture.read()
        if not ok:
            break
        send(osc_bundle(analyzer.update(frame, time.perf_counter()).signals()))
        frames += 1
    return {"motion_fps": round(frames / (time.perf_counter() - start), 1), "motion_frames": frames}


class SendTo:
    """A UDP sender to the rig's OSC port on loopback."""

    def __init__(self, port: int) -> None:
        import socket

        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.address = ("127.0.0.1", port)

    def __call__(self, dgram: bytes) -> None:
        self.sock.sendto(dgram, self.address)


@contextlib.contextmanager
def rig_playing(tmp: Path) -> Iterator[int]:
    """The laptop rig's scenes playing live on JACK (engine plus conductor with the model); yields its OSC port."""
    from performer.bench.jackd import JackServer
    from performer.runtime.supervisor import free_port

    port = free_port()
    scenes = ", ".join(f'"{ROOT / "scenes" / name}"' for name in ("dawn.toml", "drift.toml", "bloom.toml"))
    rig = tmp / "bench-rig.toml"
    rig.write_text(f'name = "camera-bench"\nroot = "/"\nscenes = [{scenes}]\n'
                   f'[audio]\nbackend = "jack"\njack_name = "bench"\njack_connect = false\n[osc]\nport = {port}\n')
    with JackServer() as server:
        proc = subprocess.Popen([sys.executable, "-m", "performer", "run", str(rig)], env=server.env,
                                stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        try:
            assert proc.stdout is not None
            for line in proc.stdout:
                if "playing" in line:
                    break
            else:
                raise RuntimeError("the rig did not start")
            yield port
        finally:
            proc.terminate()
            proc.wait(15)


def bench_camera() -> dict:
    """The camera bench's JSON object."""
    if not PEOPLE.exists():
        return {"hands_fps": None, "hands_latency_ms_p95": None, "motion_fps": None,
                "not_measured": "opencv-doc missing: install with `sudo apt-get install opencv-doc`"}
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        hands_video = write_video(moving_hand(HAND_PHOTOS[0])[0], tmp / "hand.avi", 30.0)
        both_video = write_video(two_hands(), tmp / "two-hands.avi", 30.0)
        people = [cv2.resize(f, SIZE, interpolation=cv2.INTER_AREA) for f in read_video(PEOPLE)]
        people_video = write_video(people, tmp / "people-320.avi", 10.0)
        with rig_playing(tmp) as port:
            send = SendTo(port)
            result = {**hands_figures(hands_video, send), **motion_figures(people_video, send),
                      **hands_figures(both_video, send, max_hands=2, prefix="two_hands")}
    result["with"] = "the laptop rig's scenes playing live on jackd -d dummy (engine and note model)"
    return result
