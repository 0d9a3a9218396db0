"""A camera process: ``python -m performer.runtime.camera_process SETTINGS_JSON``, one per ``[[cameras]]`` entry
of the rig, started by the supervisor. It parses its settings once, runs the camera (sensors/camera.py) and tells
the supervisor when it is ready, so the heavy vision libraries live in a process of their own."""

from __future__ import annotations

import logging
import sys
from typing import Sequence

from performer.runtime.handshake import child_start
from sensors.camera import serve
from sensors.camerasettings import CameraSettings


def main(args: Sequence[str] | None = None) -> int:
    """Run one camera until SIGTERM/SIGINT."""
    logging.basicConfig(level=logging.INFO, format="%(message)s", stream=sys.stderr)
    announcer, settings = child_start("camera", CameraSettings.from_json, sys.argv[1:] if args is None else args)
    if settings is None:
        return 1
    return serve(settings, announcer.ready)


if __name__ == "__main__":
    sys.exit(main())
