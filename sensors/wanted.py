"""What the show listens for, as pure data: the signal names something reads or the rig declares, the names of
its scenes, and the prefixes a sensor may release. An input hands on only these; anything else that arrives is
counted and dropped, so no sender can grow the conductor's tables or its session file with names of its own."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable

from sensors.cues import NUMBER_MARK, WORDS
from sensors.events import is_signal_name

MAX_NAME = 64  # characters of a scene name (or any cue word) an input accepts
MAX_PREFIX = 64  # characters of a released prefix


@dataclass(frozen=True)
class Wanted:
    """``signals``: the names the show reads or declares; ``scenes``: its scenes' names, in show order. With
    ``everything``, every well-formed signal name and any cue word up to MAX_NAME is taken (tools and tests);
    without ``cues``, no cue at all (a sensor node's sender may only move its own signals)."""

    signals: frozenset[str] = frozenset()
    scenes: tuple[str, ...] = ()
    everything: bool = False
    cues: bool = True
    _prefixes: frozenset[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        prefixes = {"/".join(name.split("/")[:i]) for name in self.signals for i in range(1, name.count("/") + 2)}
        object.__setattr__(self, "_prefixes", frozenset(prefixes))

    @classmethod
    def of(cls, signals: Iterable[str], scenes: Iterable[str]) -> Wanted:
        return cls(frozenset(signals), tuple(scenes))

    def signal(self, name: str) -> bool:
        """Whether ``name`` goes onto the bus."""
        return name in self.signals or (self.everything and is_signal_name(name))

    def cue(self, word: str) -> bool:
        """Whether ``word`` (``/scene WORD``) is a cue of this show: a cue word, one of its scenes' names, or #N
        of one of its scenes (with ``everything``: any word of at most MAX_NAME characters); none without ``cues``."""
        if not self.cues:
            return False
        if word in WORDS or word in self.scenes:
            return True
        if len(word) > MAX_NAME:
            return False
        if self.everything:
            return True
        digits = word[len(NUMBER_MARK):]
        return word.startswith(NUMBER_MARK) and digits.isascii() and digits.isdigit() and int(digits) < len(self.scenes)

    def release(self, prefix: str) -> bool:
        """Whether releasing ``prefix`` (a path such as ``hand`` or ``hand/left``) would release something."""
        if len(prefix) > MAX_PREFIX:
            return False
        return prefix in self._prefixes or (self.everything and is_signal_name(prefix + "/x"))


EVERYTHING = Wanted(everything=True)
