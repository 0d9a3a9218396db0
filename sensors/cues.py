"""The cue vocabulary: the words that move a show, wherever they come from (OSC, MIDI program change, the
monitor's keys, a scene's trigger, a session file). A cue is a command, a scene by name, or a scene by number.

The command words are reserved: a scene may not be named after one, or it could never be cued by name."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class Command(str, Enum):
    """A show command. Its value is the canonical word (the one recorded in sessions)."""

    NEXT = "next"
    PREV = "prev"
    STOP = "stop"
    PANIC = "panic"


WORDS: dict[str, Command] = {"next": Command.NEXT, "go": Command.NEXT, "prev": Command.PREV,
                             "back": Command.PREV, "stop": Command.STOP, "end": Command.STOP,
                             "panic": Command.PANIC}
RESERVED = frozenset(WORDS)  # words no scene may be named
NUMBER_MARK = "#"  # "#3": the show's scene 3, counting from 0 (a MIDI program change)


def numbered(index: int) -> str:
    """The cue word for the show's scene ``index`` (counting from 0)."""
    return f"{NUMBER_MARK}{index}"


def name_problem(name: str) -> str | None:
    """Why ``name`` cannot be a scene's name (it would be read as a command or a number), or None."""
    if name.lower() in RESERVED:
        return f"expected a scene name that is not a cue word ({', '.join(sorted(RESERVED))}), got {name!r}"
    if name.startswith(NUMBER_MARK):
        return f"expected a scene name that does not start with {NUMBER_MARK!r} (#N cues scene N), got {name!r}"
    return None


@dataclass(frozen=True)
class Cue:
    """One parsed cue: exactly one of ``command``, ``number`` or ``scene`` is set."""

    command: Command | None = None
    number: int | None = None
    scene: str = ""

    @classmethod
    def parse(cls, word: str) -> Cue:
        """The cue a word means: a command word, ``#N``, or else a scene's name."""
        if word in WORDS:
            return cls(command=WORDS[word])
        digits = word[len(NUMBER_MARK):]
        if word.startswith(NUMBER_MARK) and digits.isascii() and digits.isdigit():  # not "#²", which int() refuses
            return cls(number=int(digits))
        return cls(scene=word)

    def __str__(self) -> str:
        if self.command is not None:
            return self.command.value
        return numbered(self.number) if self.number is not None else self.scene
