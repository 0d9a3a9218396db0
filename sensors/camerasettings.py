"""What crosses the boundary into a camera process: one camera's settings and where its signals go, one frozen
object serialised once (``to_json``) by the supervisor and parsed once (``from_json``) in the camera process.
No OpenCV here, so the supervisor can build one without loading it."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass


@dataclass(frozen=True)
class Zone:
    """A named rectangle of the picture, in 0..1 coordinates (x0, y0) to (x1, y1), y down."""

    name: str
    x0: float
    y0: float
    x1: float
    y1: float


@dataclass(frozen=True)
class CameraSettings:
    """One camera (an index, part of a V4L device's name, or a video file), what to read from it, and where its
    signals go: ``channel``, the conductor's private camera channel (an AF_UNIX datagram socket's path, which no
    other sender can flood), or if empty, the OSC port ``send`` on ``host`` (a sensor on another machine).

    ``model_complexity`` is MediaPipe Hands' model, 0 (lite) or 1 (full): some real hands are found only at 1 (a
    hand gripping an object, a dim one), at a cost. Measured on this project's 2-core machine, a 640x480 frame of
    the opencv-doc hand photos, median of 100 frames, per hand (two hands run side by side, one per core):
    tracking a found hand 3.1-3.4 ms at 0 and 5.3-5.7 ms at 1; detecting it (palm detector and landmarks)
    8.5-9.3 ms and 11.9-12.1 ms; the palm detector alone, on a frame without a hand, 5.6-6.1 ms and 6.4-6.8 ms."""

    device: str
    width: int = 640
    height: int = 480
    mirror: bool = False
    hands: int = 0
    model_complexity: int = 0
    motion: bool = False
    zones: tuple[Zone, ...] = ()
    send: int = 0
    host: str = "127.0.0.1"
    channel: str = ""

    def __post_init__(self) -> None:
        if self.model_complexity not in (0, 1):
            raise ValueError(f"model_complexity {self.model_complexity!r}: 0 or 1")

    @property
    def prefixes(self) -> list[str]:
        """The kinds of signal it sends, as ``/release`` names them when it is lost."""
        return ["hand"] * bool(self.hands) + ["audience"] * self.motion

    def to_json(self) -> str:
        """One JSON argument for the camera process."""
        return json.dumps(asdict(self))

    @classmethod
    def from_json(cls, text: str) -> CameraSettings:
        """Parse what ``to_json`` wrote; ValueError (or TypeError) names what is wrong."""
        data = json.loads(text)
        return cls(**{**data, "zones": tuple(Zone(**zone) for zone in data.get("zones", ()))})
