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
        where = f"{path}: {field}" if field else path
        super().__init__(f"{where}: {expected}")


class DeviceError(PerformerError, OSError):
    """An audio device, MIDI port or network port is missing or could not be opened."""

    exit_code = 3


class ModelError(PerformerError, RuntimeError):
    """Training or loading the note model failed: bad weights, a checkpoint that does not fit, no data."""

    exit_code = 1
