"""Where the show is, kept on disk so that a restarted conductor resumes it: the scene, and the controls a
player left where they were (knobs and faders do not send again until moved). Written atomically: a power cut
leaves the old file or the new one."""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path
from typing import Any

from performer.show.conductor import Conductor

log = logging.getLogger(__name__)

KEEP_EVERY = 1.0  # seconds between looks at the controls
MAX_KEPT = 256  # signals kept at most (a rig maps a few dozen)
LIVE_PREFIXES = ("hand/", "audience/")  # sensors that send all the time: kept values would only go stale


class Position:
    """The show's position in a small JSON file: ``{"scene": name, "signals": {name: value}}``."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def read(self) -> dict[str, Any]:
        """What was saved, or {} (no file, or one that cannot be read: logged)."""
        try:
            state = json.loads(self.path.read_text())
        except FileNotFoundError:
            return {}
        except (OSError, ValueError) as err:
            log.warning("%s: cannot read the saved position (%s); starting from the first scene", self.path, err)
            return {}
        return state if isinstance(state, dict) else {}

    def load(self) -> str | None:
        """The saved scene's name, or None."""
        return _scene(self.read())

    def saved(self) -> tuple[str | None, dict[str, float]]:
        """The saved scene and controls, from one read of the file."""
        state = self.read()
        return _scene(state), _signals(state)

    def save(self, scene: str, signals: dict[str, float] | None = None) -> None:
        state: dict[str, Any] = {"scene": scene}
        if signals:
            state["signals"] = signals
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            temporary = self.path.with_suffix(".tmp")
            temporary.write_text(json.dumps(state))
            os.replace(temporary, self.path)
        except OSError as err:  # a full or read-only disk must not stop the music
            log.warning("%s: cannot save the position: %s", self.path, err)


def _scene(state: dict[str, Any]) -> str | None:
    scene = state.get("scene")
    return scene if isinstance(scene, str) else None


def _signals(state: dict[str, Any]) -> dict[str, float]:
    """The saved controls' values, only names and numbers 0..1 (the file is ours, but a disk may rot)."""
    saved = state.get("signals")
    if not isinstance(saved, dict):
        return {}
    return {k: float(v) for k, v in list(saved.items())[:MAX_KEPT] if isinstance(k, str)
            and isinstance(v, (int, float)) and not isinstance(v, bool) and 0.0 <= v <= 1.0}


def default_state_file(rig_name: str) -> Path:
    """Where a gallery rig keeps its position unless the rig says: the user's state folder."""
    base = Path(os.environ.get("XDG_STATE_HOME") or Path.home() / ".local" / "state")
    return base / "performer" / f"{rig_name}.json"


class ShowKeeper:
    """Saves the scene each time one is placed and, about once a second, the controls that changed; ``resume``
    puts a restarted conductor back: the scene to begin with, and the controls' last values on the bus."""

    def __init__(self, conductor: Conductor, position: Position) -> None:
        self.conductor, self.position = conductor, position
        self.scene = conductor.loaded.scenes[conductor.scene_index].name if not conductor.stopped else ""
        self._kept: dict[str, float] = {}
        self._next_look = -1e300
        conductor.on_scene.append(lambda index, spec: self._placed(spec.name))
        if self.scene:
            position.save(self.scene)

    def _placed(self, scene: str) -> None:
        self.scene = scene
        self.position.save(scene, self._kept)

    def look(self, t: float) -> None:
        """At conductor time ``t``: save the controls if any moved since the last save."""
        if t < self._next_look:
            return
        self._next_look = t + KEEP_EVERY
        bus = self.conductor.bus
        now = {name: round(event.value, 6) for name in bus.names()[:MAX_KEPT]
               if not name.startswith(LIVE_PREFIXES) and (event := bus.last(name)) is not None}
        if now != self._kept and self.scene:
            self._kept = now
            self.position.save(self.scene, now)

    @staticmethod
    def resume(position: Position, names: list[str]) -> tuple[int | None, dict[str, float]]:
        """The saved scene's index among ``names`` (None if none was saved, or it is gone), and the saved
        controls' values."""
        scene, controls = position.saved()
        index = names.index(scene) if scene in names else None
        if scene is not None and index is None:
            log.warning("%s: the saved scene %r is not in the show; starting from the first", position.path, scene)
        return index, controls
