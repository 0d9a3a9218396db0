"""Keys pressed in the monitor (the terminal `performer run` is in), as pure logic: show commands, and a short
pulse on ``key/NAME`` for a scene's triggers.

Space, g or Enter: GO (next scene); b: BACK; 1-9: scene 1-9 of the show; s: stop the show; p: panic."""

from __future__ import annotations

from sensors.cues import Command, numbered
from sensors.events import ControlEvent, CueEvent, Event

PULSE = 0.05  # seconds a key's signal stays at 1: five control ticks, so a trigger sees it
COMMANDS = {" ": Command.NEXT, "g": Command.NEXT, "\n": Command.NEXT, "\r": Command.NEXT, "b": Command.PREV,
            "s": Command.STOP, "p": Command.PANIC}
NAMES = {" ": "space", "\n": "enter", "\r": "enter"}
HELP = "keys: space/g/Enter GO, b BACK, 1-9 scene, s stop, p panic"


def key_events(char: str, t: float) -> list[Event]:
    """What one key press at ``t`` does; keys with no meaning give only their signal pulse (or nothing)."""
    char = char.lower()
    name = NAMES.get(char, char)
    out: list[Event] = []
    if char in COMMANDS:
        out.append(CueEvent(t, COMMANDS[char].value))
    elif char in "123456789" and char:
        out.append(CueEvent(t, numbered(int(char) - 1)))
    if name.isalnum() and name.isascii():
        out += [ControlEvent(t, f"key/{name}", 1.0), ControlEvent(t + PULSE, f"key/{name}", 0.0)]
    return out
