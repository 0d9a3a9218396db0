"""Errors the sensors raise. sensors is a leaf (it imports nothing of performer), so its errors subclass the
matching built-in, and the runtime wraps them into performer's own tree where it opens an input."""

from __future__ import annotations


class SensorError(Exception):
    """Base of every error the sensors raise on purpose."""


class InputUnavailable(SensorError, OSError):
    """An input cannot be opened: no MIDI system, or a UDP port already taken. The message is one line."""
