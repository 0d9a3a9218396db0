"""Signals out as OSC, the way the camera process sends them to the conductor: one bundle per frame of
``/name value`` messages (several, if a frame has more signals than a bundle may carry), and ``/release prefix``
when a sensor is gone."""

from __future__ import annotations

from typing import Union

from pythonosc.osc_bundle_builder import IMMEDIATELY, OscBundleBuilder
from pythonosc.osc_message_builder import OscMessageBuilder

PER_BUNDLE = 64  # messages; a receiver takes up to 256 in 8 KB (sensors/oscshape.py): 64 short ones fit easily
OscArg = Union[str, bytes, bool, int, float]  # what OscMessageBuilder.add_arg accepts, as far as we send


def _bundle(messages: list[tuple[str, str, OscArg]]) -> bytes:
    return bundle_of([(address, [(type_tag, value)]) for address, type_tag, value in messages])


def bundle_of(messages: list[tuple[str, list[tuple[str, OscArg]]]]) -> bytes:
    """One OSC bundle of messages, each an address and its (type tag, value) arguments."""
    bundle = OscBundleBuilder(IMMEDIATELY)
    for address, args in messages:
        message = OscMessageBuilder(address=address)
        for type_tag, value in args:
            message.add_arg(value, type_tag)
        bundle.add_content(message.build())
    return bundle.build().dgram


def osc_bundle(signals: dict[str, float]) -> bytes:
    """Signals as one OSC bundle of ``/name value`` messages."""
    return _bundle([("/" + name, "f", float(value)) for name, value in signals.items()])


def osc_bundles(signals: dict[str, float], per_bundle: int = PER_BUNDLE) -> list[bytes]:
    """Signals as OSC bundles of at most ``per_bundle`` messages each, so that none is refused as too long."""
    items = list(signals.items())
    return [osc_bundle(dict(items[i:i + per_bundle])) for i in range(0, len(items), per_bundle)]


def release(prefixes: list[str]) -> bytes:
    """``/release PREFIX`` for each kind of signal a sensor sends: the conductor glides them to the scenes'
    defaults."""
    return _bundle([("/release", "s", prefix) for prefix in prefixes])
