"""OSC address patterns (the OSC 1.0 syntax: ``*``, ``?``, ``[a-z]``, ``[!0-9]``, ``{left,right}``) as regular
expressions, so one route can serve a whole bank of faders: ``/fader/*`` onto ``osc/fader/*``, where each ``*``
of the signal takes what the matching wildcard of the address matched."""

from __future__ import annotations

import re

SPECIAL = re.compile(r"\*|\?|\[!?[^\]]*\]|\{[^}]*\}")


def compile_pattern(pattern: str) -> re.Pattern[str]:
    """The regular expression of an OSC address pattern; each wildcard is a group, and none crosses a ``/``."""
    out, last = [], 0
    for match in SPECIAL.finditer(pattern):
        out.append(re.escape(pattern[last:match.start()]))
        token = match.group()
        if token == "*":
            out.append(r"([^/]*)")
        elif token == "?":
            out.append(r"([^/])")
        elif token.startswith("["):
            body = token[1:-1]
            negate = body.startswith("!")
            body = body[1:] if negate else body
            out.append(f"([{'^' if negate else ''}{re.escape(body).replace(chr(92) + '-', '-')}])")
        else:
            out.append("(" + "|".join(re.escape(part) for part in token[1:-1].split(",")) + ")")
        last = match.end()
    out.append(re.escape(pattern[last:]))
    return re.compile("".join(out) + r"\Z")


def is_pattern(address: str) -> bool:
    return SPECIAL.search(address) is not None


def fill(signal: str, groups: tuple[str, ...]) -> str:
    """The signal with each ``*`` replaced, in order, by what the address's wildcards matched (lower-cased)."""
    parts = signal.split("*")
    if len(parts) == 1:
        return signal
    values = [g.lower() for g in groups] + [""] * len(parts)
    return "".join(part + (values[i] if i < len(parts) - 1 else "") for i, part in enumerate(parts))
