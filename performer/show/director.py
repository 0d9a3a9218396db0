"""A gallery rig's day, applied to the conductor: the show opens and closes on the opening hours, quiet hours
lower the loudness cap, an empty room gets the attract scene, and the show's position is saved so that a restart
(a power cut, a crash, a reboot) resumes the scene it was in. Time comes from an injected calendar."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Callable

from performer.config.gallery import GalleryConfig
from performer.config.scene import SceneSpec
from performer.show.conductor import Conductor
from performer.show.hours import Change, ClockWentBack, Gallery, GalleryMode
from performer.show.position import Position

log = logging.getLogger(__name__)

PRESENCE = "audience/presence"  # the motion analysis's debounced presence: someone is in the room
LOOK_EVERY = 1.0  # seconds of conductor time between looks at the calendar


class GalleryDirector:
    """Looks at the calendar and the room about once a second and moves the conductor accordingly."""

    def __init__(self, config: GalleryConfig, conductor: Conductor, calendar: Callable[[], datetime],
                 position: Position | None = None) -> None:
        self.config = config
        self.gallery = Gallery(config)
        self.conductor = conductor
        self.calendar = calendar
        self.position = position
        names = [s.name for s in conductor.loaded.scenes]
        self.idle_index = names.index(config.idle_scene) if config.idle_scene in names else None
        if self.idle_index is not None:
            conductor.skip_scene(self.idle_index)
        saved = position.load() if position is not None else None
        self.resume_index = names.index(saved) if saved in names and names.index(saved) != self.idle_index else 0
        if saved is not None:
            log.info("gallery: resuming at scene %r", names[self.resume_index])
        self.changes: list[Change] = []  # every change applied, for the record
        self._next_look = -1e300
        conductor.on_scene.append(self._placed)

    def _placed(self, index: int, spec: SceneSpec) -> None:
        if index != self.idle_index:
            self.resume_index = index
            if self.position is not None:
                self.position.save(spec.name)

    def look(self, t: float) -> None:
        """At conductor time ``t``: apply whatever the opening hours and the room call for (at most once a
        second)."""
        if t < self._next_look:
            return
        self._next_look = t + LOOK_EVERY
        audience, now = self.conductor.bus.value(PRESENCE, 0.0) >= 0.5, self.calendar()
        try:
            changes = self.gallery.update(now, audience)
        except ClockWentBack:  # the clock went back (daylight saving time ended, or someone set it): reckon afresh
            log.warning("gallery: the clock went back to %s; the schedule starts again from there",
                        now.strftime("%a %H:%M"))
            self.gallery = Gallery(self.config)
            changes = self.gallery.update(now, audience)
        for change in changes:
            self._apply(change, t)

    def _apply(self, change: Change, t: float) -> None:
        log.info("gallery: %s at %s%s", change.mode.value, change.at.strftime("%a %H:%M"),
                 "" if change.loudness_cap is None else f", loudness cap {change.loudness_cap:g} dB")
        self.changes.append(change)
        self.conductor.loudness(change.loudness_cap, t)
        conductor = self.conductor
        if change.mode is GalleryMode.closed:
            conductor.stop(t)
        elif change.mode is GalleryMode.idle and self.idle_index is not None:
            conductor.resume(self.idle_index, t)
        elif change.mode is GalleryMode.playing and (conductor.stopped or conductor.scene_index == self.idle_index):
            conductor.resume(self.resume_index, t)
