"""The schema of a show file (scenes/*.show.toml): scenes in order, and whether the show loops."""

from __future__ import annotations

from pydantic import Field

from performer.config.base import Strict


class ShowSpec(Strict):
    """A show: its scene files in order (relative to the show file), looping back to the first after the last
    unless ``loop`` is false (then the show ends after the last scene). ``count_in``: beats of clicks before a
    scene that a cue brings in (a scene's own ``count_in`` wins)."""

    name: str = Field(min_length=1)
    scenes: list[str] = Field(min_length=1)
    loop: bool = True
    count_in: int = Field(0, ge=0, le=16)
