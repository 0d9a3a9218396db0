"""A camera process's work (``performer.runtime.camera_process`` starts it). It reads one camera (by index, by
part of its name, or a video file), runs hand tracking and/or audience motion on each frame, and sends the signals
to the conductor as one OSC bundle per frame, over the conductor's private camera channel (an AF_UNIX socket no
other sender can flood), or over UDP like any OSC controller when it has none (a camera on another machine).

On an unplug or a read failure it sends ``/release hand`` or ``/release audience``, so the conductor glides those
signals to each scene's defaults over a second; the loss is logged once, and the camera is reopened every second
until it comes back."""

from __future__ import annotations

import glob
import logging
import signal
import time
from pathlib import Path
from typing import Callable

import cv2

from sensors.camerasettings import CameraSettings
from sensors.dgramsend import DatagramSender
from sensors.motion import MotionAnalyzer
from sensors.oscout import osc_bundles, release

log = logging.getLogger("camera")

REOPEN = 1.0  # seconds between attempts to reopen a lost camera


def find_device(spec: str) -> int | str:
    """A capture source: an index ("0"), a video file, or the first V4L device whose name contains ``spec``."""
    if spec.isdigit():
        return int(spec)
    if Path(spec).is_file():
        return spec
    for name_file in sorted(glob.glob("/sys/class/video4linux/video*/name")):
        if spec.lower() in Path(name_file).read_text().lower():
            return int(Path(name_file).parent.name.removeprefix("video"))
    raise LookupError(f"camera {spec!r}: no such index, file or device name")


class Camera:
    """Capture plus analyses; ``frame_signals`` gives a frame's signals, or None when the camera is lost."""

    def __init__(self, config: CameraSettings) -> None:
        self.config = config
        self.capture: cv2.VideoCapture | None = None
        self.frame_period = 0.0  # a video file plays at its own rate, as a camera would deliver it; 0: as it comes
        self._next_frame = 0.0
        self.hands = None
        if config.hands:
            from sensors.hands import HandTracker

            self.hands = HandTracker(max_hands=config.hands, mirror=config.mirror,
                                     complexity=config.model_complexity)
        self.motion = MotionAnalyzer(zones=config.zones) if config.motion else None
        self.prefixes = config.prefixes

    def open(self) -> bool:
        try:
            source = find_device(self.config.device)
        except LookupError:
            return False
        capture = cv2.VideoCapture(source)
        if not capture.isOpened():
            return False
        capture.set(cv2.CAP_PROP_FRAME_WIDTH, self.config.width)
        capture.set(cv2.CAP_PROP_FRAME_HEIGHT, self.config.height)
        fps = capture.get(cv2.CAP_PROP_FPS) if isinstance(source, str) else 0.0
        self.frame_period = 1.0 / fps if fps > 0 else 0.0
        self._next_frame = time.monotonic()
        self.capture = capture
        return True

    def frame_signals(self) -> dict[str, float] | None:
        if self.capture is None:
            return None
        if self.frame_period:
            time.sleep(max(0.0, self._next_frame - time.monotonic()))
            self._next_frame = max(self._next_frame + self.frame_period, time.monotonic() - self.frame_period)
        ok, frame = self.capture.read()
        if not ok or frame is None:
            self.capture.release()
            self.capture = None
            return None
        t = time.monotonic()
        signals: dict[str, float] = {}
        if self.hands is not None:
            signals.update(self.hands.update(cv2.cvtColor(frame, cv2.COLOR_BGR2RGB), t))
        if self.motion is not None:
            signals.update(self.motion.update(cv2.flip(frame, 1) if self.config.mirror else frame, t).signals())
        return signals


def run(camera: Camera, out: DatagramSender, stop: list[bool], lost: bool = False) -> None:
    """Frames to bundles until stopped; on a loss, release the signals, log once, and reopen every REOPEN
    seconds. ``lost``: the camera was missing from the start (already logged)."""
    lost_logged, next_open = lost, time.monotonic() + REOPEN
    while not stop:
        signals = camera.frame_signals()
        now = time.monotonic()
        if signals is not None:
            lost_logged = False
            for bundle in osc_bundles(signals):
                out.send(bundle)
            continue
        if not lost_logged:
            log.warning("camera %s: lost (no frame); its signals glide to the scenes' defaults, reopening every "
                        "%g s", camera.config.device, REOPEN)
            lost_logged, next_open = True, now + REOPEN
            out.send(release(camera.prefixes))
        if now >= next_open:
            next_open = now + REOPEN
            if camera.open():
                log.info("camera %s: open", camera.config.device)
                continue
        time.sleep(0.02)


def serve(settings: CameraSettings, on_ready: Callable[[], None]) -> int:
    """Open the camera (a missing one is one line; it is retried), say it is ready, and send its signals to
    ``settings.channel`` (or ``settings.host:settings.send``) until SIGTERM or SIGINT."""
    stop: list[bool] = []
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.append(True))
    camera = Camera(settings)
    opened = camera.open()
    if not opened:
        log.warning("camera %s: not there; going on without it (its signals read their scene defaults), retrying "
                    "every %g s", settings.device, REOPEN)
    on_ready()
    with DatagramSender(settings.channel, settings.host, settings.send, name=f"camera {settings.device}") as out:
        run(camera, out, stop, lost=not opened)
        if out.sent or out.dropped:  # a camera that was never there has said so already, in its one line
            log.info("camera %s: stopped; sent %d datagrams, %d could not be sent", settings.device, out.sent,
                     out.dropped)
    return 0
