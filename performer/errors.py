"""The exception tree. Each class also subclasses the matching built-in, so callers may catch either."""

from __future__ import annotations


class PerformerError(Exception):
    """Base of every error performer raises on purpose."""


class ConfigError(PerformerError, ValueError):
    """A rig, scene or session file is invalid. The message is one line: file, field path, what was expected."""

    def __init__(self, path: str, field: str, expected: str) -> None:
        self.path, self.field, self.expected = path, field, expected
        where = f"{path}: {field}" if field else path
        super().__init__(f"{where}: {expected}")


class DeviceError(PerformerError, OSError):
    """An audio device or MIDI port is missing or could not be opened."""


class EngineError(PerformerError, RuntimeError):
    """The synthesis engine could not start or stopped unexpectedly."""
