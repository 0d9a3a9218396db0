"""A camera process: ``python -m performer.runtime.camera_process SETTINGS_JSON``, one per ``[[cameras]]`` entry
of the rig, started by the supervisor. It parses its settings once, runs the camera (sensors/camera.py) and tells
the supervisor when it is ready, so the heavy vision libraries live in a process of their own."""

from __future__ import annotations

import logging
import sys
from typing import Sequence

from performer.runtime.handshake import Announcer
from sensors.camera import serve
from sensors.camerasettings import CameraSettings


def main(args: Sequence[str] | None = None) -> int:
    """Run one camera until SIGTERM/SIGINT."""
    logging.basicConfig(level=logging.INFO, format="%(message)s", stream=sys.stderr)
    announcer = Announcer.from_env()
    args = sys.argv[1:] if args is None else list(args)
    try:
        settings = CameraSettings.from_json(args[0])
    except (IndexError, ValueError, TypeError, KeyError) as err:
        announcer.failed("internal", f"camera: bad settings argument: {err}")
        return 1
    return serve(settings, announcer.ready)


if __name__ == "__main__":
    sys.exit(main())
