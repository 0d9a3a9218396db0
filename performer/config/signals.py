"""The signals performer's own sensors publish, so that a misspelt one in a scene is caught by
``performer check`` instead of silently reading its default. Names outside these families (OSC addresses such as
``touch/dynamics`` or ``osc/fader/1``) are free."""

from __future__ import annotations

import re

HAND_FEATURES = ("presence", "x", "y", "height", "openness", "pinch", "roll", "speed")
AUDIENCE = ("energy", "x", "y", "spread", "presence")
MIDI = re.compile(r"midi/(cc/(\d+)|cc14/(\d+)|note/(\d+)|pressure/(\d+)|bend|pressure)")


def signal_problem(name: str) -> str | None:
    """What is wrong with a signal name of a known family (hand/, audience/, midi/, key/), or None."""
    family = name.split("/", 1)[0]
    if family == "hand":
        parts = name.split("/")
        if len(parts) != 3 or parts[1] not in ("left", "right") or parts[2] not in HAND_FEATURES:
            return f"expected hand/left/FEATURE or hand/right/FEATURE with FEATURE one of {', '.join(HAND_FEATURES)}"
    elif family == "audience":
        rest = name[len("audience/"):]
        if rest not in AUDIENCE and not re.fullmatch(r"zone/[a-z0-9_]+", rest):
            return f"expected audience/ followed by one of {', '.join(AUDIENCE)} or zone/NAME"
    elif family == "midi":
        match = MIDI.fullmatch(name)
        numbers = [int(g) for g in match.groups()[1:] if g is not None] if match else []
        limit = 31 if match and match.group(3) is not None else 127
        if match is None or any(n > limit for n in numbers):
            return ("expected midi/cc/0-127, midi/cc14/0-31, midi/note/0-127, midi/pressure/0-127, midi/bend or "
                    "midi/pressure")
    elif family == "key" and not re.fullmatch(r"key/([a-z0-9]|space|enter)", name):
        return "expected key/ and a letter, a digit, space or enter"
    return None
