"""The command lines that start the child processes, kept apart from the children's own modules so that the
supervisor can build them without importing what the children load (pyo, OpenCV, MediaPipe)."""

from __future__ import annotations

import sys

from sensors.camerasettings import CameraSettings
from synthesis.settings import EngineSettings

ENGINE = "performer.runtime.engine_process"
CAMERA = "performer.runtime.camera_process"


def engine_argv(settings: EngineSettings) -> list[str]:
    """An engine process with ``settings`` as its one JSON argument."""
    return [sys.executable, "-m", ENGINE, settings.to_json()]


def camera_argv(settings: CameraSettings) -> list[str]:
    """A camera process with ``settings`` as its one JSON argument."""
    return [sys.executable, "-m", CAMERA, settings.to_json()]
