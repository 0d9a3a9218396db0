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
    """One camera (an index, part of a V4L device's name, or a video file), what to read from it, and the OSC port
    on ``host`` its signals are sent to."""

    device: str
    width: int = 640
    height: int = 480
    mirror: bool = False
    hands: int = 0
    motion: bool = False
    zones: tuple[Zone, ...] = ()
    send: int = 0
    host: str = "127.0.0.1"

    def to_json(self) -> str:
        """One JSON argument for the camera process."""
        return json.dumps(asdict(self))

    @classmethod
    def from_json(cls, text: str) -> CameraSettings:
        """Parse what ``to_json`` wrote; ValueError (or TypeError) names what is wrong."""
        data = json.loads(text)
        return cls(**{**data, "zones": tuple(Zone(**zone) for zone in data.get("zones", ()))})
