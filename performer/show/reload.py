"""Rehearsal's hot reload: scene files are read again when saved, without stopping the audio. A valid edit takes
over at the playing scene's next bar line; an invalid one is reported in one line (file and field) and the last
good version plays on."""

from __future__ import annotations

import logging
import os
from pathlib import Path

from performer.config.loading import check_show_scene, load_scene
from performer.errors import ConfigError
from performer.show.conductor import Conductor

log = logging.getLogger(__name__)

LOOK_EVERY = 0.5  # seconds between looks at the files


def _stamp(path: Path) -> tuple[int, int] | None:
    """What changes when a file is saved: its modification time and size (None while it is missing)."""
    try:
        status = os.stat(path)
    except OSError:
        return None
    return status.st_mtime_ns, status.st_size


class SceneReloader:
    """Watches the rig's scene files by polling (no thread: the conductor's loop calls ``look``)."""

    def __init__(self, conductor: Conductor) -> None:
        self.conductor = conductor
        self.paths = conductor.loaded.scene_paths
        self.stamps = [_stamp(p) for p in self.paths]
        self.reloads = 0
        self.rejected = 0
        self._next = -1e300

    def look(self, t: float) -> None:
        """At conductor time ``t``: reload any scene file saved since the last look (at most every LOOK_EVERY)."""
        if t < self._next:
            return
        self._next = t + LOOK_EVERY
        for index, path in enumerate(self.paths):
            stamp = _stamp(path)
            if stamp is None or stamp == self.stamps[index]:
                continue
            self.stamps[index] = stamp
            self._reload(index, path, t)

    def _reload(self, index: int, path: Path, t: float) -> None:
        names = [s.name for s in self.conductor.loaded.scenes]
        try:
            spec = load_scene(path)
            check_show_scene(spec, path, names[:index] + names[index + 1:])
        except ConfigError as err:
            self.rejected += 1
            log.warning("%s; the last good version plays on", err)
            return
        self.reloads += 1
        log.info("%s: reloaded; it takes over at the next bar line", path)
        self.conductor.replace_scene(index, spec, t)
