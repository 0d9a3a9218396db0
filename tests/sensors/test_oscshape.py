"""What a datagram costs and whether python-osc may see it, read from its bytes before any parsing: messages
counted through nested bundles, limits on length, nesting, addresses, type tags and strings; and python-osc's own
warnings (which quote whole datagrams, once per unknown argument) never reached."""

from __future__ import annotations

import logging

from pythonosc.osc_message_builder import OscMessageBuilder
from pythonosc.osc_packet import OscPacket

from sensors import oscshape
from sensors.osc import OscDispatcher


def message(address: str, *args: object) -> bytes:
    builder = OscMessageBuilder(address)
    for arg in args:
        builder.add_arg(arg)
    return builder.build().dgram


def bundle(*contents: bytes) -> bytes:
    """A bundle of messages and bundles, given as datagrams."""
    out = bytearray(oscshape.BUNDLE + bytes(7) + b"\x01")  # "immediately"
    for content in contents:
        out += len(content).to_bytes(4, "big") + content
    return bytes(out)


def test_messages_are_counted_through_nested_bundles():
    one = message("/a/b", 0.5)
    assert oscshape.cost(one) == 1 and oscshape.cost(bundle()) == 1  # every datagram costs at least one
    assert oscshape.cost(bundle(*[one] * 200)) == 200
    nested = bundle(one, bundle(one, one, bundle(one)), one)
    assert oscshape.cost(nested) == 5 and oscshape.problem(nested) is None
    assert [m.message.address for m in OscPacket(nested).messages] == ["/a/b"] * 5  # as python-osc reads it
    long = message("/a/b", *["y" * 100] * 12)  # 1,272 bytes: one message, as long as five short ones
    assert oscshape.cost(long) == 5 == -(-len(long) // oscshape.BYTES_PER_MESSAGE)


def test_what_python_osc_must_not_see_is_refused_before_it_parses():
    one = message("/a/b", 0.5)
    refused = {
        "too many messages": bundle(*[one] * (oscshape.MAX_MESSAGES + 1)),
        "too deep": bundle(bundle(bundle(bundle(bundle(bundle(one)))))),
        "too long": bundle(*[message("/a/b", "s" * 100)] * 80),
        "an element size past the end": bundle(one)[:-4],
        "an element that is neither": bundle(b"junk" * 4),
        "an odd element size": bundle(one)[:16] + (len(one) - 1).to_bytes(4, "big") + one[:-1],
        "a long address": message("/" + "a" * oscshape.MAX_ADDRESS, 0.5),
        "a control character": message("/a/\x07", 0.5),
        "an unknown type tag": b"/a/b\x00\x00\x00\x00,fx\x00" + bytes(8),
        "too many arguments": message("/a/b", *[1] * (oscshape.MAX_ARGS + 1)),
        "a long string": message("/scene", "s" * (oscshape.MAX_STRING + 1)),
        "a long blob": message("/a/b", b"b" * (oscshape.MAX_BLOB + 1)),
        "a cut float": b"/audience/energy\x00\x00\x00\x00,f\x00\x00",
        "no address": b"\x00\x01garbage",
    }
    for what, dgram in refused.items():
        assert oscshape.problem(dgram) is not None, what
    fine = [one, message("/cue/next"), message("/a/b", 1, 2.0, "word", True, False, b"blob"),
            message("/scene", "s" * oscshape.MAX_STRING), bundle(*[one] * oscshape.MAX_MESSAGES)]
    for dgram in fine:
        assert oscshape.problem(dgram) is None and OscPacket(dgram).messages


def test_python_osc_never_warns_about_junk(caplog):
    """python-osc logs on the root logger, quoting whole datagrams (a bundle element it cannot identify) or once
    per argument (an unknown type tag): 21.7 MB of log in 20 s. Such datagrams never reach it."""
    dispatcher = OscDispatcher()
    junk = [bundle(b"\xff" * 4000), b"/a/b\x00\x00\x00\x00," + b"x" * 3002 + b"\x00"]
    with caplog.at_level(logging.DEBUG):
        for dgram in junk:  # what python-osc does with them on its own
            try:
                OscPacket(dgram)
            except Exception:
                pass
    assert len([r for r in caplog.records if r.name == "root"]) == 3003 and len(caplog.text) > 10000
    caplog.clear()
    with caplog.at_level(logging.DEBUG):
        for _ in range(500):
            for dgram in junk:
                assert dispatcher.dispatch(dgram, 0.0) == []
    assert dispatcher.malformed == 1000
    assert not [r for r in caplog.records if r.name == "root"]  # python-osc's logger
    assert len(caplog.records) == 1 and len(caplog.records[0].getMessage()) < 300  # ours: one line, cut short
