"""The exception tree. Each class also subclasses the matching built-in, so callers may catch either, and each
kind carries the exit code the command line gives it: a bad file 2, a missing device 3, anything else 1.

The leaves raise their own (``sensors.errors.InputUnavailable``, ``synthesis.settings.AudioDeviceError``, both
``OSError``); the runtime wraps them into these where it opens an input or an output (``raise ... from err``)."""

from __future__ import annotations


class PerformerError(Exception):
    """Base of every error performer raises on purpose: an internal failure unless a subclass says otherwise."""

    exit_code = 1


class ConfigError(PerformerError, ValueError):
    """A rig, scene, show or session file is invalid. The message is one line: file, field path, what was
    expected."""

    exit_code = 2

    def __init__(self, path: str, field: str, expected: str) -> None:
        self.path, self.field, self.expected = path, field, expected
        where = f"{one_line(path)}: {one_line(field)}" if field else one_line(path)
        super().__init__(f"{where}: {one_line(expected, MAX_EXPECTED)}")


MAX_EXPECTED = 400  # characters of a message's "what was expected, got ..." (a got value may be megabytes)


def one_line(text: str, limit: int = 200) -> str:
    """``text`` with line breaks and other control characters escaped (a newline in a file name must not split
    the one line in two), cut to ``limit`` characters."""
    out = "".join(c if c.isprintable() or c == " " else repr(c)[1:-1] for c in text[:limit + 1])
    return out if len(out) <= limit else out[:limit] + "..."


class DeviceError(PerformerError, OSError):
    """An audio device, MIDI port or network port is missing or could not be opened."""

    exit_code = 3


class ModelError(PerformerError, RuntimeError):
    """Training or loading the note model failed: bad weights, a checkpoint that does not fit, no data."""

    exit_code = 1
