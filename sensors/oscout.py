"""Signals out as OSC, the way the camera process sends them to the conductor: one bundle per frame of
``/name value`` messages, and ``/release prefix`` when a sensor is gone."""

from __future__ import annotations

from typing import Union

from pythonosc.osc_bundle_builder import IMMEDIATELY, OscBundleBuilder
from pythonosc.osc_message_builder import OscMessageBuilder

OscArg = Union[str, bytes, bool, int, float]  # what OscMessageBuilder.add_arg accepts, as far as we send


def _bundle(messages: list[tuple[str, str, OscArg]]) -> bytes:
    bundle = OscBundleBuilder(IMMEDIATELY)
    for address, type_tag, value in messages:
        message = OscMessageBuilder(address=address)
        message.add_arg(value, type_tag)
        bundle.add_content(message.build())
    return bundle.build().dgram


def osc_bundle(signals: dict[str, float]) -> bytes:
    """Signals as one OSC bundle of ``/name value`` messages."""
    return _bundle([("/" + name, "f", float(value)) for name, value in signals.items()])


def release(prefixes: list[str]) -> bytes:
    """``/release PREFIX`` for each kind of signal a sensor sends: the conductor glides them to the scenes'
    defaults."""
    return _bundle([("/release", "s", prefix) for prefix in prefixes])
